import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { setOpsMode, startSaveTrace, stopSaveTrace } from '../../src/engine/ops/index.js';
import { TextEncoder } from '../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema, type TextEncoderConfig } from '../../src/backbones/text/config.js';
import { MlmHead, tiedDecoder } from '../../src/backbones/text/mlm-head.js';
import { maskTokens, mlmLr, mlmLogits, packedCorpus, pretrainMlm, type MlmCorpus } from '../../src/backbones/text/pretrain.js';
import { crossEntropy } from '../../src/train/losses.js';
import { toyCorpus } from './toy-corpus.js';

before(async () => { await initBackend('wasm'); });

const special = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };

function tinyConfig(vocab: number, extra: Record<string, unknown> = {}): TextEncoderConfig {
  return TextEncoderConfigSchema.parse({
    model_type: 'bert', vocab_size: vocab, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 64,
    max_position_embeddings: 16, hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, ...extra,
  });
}

test('BERT masking: 15% of real non-special tokens; 80% [MASK], 10% random non-special, 10% unchanged', () => {
  const B = 64, T = 64, V = 50;
  const rng = new Rng(3);
  const ids = new Int32Array(B * T), mask = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    const len = 8 + rng.int(T - 8);
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (t >= len) { ids[i] = special.pad; continue; }
      mask[i] = 1;
      ids[i] = t === 0 ? special.cls : t === len - 1 ? special.sep : rng.next() < 0.05 ? special.unk : 5 + rng.int(V - 5);
    }
  }
  const m = maskTokens({ ids, mask }, special, V, new Rng(9));
  const eligible = Array.from(ids).filter((id, i) => mask[i] && id >= 5).length;
  const chosen = new Set(m.positions);
  assert.equal(chosen.size, m.positions.length, 'no position twice');
  const rate = m.positions.length / eligible;
  assert.ok(Math.abs(rate - 0.15) < 0.025, `selected ${rate}`);
  let masked = 0, same = 0, random = 0;
  m.positions.forEach((p, j) => {
    assert.equal(m.labels[j], ids[p], 'the label is the original token');
    assert.ok(mask[p] === 1 && ids[p] >= 5, 'only real, non-special tokens are selected');
    if (m.ids[p] === special.mask) masked++;
    else if (m.ids[p] === ids[p]) same++;
    else { random++; assert.ok(m.ids[p] >= 5 && m.ids[p] < V, 'a random replacement is a non-special token'); }
  });
  const n = m.positions.length;
  assert.ok(Math.abs(masked / n - 0.8) < 0.05, `[MASK] ${masked / n}`);
  assert.ok(Math.abs(random / n - 0.1) < 0.04, `random ${random / n}`);
  assert.ok(Math.abs(same / n - 0.1) < 0.04, `unchanged ${same / n}`);
  for (let i = 0; i < ids.length; i++) if (!chosen.has(i)) assert.equal(m.ids[i], ids[i]);
  // at least one target even when the draw selects none; none possible is an error
  const one = maskTokens({ ids: Int32Array.from([2, 7, 8, 3]), mask: Int32Array.from([1, 1, 1, 1]) }, special, V, new Rng(1), 0);
  assert.equal(one.positions.length, 1);
  assert.throws(() => maskTokens({ ids: Int32Array.from([2, 3, 0]), mask: Int32Array.from([1, 1, 0]) }, special, V, new Rng(1)), /no maskable token/);
});

test('learning rate: linear warm-up, then linear decay to zero (hand-computed)', () => {
  const got = Array.from({ length: 10 }, (_, s) => mlmLr(s, 10, 1, 4));
  const want = [0.25, 0.5, 0.75, 1, 1, 5 / 6, 4 / 6, 3 / 6, 2 / 6, 1 / 6];
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) < 1e-12, `step ${i}: ${g} vs ${want[i]}`));
  assert.equal(mlmLr(0, 10, 2, 0), 2);
});

