// MDETR backbone: the sine position encoding by hand, the forward stages' shapes and masks, the checkpoint round
// trip (and loading MDETR's original names: packed in_proj, backbone.0.body.), and the paper size (ResNet-101,
// RoBERTa-base, d 256, 6 + 6 layers, 100 queries) building and running a forward pass at a reduced resolution.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { MdetrConfigSchema, mdetrR101Config, type MdetrConfig } from '../../src/backbones/mdetr/config.js';
import { MdetrModel } from '../../src/backbones/mdetr/model.js';
import { sinePositionEncoding } from '../../src/backbones/mdetr/position.js';
import { saveMdetr, loadMdetr, mdetrTensors } from '../../src/backbones/mdetr/checkpoint.js';
import { writeSafetensors, type TensorToWrite } from '../../src/backbones/hf/safetensors.js';
import { writeFileAtomic } from '../../src/backbones/hf/safetensors.js';
import { RESNET_PRESETS } from '../../src/backbones/cnn/index.js';

before(async () => { await initBackend('wasm'); });
const EVAL = { training: false, rng: new Rng(0) };

function tinyConfig(over: Record<string, unknown> = {}): MdetrConfig {
  return MdetrConfigSchema.parse({
    model_type: 'mdetr', d_model: 16, nheads: 2, enc_layers: 2, dec_layers: 2, dim_feedforward: 24, num_queries: 3, num_classes: 7, image_size: 16, contrastive_hdim: 8,
    backbone_config: { model_type: 'resnet', layers: [1, 1, 1, 1], planes: [2, 2, 4, 4], stem: 'mini', stem_width: 4 },
    text_config: { model_type: 'roberta', vocab_size: 30, hidden_size: 12, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12, pad_token_id: 1, type_vocab_size: 1 },
    ...over,
  });
}

test('sine position encoding by hand (DETR: normalised cumsum x 2π, dim_t = 10000^(2 floor(k/2)/F))', () => {
  // 1 x 2 map (H = 1, W = 2), F = 2 features per axis: dim_t = [1, 1]
  const pe = sinePositionEncoding(1, 1, 2, 2);
  const eps = 1e-6, s = 2 * Math.PI;
  const y = 1 / (1 + eps) * s;                 // every row is the last row: y = 1
  const x0 = 1 / (2 + eps) * s, x1 = 2 / (2 + eps) * s;
  const want = [Math.sin(y), Math.cos(y), Math.sin(x0), Math.cos(x0), Math.sin(y), Math.cos(y), Math.sin(x1), Math.cos(x1)];
  want.forEach((v, i) => assert.ok(Math.abs(pe[i] - v) < 1e-6, `pe[${i}] ${pe[i]} vs ${v}`));
  // F = 4: dim_t = [1, 1, 100, 100]; padded column (validity 0) does not advance the cumulative sum
  const pe2 = sinePositionEncoding(1, 1, 2, 4, [[1, 0]]);
  const xs = 1 / (1 + eps) * s;
  assert.ok(Math.abs(pe2[4] - Math.sin(xs)) < 1e-6 && Math.abs(pe2[6] - Math.sin(xs / 100)) < 1e-6);
  assert.ok(Math.abs(pe2[8 + 4] - Math.sin(xs)) < 1e-6, 'the padded position repeats the last valid x');
});

