// LST on T5: the side network's size (LST's published 3,878,712 at T5-base, and a hand count on a tiny T5), layer
// dropping and gates, the ladder wiring, gradients only in the side network, the pruning init, and decoding through
// the side network agreeing with its teacher-forced logits (the side decoder is causal).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { countParams } from '../../src/nn/module.js';
import { T5Model, shiftRight, type T5StackOutput } from '../../src/backbones/t5/model.js';
import { T5ConfigSchema, t5PresetConfig, type T5Config } from '../../src/backbones/t5/config.js';
import { sideDecodable } from '../../src/backbones/t5/side.js';
import { t5Decodable } from '../../src/backbones/t5/generate.js';
import { buildT5Lst, LstT5Side, t5ChannelPlan } from '../../src/petl/lst-t5/index.js';
import { T5Seq2SeqModel, type Seq2SeqBatch } from '../../src/tasks/glue-t5/model.js';
import { AdamW } from '../../src/train/optim.js';

before(async () => { await initBackend('wasm'); });

const EVAL = { training: false, rng: new Rng(0) };
function tiny(over: Partial<T5Config> = {}): T5Config {
  return T5ConfigSchema.parse({ vocab_size: 30, d_model: 32, d_kv: 8, d_ff: 64, num_layers: 4, num_decoder_layers: 4, num_heads: 4, dropout_rate: 0, ...over });
}

test('side network size: LST\'s 3,878,712 at T5-base, and the hand count on a tiny T5', () => {
  // the side network reads only the backbone's config and depth when it is not pruning-initialised
  const fake = (c: T5Config) => ({ config: c, encoder: { numLayers: c.num_layers }, decoder: { numLayers: c.num_decoder_layers ?? c.num_layers } }) as unknown as T5Model;
  const base = new LstT5Side(fake(t5PresetConfig('t5-base')), { r: 8, gate_T: 0.1, gate_alpha: 0, add_bias_sampling: true, init: 'random', output: 'replace', final_layer_norm: true }, new Rng(1));
  assert.equal(countParams(base).total, 3_878_712);
  assert.deepEqual(base.encoderLayers, [1, 2, 3, 5, 6, 7, 9, 10, 11]);
  assert.equal(base.encoder.side_gate_params.keys().length, 12);   // one gate per backbone layer, as LST
  base.dispose();
  // tiny: D 32, r 4 -> d 8, d_kv 2 (4 heads -> inner 8), d_ff 16; 4 layers -> kept [1,2,3]
  const D = 32, d = 8, inner = 8, ff = 16, buckets = 32, H = 4;
  const enc = 3 * (4 * d * inner + 2 * d + 2 * d * ff) + buckets * H;
  const dec = 3 * (8 * d * inner + 3 * d + 2 * d * ff) + buckets * H;
  const ladders = 2 * 4 * (D * d + d);       // first downsample + 3 downsamples, per stack
  const gates = 2 * 4, norms = 2 * d, up = d * D + D;
  const side = new LstT5Side(fake(tiny()), { r: 4, gate_T: 0.1, gate_alpha: 0, add_bias_sampling: true, init: 'random', output: 'replace', final_layer_norm: true }, new Rng(1));
  assert.equal(countParams(side).total, enc + dec + ladders + gates + norms + up);
  assert.deepEqual(side.decoderLayers, [1, 2, 3]);
  side.dispose();
});

function fakeStates(B: number, T: number, D: number, n: number, seed: number): Tensor[] {
  const r = new Rng(seed);
  return Array.from({ length: n }, () => tf.tensor3d(Float32Array.from({ length: B * T * D }, () => r.normal()), [B, T, D]));
}

