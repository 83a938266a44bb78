// One mem-v1 measurement in its own process (the protocol measures one configuration per fresh process): the
// reference encoder, frozen, with a small trainable head, trained for warm-up + measured steps.
//   --mode outside: lean ops, the frozen backbone runs outside the gradient tape in tf.tidy (as bench/engine-worker.ts)
//   --mode inside:  plain ops (setOpsMode('plain')), the frozen backbone runs inside the tape
// Both trackers are installed before any model tensor exists, so their live bytes can be compared after the steps.
// Prints one JSON line.
import { parseArgs } from 'node:util';
import { tf, type Tensor } from '../../../src/engine/tf.js';
import { initBackend } from '../../../src/engine/backend.js';
import { Rng } from '../../../src/engine/rng.js';
import { setOpsMode } from '../../../src/engine/ops/index.js';
import { installTracker } from '../../../src/engine/memory/tracker.js';
import { MemoryProbe } from '../../../src/engine/memory/probe.js';
import { TextEncoder } from '../../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema, TEXT_ENCODER_PRESETS } from '../../../src/backbones/text/config.js';
import { Module, type ForwardCtx } from '../../../src/nn/module.js';
import { Linear, activate } from '../../../src/nn/layers.js';
import { AdamW } from '../../../src/train/optim.js';
import { crossEntropy } from '../../../src/train/losses.js';

const { values: args } = parseArgs({ options: {
  mode: { type: 'string' }, batch: { type: 'string', default: '8' }, seq: { type: 'string', default: '32' },
  steps: { type: 'string', default: '2' }, warmup: { type: 'string', default: '1' },
} });
if (args.mode !== 'outside' && args.mode !== 'inside') throw new Error(`--mode must be outside or inside, got ${args.mode}`);
const outside = args.mode === 'outside';
const B = Number(args.batch), T = Number(args.seq);

await initBackend('wasm');
const tracker = installTracker('wasm-malloc');
const dataIdTracker = installTracker('data-id');
setOpsMode(outside ? 'lean' : 'plain');

const cfg = TextEncoderConfigSchema.parse({ ...TEXT_ENCODER_PRESETS['bench-reference'], max_position_embeddings: T });
const encoder = new TextEncoder(cfg, 1);
encoder.setTrainable(false);
const rng = new Rng(3);
const H = cfg.hidden_size;

class Head extends Module {
  readonly dense: Linear; readonly out: Linear;
  constructor() { super(); this.dense = this.addChild('dense', new Linear(H, H, rng.fork('dense'))); this.out = this.addChild('out', new Linear(H, 2, rng.fork('out'))); }
  forward(last: Tensor, ctx: ForwardCtx): Tensor {
    const cls = tf.reshape(tf.slice(last, [0, 0, 0], [B, 1, H]), [B, H]);
    return this.out.forward(activate(this.dense.forward(cls, ctx), 'tanh'), ctx);
  }
}
const head = new Head();
const trainable = head.parameters();
const opt = new AdamW(trainable, { lr: 1e-3 });

const ids = tf.tensor(Int32Array.from({ length: B * T }, () => 1 + rng.int(cfg.vocab_size - 1)), [B, T], 'int32');
const mask = tf.ones([B, T]);
const labels = tf.tensor(Int32Array.from({ length: B }, () => rng.int(2)), [B], 'int32');
const ctx: ForwardCtx = { training: true, rng: rng.fork('dropout') };

function step(): number {
  const feats = outside ? tf.tidy(() => encoder.forward({ ids, mask }, ctx).last) : null;
  const { value, grads } = tf.variableGrads(() => {
    const last = feats ?? encoder.forward({ ids, mask }, ctx).last;
    return crossEntropy(head.forward(last, ctx), labels) as tf.Scalar;
  }, trainable.map((p) => p.variable));
  opt.apply(grads);
  const loss = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  if (feats) feats.dispose();
  return loss;
}

const probe = new MemoryProbe(tracker);
const losses: number[] = [];
for (let i = 0; i < Number(args.warmup) + Number(args.steps); i++) losses.push(probe.step(step));
const bytes = (ps: { bytes: number }[]) => ps.reduce((a, p) => a + p.bytes, 0);
const report = probe.report({ frozenParams: bytes(encoder.parameters()), trainableParams: bytes(trainable), optimizerState: opt.stateBytes });
console.log(JSON.stringify({
  mode: args.mode, batch: B, seq: T, layers: cfg.num_hidden_layers, hidden: H, losses, report,
  inputBytes: ids.size * 4 + mask.size * 4 + labels.size * 4,
  liveWasmMalloc: tracker.liveBytes, liveDataId: dataIdTracker.liveBytes,
}));