test('forward stages: shapes, image + text tokens, masks, every layer returned', () => {
  const m = new MdetrModel(tinyConfig(), 1);
  const out = tf.tidy(() => {
    const feats = m.features(tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 1), EVAL);
    assert.deepEqual(feats.shape, [2, 2, 2, 16]);   // mini stem: stride 8
    const ids = tf.tensor2d([[0, 5, 6, 2], [0, 7, 2, 1]], [2, 4], 'int32');
    const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]]);
    const enc = m.encode(feats, null, { ids, mask }, EVAL);
    assert.equal(enc.states.length, 3);
    assert.deepEqual(enc.states[2].shape, [2, 8, 16]);
    assert.equal(enc.imageTokens, 4); assert.equal(enc.textTokens, 4); assert.equal(enc.promptTokens, 0);
    assert.deepEqual(Array.from(enc.mask.dataSync()), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
    // text positions carry no position encoding
    assert.equal(tf.sum(tf.abs(tf.slice(enc.pos, [0, 4, 0], [-1, -1, -1]))).dataSync()[0], 0);
    const dec = m.decode(enc, EVAL);
    assert.equal(dec.length, 3);
    assert.equal(tf.sum(tf.abs(dec[0])).dataSync()[0], 0, 'the decoder starts from tgt = 0');
    const hs = m.normedDecoderOutputs(dec);
    assert.deepEqual(hs.shape, [2, 2, 3, 16]);
    const heads = m.headOutputs(hs, EVAL);
    assert.deepEqual(heads[1].logits.shape, [2, 3, 8]);
    const b = heads[1].boxes.dataSync();
    assert.ok(Array.from(b).every((v) => v > 0 && v < 1), 'boxes are sigmoids');
    const pq = heads[1].projQueries!;
    const norms = tf.sqrt(tf.sum(tf.square(pq), -1)).dataSync();
    assert.ok(Array.from(norms).every((v) => Math.abs(v - 1) < 1e-5), 'query projections are L2-normalised');
    assert.deepEqual(m.heads.projectTokens(m.textMemory(enc), EVAL)!.shape, [2, 4, 8]);
    return heads[1].logits.dataSync();
  });
  // a padded text token must not change the other example's outputs: run example 0 alone
  const alone = tf.tidy(() => {
    const feats = m.features(tf.slice(tf.randomNormal([2, 16, 16, 3], 0, 1, 'float32', 1), [0, 0, 0, 0], [1, -1, -1, -1]), EVAL);
    const enc = m.encode(feats, null, { ids: tf.tensor2d([[0, 5, 6, 2]], [1, 4], 'int32'), mask: tf.ones([1, 4]) }, EVAL);
    return m.headOutputs(m.normedDecoderOutputs(m.decode(enc, EVAL)), EVAL)[1].logits.dataSync();
  });
  for (let i = 0; i < alone.length; i++) assert.ok(Math.abs(alone[i] - out[i]) < 1e-4, 'batching does not mix examples');
  m.dispose();
});

test('heads on a single decoder output get gradients (tfjs\'s Unpack gradient fails on one output)', () => {
  const m = new MdetrModel(tinyConfig(), 2);
  const hs = tf.variable(tf.randomNormal([1, 2, 3, 16], 0, 1, 'float32', 4));
  const { grads } = tf.variableGrads(() => tf.sum(m.headOutputs(hs, EVAL)[0].logits) as tf.Scalar, [hs]);
  assert.deepEqual(grads[hs.name].shape, [1, 2, 3, 16]);
  tf.dispose([hs, ...Object.values(grads)]);
  m.dispose();
});

function logitsOf(m: MdetrModel): Float32Array {
  return tf.tidy(() => {
    const feats = m.features(tf.randomNormal([1, 16, 16, 3], 0, 1, 'float32', 3), EVAL);
    const enc = m.encode(feats, null, { ids: tf.tensor2d([[0, 5, 6, 2]], [1, 4], 'int32'), mask: tf.ones([1, 4]) }, EVAL);
    const h = m.headOutputs(m.normedDecoderOutputs(m.decode(enc, EVAL)), EVAL)[1];
    return tf.concat([tf.reshape(h.logits, [-1]), tf.reshape(h.boxes, [-1])]).dataSync() as Float32Array;
  });
}