test('ladder wiring and gates: kept layer i reads backbone block i\'s output through mu = sigmoid(alpha / T)', () => {
  const model = new T5Model(tiny(), 1);
  const side = buildT5Lst(model, { r: 4, init: 'random' }, new Rng(2));
  const B = 2, T = 5, D = 32;
  const hs = fakeStates(B, T, D, 5, 3);      // [emb, block0 .. block3]; kept layers [1, 2, 3] read hs[2..4]
  const mask = tf.ones([B, T]);
  const out = (states: Tensor[]) => tf.tidy(() => side.encoder.forward(states, mask, EVAL).dataSync());
  const ref = out(hs);
  const bump = (i: number) => hs.map((h, k) => (k === i ? tf.add(h, 1) : h));
  const same = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).every((v, k) => Math.abs(v - b[k]) < 1e-6);
  assert.ok(same(out(bump(1)), ref), 'block 0 (dropped) must not be read');
  for (const i of [0, 2, 3, 4]) assert.ok(!same(out(bump(i)), ref), `hidden state ${i} must be read`);
  // mu = 1 (alpha / T huge): the ladders contribute (1 - mu) x = 0, only the embeddings path remains
  for (const i of [1, 2, 3]) side.encoder.gate(i).assign(tf.tensor1d([100]));
  const open = out(hs);
  for (const i of [2, 3, 4]) assert.ok(same(out(bump(i)), open), `with mu = 1 hidden state ${i} is ignored`);
  tf.dispose([...hs, mask]);
  side.dispose(); model.dispose();
});

function batchOf(ids: number[][], labels: number[][]): Seq2SeqBatch {
  const B = ids.length, Ts = ids[0].length, Td = labels[0].length;
  return { size: B, ids: tf.tensor2d(ids.flat(), [B, Ts], 'int32'), mask: tf.tensor2d(ids.flat().map((v) => (v ? 1 : 0)), [B, Ts], 'int32'), labels: Int32Array.from(labels.flat()), targetLength: Td };
}

test('training: gradients reach only the side network; a few AdamW steps reduce the loss; the backbone does not move', () => {
  const model = new T5Model(tiny(), 1);
  model.setTrainable(false);
  const side = buildT5Lst(model, { r: 4 }, new Rng(2));
  const m = new T5Seq2SeqModel(model, { mode: 'side', side });
  const trainable = m.paramGroups().flatMap((g) => g.params);
  assert.equal(trainable.length, side.parameters().length);
  assert.ok(model.parameters().every((p) => !p.trainable));
  const before = model.shared.weight.value.dataSync().slice();
  const batch = batchOf([[5, 6, 7, 1], [8, 9, 1, 0]], [[10, 1], [11, 1]]);
  const ctx = { training: true, rng: new Rng(4) };
  const opt = new AdamW(trainable, { lr: 1e-2 });
  const losses: number[] = [];
  for (let s = 0; s < 15; s++) {
    const prepared = tf.tidy(() => m.prepare(batch, ctx));
    const { value, grads } = tf.variableGrads(() => m.loss(batch, prepared, ctx) as tf.Scalar, trainable.map((p) => p.variable));
    losses.push(value.dataSync()[0]);
    // every gradient is for a side parameter; the gates of dropped layers (0) get none
    const names = new Set(side.namedParameters().map(([, p]) => p.variable.name));
    for (const k of Object.keys(grads)) assert.ok(names.has(k));
    assert.equal(grads[side.encoder.gate(0).variable.name], undefined);
    opt.apply(grads);
    tf.dispose([value, ...Object.values(grads), ...prepared]);
  }
  assert.ok(losses[14] < losses[0] * 0.7, `loss ${losses[0]} -> ${losses[14]}`);
  assert.deepEqual(Array.from(model.shared.weight.value.dataSync()), Array.from(before));
  opt.dispose(); tf.dispose([batch.ids, batch.mask]); m.dispose();
});

