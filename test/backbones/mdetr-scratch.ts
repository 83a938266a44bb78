import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { MdetrConfigSchema } from '../../src/backbones/mdetr/config.js';
import { MdetrModel } from '../../src/backbones/mdetr/model.js';
await initBackend('wasm');
const cfg = MdetrConfigSchema.parse({ model_type: 'mdetr', d_model: 32, nheads: 4, enc_layers: 2, dec_layers: 2, dim_feedforward: 64, num_queries: 5, num_classes: 15, image_size: 32,
  backbone_config: { model_type: 'resnet', layers: [1, 1, 1, 1], planes: [4, 8, 8, 8], stem: 'mini', stem_width: 8 },
  text_config: { model_type: 'bert', vocab_size: 50, hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 20 } });
const m = new MdetrModel(cfg, 1);
const ctx = { training: true, rng: new Rng(2) };
const img = tf.randomNormal([2, 32, 32, 3]);
const f = m.features(img, ctx);
console.log('feat', f.shape);
const ids = tf.tensor2d([[1, 5, 6, 2], [1, 7, 2, 0]], [2, 4], 'int32');
const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]]);
const enc = m.encode(f, null, { ids, mask }, ctx);
console.log(enc.states.map((s) => s.shape), enc.imageTokens, enc.textTokens);
const dec = m.decode(enc, ctx);
const hs = m.normedDecoderOutputs(dec);
const outs = m.headOutputs(hs, ctx);
console.log(outs.map((o) => [o.logits.shape, o.boxes.shape, o.projQueries?.shape]));
console.log(m.heads.projectTokens(m.textMemory(enc), ctx)?.shape);
let n = 0; for (const p of m.parameters()) n += p.size; console.log('params', n);