test('tiedDecoder equals h Eᵀ + b with the gradients of plain autograd, saving only h and E', () => {
  const rng = new Rng(4);
  const rnd = (shape: number[]) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
  const h = rnd([5, 6]), E = rnd([9, 6]), b = rnd([9]), w = rnd([5, 9]);
  const f = (g: (h: tf.Tensor, E: tf.Tensor, b: tf.Tensor) => tf.Tensor) => tf.grads((hh, ee, bb) => tf.sum(tf.mul(g(hh, ee, bb), w)));
  startSaveTrace();
  const y = tiedDecoder(h, E, b);
  const lean = f(tiedDecoder)([h, E, b]);
  const trace = stopSaveTrace();
  const ref = tf.add(tf.matMul(h, E, false, true), b);
  const plain = f((hh, ee, bb) => tf.add(tf.matMul(hh, ee, false, true), bb))([h, E, b]);
  assert.ok(tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0] < 1e-5);
  lean.forEach((g, i) => assert.ok(tf.max(tf.abs(tf.sub(g, plain[i]))).dataSync()[0] < 1e-5, `gradient ${i}`));
  assert.deepEqual(trace.filter((r) => r.op === 'tiedDecoder').map((r) => r.names), [['h', 'E'], ['h', 'E']]);
  tf.dispose([h, E, b, w, y, ref, ...lean, ...plain]);
});

test('the MLM loss and every gradient match a plain-autograd reference (tied decoder into the word embeddings)', () => {
  const corpus = toyCorpus(8, 4);
  const config = tinyConfig(corpus.vocabSize, { hidden_size: 16, intermediate_size: 24, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 });
  const enc = new TextEncoder(config, 1), head = new MlmHead(config, 2);
  const rng = new Rng(5);
  for (const m of [enc, head]) for (const [, p] of m.namedParameters()) {
    tf.tidy(() => p.assign(tf.tensor(Float32Array.from({ length: p.size }, () => 0.3 * rng.normal() + (p.role === 'norm' ? 1 : 0)), p.shape)));
  }
  const named = [...enc.namedParameters().filter(([n]) => !n.startsWith('pooler.')), ...head.namedParameters().map(([n, p]) => [`head.${n}`, p] as const)];
  const b = corpus.sample(rng, 4, 16);
  const m = maskTokens(b, corpus.special, corpus.vocabSize, rng, 0.3);
  const p = { ids: tf.tensor2d(m.ids, [4, 16], 'int32'), mask: tf.tensor2d(b.mask, [4, 16], 'int32'), typeIds: null, positions: tf.tensor1d(m.positions, 'int32') };
  const labels = tf.tensor1d(m.labels, 'int32');
  const ctx = { training: true, rng: new Rng(0) };
  const vars = named.map(([, q]) => q.variable);
  const lean = tf.variableGrads(() => crossEntropy(mlmLogits(enc, head, p, ctx), labels) as tf.Scalar, vars);
  setOpsMode('plain');
  let plain: ReturnType<typeof tf.variableGrads>;
  try {
    plain = tf.variableGrads(() => {
      const out = enc.forward({ ids: p.ids, mask: p.mask }, ctx);
      const sel = tf.gather(tf.reshape(out.last, [64, 16]), p.positions);
      const t = head.transform;
      const x = tf.add(tf.matMul(sel, t.dense.weight.value), t.dense.bias!.value);
      const g = tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
      const { mean, variance } = tf.moments(g, -1, true);
      const ln = tf.add(tf.mul(tf.mul(tf.sub(g, mean), tf.rsqrt(tf.add(variance, config.layer_norm_eps))), t.LayerNorm.weight.value), t.LayerNorm.bias.value);
      const logits = tf.add(tf.matMul(ln, enc.embeddings.word_embeddings.weight.value, false, true), head.bias.value);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, corpus.vocabSize), logits) as tf.Scalar;
    }, vars);
  } finally { setOpsMode('lean'); }
  assert.ok(Math.abs(lean.value.dataSync()[0] - plain.value.dataSync()[0]) < 1e-5);
  for (const [n, q] of named) {
    const a = lean.grads[q.variable.name], c = plain.grads[q.variable.name];
    assert.ok(a && c, `gradient of ${n}`);
    const scale = Math.max(1e-3, tf.max(tf.abs(c)).dataSync()[0]);
    const d = tf.max(tf.abs(tf.sub(a, c))).dataSync()[0];
    assert.ok(d / scale < 1e-3, `${n}: max |diff| ${d} (scale ${scale})`);
  }
  tf.dispose([lean.value, plain.value, ...Object.values(lean.grads), ...Object.values(plain.grads), p.ids, p.mask, p.positions, labels]);
  enc.dispose(); head.dispose();
});