test('pruning init: side weights are sub-matrices of the backbone at the largest-importance channels', () => {
  const model = new T5Model(tiny(), 5);
  const side = buildT5Lst(model, { r: 4 }, new Rng(2));
  const plan = t5ChannelPlan(model, { d: 8, inner: 8, ff: 16 });
  const top = (v: number[], k: number) => v.map((x, j) => [x, j]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map(([, j]) => j).sort((a, b) => a - b);
  const colL1 = (W: number[][], rows: number[]) => W[0].map((_, j) => rows.reduce((s, r) => s + Math.abs(W[r][j]), 0));
  const arr = (t: Tensor) => t.arraySync() as number[][];
  // the chain starts at the 8 embedding channels with the largest L1 norm over the vocabulary
  const E = arr(model.shared.weight.value);
  const embed = top(colL1(E, E.map((_, i) => i)), 8);
  assert.deepEqual(plan.embed, embed);
  assert.deepEqual(plan.encoder[0].input, embed);
  // block 0: q/k/v share the columns with the largest product of column norms over the embedding rows
  const sa0 = model.encoder.block.at(0).selfAttention.SelfAttention;
  const [q0, k0, v0] = [sa0.q, sa0.k, sa0.v].map((l) => colL1(arr(l.weight.value), embed));
  assert.deepEqual(plan.encoder[0].qkv, top(q0.map((x, j) => x * k0[j] * v0[j]), 8));
  // block 1 reads block 0's output channels; its side block holds exactly those sub-matrices
  assert.deepEqual(plan.encoder[1].input, plan.encoder[0].out);
  const ch = plan.encoder[1];
  const sb = side.encoder.side_block.get('1')!, bb = model.encoder.block.at(1);
  const sq = arr(sb.selfAttention.SelfAttention.q.weight.value), bq = arr(bb.selfAttention.SelfAttention.q.weight.value);
  ch.input.forEach((r, i) => ch.qkv.forEach((c, j) => assert.equal(sq[i][j], bq[r][c])));
  const sln = sb.selfAttention.layer_norm.weight.value.dataSync(), bln = bb.selfAttention.layer_norm.weight.value.dataSync();
  ch.input.forEach((c, i) => assert.equal(sln[i], bln[c]));
  const swo = arr(sb.ff.DenseReluDense.wo.weight.value), bwo = arr(bb.ff.DenseReluDense.wo.weight.value);
  ch.inter.forEach((r, i) => ch.out.forEach((c, j) => assert.equal(swo[i][j], bwo[r][c])));
  // decoder cross-attention keys read the encoder chain's last channels
  const dch = plan.decoder[1], sdb = side.decoder.side_block.get('1')!, bdb = model.decoder.block.at(1);
  const sk = arr(sdb.crossAttention!.EncDecAttention.k.weight.value), bk = arr(bdb.crossAttention!.EncDecAttention.k.weight.value);
  plan.encoder[3].out.forEach((r, i) => dch.crossQ!.forEach((c, j) => assert.equal(sk[i][j], bk[r][c])));
  // the side stack's position table is the backbone stack's
  assert.deepEqual(arr(sb.selfAttention.SelfAttention.relative_attention_bias!.weight.value),
    arr(model.encoder.block.at(0).selfAttention.SelfAttention.relative_attention_bias!.weight.value));
  side.dispose(); model.dispose();
});

test('greedy decoding through the side network gives the teacher-forced logits position by position', () => {
  const model = new T5Model(tiny(), 7);
  model.setTrainable(false);
  const side = buildT5Lst(model, { r: 4 }, new Rng(3));
  const ids = tf.tensor2d([[5, 6, 7, 1], [8, 9, 1, 0]], [2, 4], 'int32');
  const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]], [2, 4], 'int32');
  const labels = Int32Array.from([10, 12, 1, 11, 1, -100]);
  const dec = tf.tensor2d(shiftRight(labels, 2, 3, 0, 0), [2, 3], 'int32');
  for (const [name, decodable, forced] of [
    ['lst', sideDecodable(model, side), () => { const e = model.encode(ids, mask, EVAL); const d: T5StackOutput = model.decode(dec, e, EVAL); return side.decode(d, side.encode(e, EVAL), e.mask, EVAL); }],
    ['plain t5', t5Decodable(model), () => model.decode(dec, model.encode(ids, mask, EVAL), EVAL).last],
  ] as const) {
    const full = tf.tidy(() => model.logits(tf.reshape(forced(), [6, 32])).arraySync() as number[][]);
    const state = decodable.begin(ids, mask);
    const prefix = [[0], [0]];
    for (let t = 0; t < 3; t++) {
      const pre = tf.tensor2d(prefix.flat(), [2, t + 1], 'int32');
      const step = tf.tidy(() => decodable.next(state as never, pre).arraySync() as number[][]);
      pre.dispose();
      for (let b = 0; b < 2; b++) {
        const want = full[b * 3 + t];
        const diff = Math.max(...step[b].map((v, k) => Math.abs(v - want[k])));
        assert.ok(diff < 1e-4, `${name}: example ${b} position ${t}: max |diff| ${diff}`);
      }
      prefix.forEach((p, b) => p.push(labels[b * 3 + t] === -100 ? 0 : labels[b * 3 + t]));
    }
    decodable.end(state as never);
  }
  tf.dispose([ids, mask, dec]);
  side.dispose(); model.dispose();
});
