// LST on MDETR (an inferred design, src/petl/lst-mdetr): the side network's size by hand, the ladder wiring (dropped
// layers are not read), gates, outputs per kept decoder layer, gradients only in the side network, and the pruning
// init copying the planned sub-matrices of the backbone.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { countParams } from '../../src/nn/module.js';
import { MdetrConfigSchema, type MdetrConfig } from '../../src/backbones/mdetr/config.js';
import { MdetrModel } from '../../src/backbones/mdetr/model.js';
import { buildMdetrLst, LstMdetrSide, pruneInitMdetrSide } from '../../src/petl/lst-mdetr/index.js';
import { LstConfigSchema } from '../../src/petl/lst/config.js';

before(async () => { await initBackend('wasm'); });
const EVAL = { training: false, rng: new Rng(0) };

function cfg(over: Record<string, unknown> = {}): MdetrConfig {
  return MdetrConfigSchema.parse({
    model_type: 'mdetr', d_model: 32, nheads: 4, enc_layers: 4, dec_layers: 4, dim_feedforward: 64, num_queries: 3, num_classes: 7, image_size: 16, contrastive_hdim: 8, dropout: 0,
    backbone_config: { model_type: 'resnet', layers: [1, 1, 1, 1], planes: [2, 2, 4, 4], stem: 'mini', stem_width: 4 },
    text_config: { model_type: 'bert', vocab_size: 30, hidden_size: 12, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 16, max_position_embeddings: 12 },
    ...over,
  });
}

test('side network size by hand (d 32, r 4 -> d\' 8, ffn 16, 4 heads; 4 layers keep [1, 2, 3])', () => {
  const side = new LstMdetrSide(cfg(), LstConfigSchema.parse({ r: 4, init: 'random' }), new Rng(1));
  assert.deepEqual(side.encoderLayers, [1, 2, 3]);
  assert.deepEqual(side.decoderLayers, [1, 2, 3]);
  const D = 32, d = 8, ff = 16;
  const attn = 4 * (d * d + d);
  const encLayer = attn + (d * ff + ff) + (ff * d + d) + 2 * 2 * d;
  const decLayer = 2 * attn + (d * ff + ff) + (ff * d + d) + 3 * 2 * d;
  const ladders = (D * d + d) * (1 + 3 + 3);           // first + 3 encoder + 3 decoder (with bias)
  const posQuery = 2 * D * d;                           // bias-free
  const gates = 6, norm = 2 * d, up = d * D + D;
  assert.equal(countParams(side).total, 3 * encLayer + 3 * decLayer + ladders + posQuery + gates + norm + up);
  assert.equal(side.dims.heads, 4);
  side.dispose();
});

function states(B: number, T: number, D: number, n: number, seed: number): Tensor[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => tf.tensor3d(Float32Array.from({ length: B * T * D }, () => r.normal()), [B, T, D]));
}