test('trailing padding does not change real tokens\' hidden states (why batches are trimmed)', () => {
  const config = tinyConfig(20);
  const enc = new TextEncoder(config, 3);
  const ctx = { training: false, rng: new Rng(0) };
  const run = (T: number) => tf.tidy(() => {
    const row = [2, 7, 9, 11, 3], ids = [...row, ...new Array(T - row.length).fill(0)], mask = ids.map((_, i) => (i < row.length ? 1 : 0));
    const out = enc.forward({ ids: tf.tensor2d([ids], [1, T], 'int32'), mask: tf.tensor2d([mask], [1, T], 'int32') }, ctx);
    return Array.from(tf.slice(out.last, [0, 0, 0], [1, row.length, 32]).dataSync());
  });
  const a = run(5), b = run(16);
  assert.ok(a.every((v, i) => Math.abs(v - b[i]) < 1e-6));
  enc.dispose();
});

/** Entropy (nats) of the maskable tokens' frequencies: the best loss without using position or context. */
function unigramEntropy(corpus: MlmCorpus, maxLength: number): number {
  const b = corpus.sample(new Rng(123), 4000, maxLength);
  const counts = new Map<number, number>();
  let n = 0;
  for (let i = 0; i < b.ids.length; i++) if (b.mask[i] && b.ids[i] >= 5) { counts.set(b.ids[i], (counts.get(b.ids[i]) ?? 0) + 1); n++; }
  let h = 0;
  for (const c of counts.values()) h -= (c / n) * Math.log(c / n);
  return h;
}

test('pretraining lowers the MLM loss on the toy corpus, and the same seed gives identical weights', () => {
  const corpus = toyCorpus(8, 4);
  const config = tinyConfig(corpus.vocabSize);
  const progress: number[] = [];
  const opts = { config, seed: 7, steps: 100, batchSize: 8, maxLength: 16, lr: 5e-3, warmup: 6, corpus, evalBatches: 8, progressEvery: 50, onProgress: (p: { step: number }) => progress.push(p.step) };
  const a = pretrainMlm(opts);
  assert.deepEqual(progress, [50, 100]);
  assert.equal(a.losses.length, 100);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const first = mean(a.losses.slice(0, 10)), last = mean(a.losses.slice(-10));
  assert.ok(Math.abs(a.initialHeldoutLoss - Math.log(corpus.vocabSize)) < 0.3, `held-out loss at init ${a.initialHeldoutLoss} is near ln V = ${Math.log(corpus.vocabSize)}`);
  assert.ok(last < first - 0.25, `loss falls: first 10 steps ${first}, last 10 ${last}`);
  const h1 = unigramEntropy(corpus, 16);
  assert.ok(a.heldoutLoss < h1, `held-out loss ${a.heldoutLoss} beats token frequencies alone (${h1} nats): the model uses position/context`);
  assert.ok(a.accuracy >= 0 && a.accuracy <= 1);
  assert.ok(a.stepsPerSecond > 0);

  const b = pretrainMlm({ ...opts, onProgress: undefined });
  assert.deepEqual(b.losses, a.losses);
  for (const [x, y] of [[a.encoder, b.encoder], [a.mlmHead, b.mlmHead]] as const) {
    const ya = new Map(y.namedParameters());
    for (const [n, p] of x.namedParameters()) assert.deepEqual(p.value.dataSync(), ya.get(n)!.value.dataSync(), n);
  }
  assert.equal(b.accuracy, a.accuracy);
  const c = pretrainMlm({ ...opts, seed: 8, steps: 3, onProgress: undefined });
  assert.notDeepEqual(c.losses, a.losses.slice(0, 3));
  for (const r of [a, b, c]) { r.encoder.dispose(); r.mlmHead.dispose(); }
});