test('checkpoint round trip, and MDETR\'s original names (packed in_proj, backbone.0.body.) load to the same model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdetr-ckpt-'));
  try {
    const m = new MdetrModel(tinyConfig(), 4);
    const ref = logitsOf(m);
    saveMdetr(dir, m);
    const { model: back } = loadMdetr(dir, { seed: 99 });
    const got = logitsOf(back);
    ref.forEach((v, i) => assert.ok(Math.abs(v - got[i]) < 1e-6));
    // rewrite the file with MDETR's own names
    const tensors = mdetrTensors(m);
    const orig: Record<string, TensorToWrite> = {};
    const packed = new Map<string, (TensorToWrite | undefined)[]>();
    for (const [name, t] of Object.entries(tensors)) {
      const q = /^(.*)\.(q|k|v)_proj\.(weight|bias)$/.exec(name);
      if (q) {
        const key = `${q[1]}.in_proj_${q[3]}`;
        const parts = packed.get(key) ?? [undefined, undefined, undefined];
        parts['qkv'.indexOf(q[2])] = t;
        packed.set(key, parts);
        continue;
      }
      orig[name.startsWith('backbone.') ? `backbone.0.body.${name.slice('backbone.'.length)}` : name] = t;
    }
    for (const [key, parts] of packed) {
      const [a, b, c] = parts as TensorToWrite[];
      const data = new Float32Array(a.data.length * 3);
      [a, b, c].forEach((p, i) => data.set(p.data as Float32Array, i * a.data.length));
      orig[key] = { dtype: 'F32', shape: [a.shape[0] * 3, ...a.shape.slice(1)], data };
    }
    writeSafetensors(join(dir, 'model.safetensors'), orig);
    const loaded = loadMdetr(dir, { seed: 7 });
    assert.ok(loaded.report.split.length > 0 && loaded.report.renamed.length > 0);
    const got2 = logitsOf(loaded.model);
    ref.forEach((v, i) => assert.ok(Math.abs(v - got2[i]) < 1e-6));
    // a wrong shape names the tensor and both shapes
    const bad = { ...orig, 'query_embed.weight': { dtype: 'F32' as const, shape: [4, 16], data: new Float32Array(64) } };
    writeSafetensors(join(dir, 'model.safetensors'), bad);
    assert.throws(() => loadMdetr(dir, { seed: 0 }), /query_embed\.weight" has shape \[4,16\] but parameter "query_embed\.weight" needs \[3,16\]/);
    // a missing tensor is named
    const { ['class_embed.bias']: _drop, ...missing } = orig;
    writeSafetensors(join(dir, 'model.safetensors'), missing);
    assert.throws(() => loadMdetr(dir, { seed: 0 }), /missing tensors: class_embed\.bias/);
    // a bad config key is named
    writeFileAtomic(join(dir, 'config.json'), JSON.stringify({ ...tinyConfig(), d_model: 15 }));
    assert.throws(() => loadMdetr(dir, { seed: 0 }), /d_model/);
    [m, back, loaded.model].forEach((x) => x.dispose());
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('paper size (ResNet-101, RoBERTa-base, d 256, 6 + 6 layers, 100 queries) builds and runs a forward pass at 64 px', () => {
  const cfg = mdetrR101Config({ ...RESNET_PRESETS.resnet101 });
  const m = new MdetrModel(cfg, 0);
  let n = 0; for (const p of m.parameters()) if (p.role !== 'buffer') n += p.size;
  // torchvision ResNet-101 without fc 42,500,160 + RoBERTa-base 124,645,632 + the transformer, resizer, heads
  assert.ok(n > 42_500_160 + 124_645_632, `${n} parameters`);
  const shapes = tf.tidy(() => {
    const feats = m.features(tf.randomNormal([1, 64, 64, 3]), EVAL);
    const enc = m.encode(feats, null, { ids: tf.tensor2d([[0, 713, 2335, 2]], [1, 4], 'int32'), mask: tf.ones([1, 4]) }, EVAL);
    const hs = m.normedDecoderOutputs(m.decode(enc, EVAL));
    const out = m.headOutputs(hs, EVAL);
    return { feats: feats.shape, enc: enc.states.length, hs: hs.shape, logits: out[5].logits.shape, boxes: out[5].boxes.shape };
  });
  assert.deepEqual(shapes.feats, [1, 2, 2, 2048]);
  assert.equal(shapes.enc, 7);
  assert.deepEqual(shapes.hs, [6, 1, 100, 256]);
  assert.deepEqual(shapes.logits, [1, 100, 256]);
  assert.deepEqual(shapes.boxes, [1, 100, 4]);
  m.dispose();
  void (null as unknown as Tensor);
});
