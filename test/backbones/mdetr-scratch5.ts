import { initBackend } from '../../src/engine/backend.js';
import { CNN_MINI } from '../../src/train/mini-backbones/cnn-mini.js';
await initBackend('wasm');
const t0 = performance.now();
await CNN_MINI.build('/tmp/v4/cnn-mini', console.log);
console.log('built in', ((performance.now() - t0) / 1000).toFixed(0), 's');