test('pretraining rejects a corpus or configuration that does not fit', () => {
  const corpus = toyCorpus(8, 4);
  const base = { seed: 1, steps: 2, batchSize: 2, maxLength: 16, lr: 1e-3, warmup: 0, corpus, evalBatches: 0 };
  const before = tf.memory().numTensors;
  assert.throws(() => pretrainMlm({ ...base, config: tinyConfig(corpus.vocabSize + 1) }), /config\.vocab_size 30 differs from the corpus vocabulary 29/);
  assert.throws(() => pretrainMlm({ ...base, config: tinyConfig(corpus.vocabSize), maxLength: 17 }), /maxLength 17 exceeds what the position table covers \(16\)/);
  const bad: MlmCorpus = { ...corpus, sample: (rng, B, T) => ({ ...corpus.sample(rng, B, T), mask: new Int32Array(3) }) };
  assert.throws(() => pretrainMlm({ ...base, config: tinyConfig(corpus.vocabSize), corpus: bad }), /corpus\.sample returned mask of length 3; expected batchSize x maxLength = 32/);
  const oov: MlmCorpus = { ...corpus, sample: (rng, B, T) => { const s = corpus.sample(rng, B, T); s.ids[5] = 99; return s; } };
  assert.throws(() => pretrainMlm({ ...base, config: tinyConfig(corpus.vocabSize), corpus: oov }), /token id 99 at 5, outside the vocabulary \[0, 29\)/);
  const badHeld: MlmCorpus = { ...corpus, sample: () => { throw new Error('corpus broke'); } };
  assert.throws(() => pretrainMlm({ ...base, config: tinyConfig(corpus.vocabSize), corpus: badHeld, evalBatches: 1 }), /corpus broke/);
  assert.equal(tf.memory().numTensors, before, 'a failed run frees its model and optimiser');
});

test('packedCorpus fills rows with whole sequences, each keeping its [CLS] ... [SEP], in the inner order', () => {
  const inner = toyCorpus(8, 4);
  const T = 16, B = 6;
  // the inner stream the packer sees: the same Rng seed, consumed the same way
  const packed = packedCorpus(inner).sample(new Rng(2), B, T);
  const ref = new Rng(2);
  const seqs: number[][] = [];
  const want: number[][] = [];
  let row: number[] = [];
  while (want.length < B) {
    if (!seqs.length) {
      const b = inner.sample(ref, B, T);
      for (let r = 0; r < B; r++) seqs.push(Array.from(b.ids.slice(r * T, (r + 1) * T)).filter((_, t) => b.mask[r * T + t]));
    }
    if (row.length + seqs[0].length > T) { want.push(row); row = []; continue; }
    row.push(...seqs.shift()!);
  }
  const got = Array.from({ length: B }, (_, r) => Array.from(packed.ids.slice(r * T, (r + 1) * T)).filter((_, t) => packed.mask[r * T + t]));
  assert.deepEqual(got, want);
  for (let r = 0; r < B; r++) {
    const n = got[r].length;
    assert.ok(got[r][0] === inner.special.cls && got[r][n - 1] === inner.special.sep);
    for (let t = n; t < T; t++) assert.equal(packed.ids[r * T + t], inner.special.pad);
  }
  const share = (b: { mask: Int32Array }) => b.mask.reduce((s, m) => s + m, 0) / b.mask.length;
  const [pk, pl] = [packedCorpus(inner).sample(new Rng(3), 64, 32), inner.sample(new Rng(3), 64, 32)];
  assert.ok(share(pk) > share(pl) + 0.2, `packing leaves less padding: ${share(pk)} vs ${share(pl)} of positions hold tokens`);
});