test('ladders read the kept layers only; one output per kept decoder layer; gradients stay in the side network', () => {
  const c = cfg();
  const side = new LstMdetrSide(c, LstConfigSchema.parse({ r: 4, init: 'random' }), new Rng(2));
  const B = 2, S = 5, Q = 3, D = 32;
  const enc = states(B, S, D, 5, 3), dec = states(B, Q, D, 5, 4);
  const inp = (e: Tensor[], d: Tensor[]) => ({ encoderStates: e, encoderMask: tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]]), pos: tf.zeros([B, S, D]), decoderStates: d, queryEmbed: tf.randomNormal([Q, D], 0, 1, 'float32', 5) });
  const run = (e: Tensor[], d: Tensor[]) => tf.tidy(() => side.forward(inp(e, d), EVAL));
  const ref = run(enc, dec);
  assert.deepEqual(ref.shape, [3, B, Q, D]);
  const refV = ref.dataSync();
  const bump = (xs: Tensor[], i: number) => xs.map((x, k) => (k === i ? tf.add(x, 1) : x));
  const same = (a: ArrayLike<number>) => Array.from(a).every((v, k) => Math.abs(v - refV[k]) < 1e-5);
  // encoder layer 0 (index 1 in the states) and decoder layer 0 are dropped: never read
  assert.ok(same(run(bump(enc, 1), dec).dataSync()), 'encoder layer 0 is dropped');
  assert.ok(same(run(enc, bump(dec, 1)).dataSync()), 'decoder layer 0 is dropped');
  assert.ok(same(run(enc, bump(dec, 0)).dataSync()), 'the decoder input (zeros) is not read');
  assert.ok(!same(run(bump(enc, 0), dec).dataSync()), 'the encoder input is read (side_first_downsample)');
  assert.ok(!same(run(bump(enc, 4), dec).dataSync()), 'encoder layer 3 is read');
  assert.ok(!same(run(enc, bump(dec, 4)).dataSync()), 'decoder layer 3 is read');
  // the first output depends on decoder layer 1 but not on layer 2 (outputs are per kept layer, in order)
  const o0 = (d: Tensor[]) => tf.tidy(() => tf.slice(side.forward(inp(enc, d), EVAL), [0, 0, 0, 0], [1, -1, -1, -1]).dataSync());
  const r0 = o0(dec);
  assert.ok(Array.from(o0(bump(dec, 3))).every((v, k) => Math.abs(v - r0[k]) < 1e-6));
  assert.ok(!Array.from(o0(bump(dec, 2))).every((v, k) => Math.abs(v - r0[k]) < 1e-6));
  // a padded encoder token does not change example 1's outputs
  const padBump = enc.map((x) => tf.add(x, tf.mul(tf.tensor3d([[[0], [0], [0], [0], [0]], [[0], [0], [0], [9], [9]]]), 1)));
  const a = run(padBump, dec).dataSync();
  assert.ok(Array.from(a).every((v, k) => Math.abs(v - refV[k]) < 1e-4), 'padded tokens are masked out');
  // gradients: every side parameter that takes part gets one
  const vars = side.parameters().map((p) => p.variable);
  const { grads } = tf.variableGrads(() => tf.sum(side.forward(inp(enc, dec), EVAL)) as tf.Scalar, vars);
  const gate = side.gate('encoder', 1).variable.name;
  assert.ok(grads[gate] && Math.abs(grads[gate].dataSync()[0]) > 0, 'the gate learns');
  assert.ok(Object.keys(grads).length >= vars.length - 1);
  side.dispose();
});

test('pruning init copies the planned channels of the backbone into the kept side layers', () => {
  const model = new MdetrModel(cfg(), 6);
  const { module: side } = buildMdetrLst(model, { r: 4, init: 'random' }, new Rng(7));
  const plan = pruneInitMdetrSide(model, side);
  const d = 8;
  assert.equal(plan.encoderSeed.length, d);
  assert.deepEqual(plan.encoderSeed, [...plan.encoderSeed].sort((x, y) => x - y));
  const src = model.transformer.encoder.layers.at(2), dst = side.side_encoder.get('2')!;
  const rows = plan.encoderOut[1];
  // q_proj of kept layer 2 = backbone q_proj[rows of layer 1's output selection, its qkv columns]
  const W = src.self_attn.q_proj.weight.value.arraySync() as number[][];
  const got = dst.self_attn.q_proj.weight.value.arraySync() as number[][];
  const cols: number[] = [];
  // recover the qkv columns: the side's columns must be a column subset of the backbone rows
  for (let j = 0; j < d; j++) {
    const k = W[0].findIndex((_, c) => rows.every((r, i) => Math.abs(W[r][c] - got[i][j]) < 1e-7));
    assert.ok(k >= 0, `side column ${j} is a backbone column restricted to the planned rows`);
    cols.push(k);
  }
  assert.deepEqual(cols, [...cols].sort((x, y) => x - y), 'kept columns stay in ascending order');
  // norm2 of the kept layer follows the layer's output selection
  const g = src.norm2.weight.value.dataSync(), gs = dst.norm2.weight.value.dataSync();
  plan.encoderOut[2].forEach((c, i) => assert.equal(gs[i], g[c]));
  // defaults prune; output "add" is refused with a reason
  const pruned = buildMdetrLst(model, {}, new Rng(8));
  assert.equal(pruned.module.dims.dModel, 4);   // LST's default r = 8
  assert.throws(() => buildMdetrLst(model, { output: 'add' }, new Rng(8)), /output "add" is not defined/);
  side.dispose(); pruned.module.dispose(); model.dispose();
});
