// UniPT's encoder-decoder variant wired to a frozen T5: only UniPT's parameters get gradients, it reads the
// HF-style hidden states (the final-normed state as each branch's guide), and greedy decoding through it reproduces
// the teacher-forced logits at every position (its decoder branch must be causal for that to hold).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { T5Model, shiftRight } from '../../src/backbones/t5/model.js';
import { T5ConfigSchema } from '../../src/backbones/t5/config.js';
import { sideDecodable, hfHiddenStates } from '../../src/backbones/t5/side.js';
import { uniptT5Side } from '../../src/tasks/glue-t5/run.js';
import { T5Seq2SeqModel } from '../../src/tasks/glue-t5/model.js';

before(async () => { await initBackend('wasm'); });

const EVAL = { training: false, rng: new Rng(0) };
const cfg = T5ConfigSchema.parse({ vocab_size: 30, d_model: 32, d_kv: 8, d_ff: 64, num_layers: 3, num_decoder_layers: 2, num_heads: 4, dropout_rate: 0 });

test('UniPT on T5: guides are the final-normed states; only UniPT trains', () => {
  const model = new T5Model(cfg, 1);
  model.setTrainable(false);
  const side = uniptT5Side(model, { downsampleFactor: 4 }, new Rng(2));
  const ids = tf.tensor2d([[5, 6, 7, 1]], [1, 4], 'int32'), mask = tf.ones([1, 4], 'int32');
  const enc = model.encode(ids, mask, EVAL);
  const hs = hfHiddenStates(enc);
  assert.equal(hs.length, cfg.num_layers + 1);
  assert.equal(hs[hs.length - 1], enc.last);
  assert.equal(hs[0], enc.hiddenStates[0]);
  const m = new T5Seq2SeqModel(model, { mode: 'side', side });
  const names = new Set(side.module.namedParameters().map(([, p]) => p.variable.name));
  const trainable = m.paramGroups().flatMap((g) => g.params);
  assert.ok(trainable.length > 0 && trainable.every((p) => names.has(p.variable.name)));
  const batch = { size: 1, ids, mask, labels: Int32Array.from([9, 1]), targetLength: 2 };
  const prepared = tf.tidy(() => m.prepare(batch, { training: true, rng: new Rng(1) }));
  const { value, grads } = tf.variableGrads(() => m.loss(batch, prepared, { training: true, rng: new Rng(1) }) as tf.Scalar, trainable.map((p) => p.variable));
  assert.ok(Number.isFinite(value.dataSync()[0]));
  assert.ok(Object.keys(grads).length > 0 && Object.keys(grads).every((k) => names.has(k)));
  tf.dispose([value, ...Object.values(grads), ...prepared, ...enc.hiddenStates, enc.last, enc.mask, ids, mask]);
  m.dispose();
});

test('UniPT on T5: greedy decoding gives the teacher-forced logits position by position', () => {
  const model = new T5Model(cfg, 3);
  model.setTrainable(false);
  const side = uniptT5Side(model, { downsampleFactor: 4 }, new Rng(4));
  const ids = tf.tensor2d([[5, 6, 7, 1], [8, 9, 1, 0]], [2, 4], 'int32');
  const mask = tf.tensor2d([[1, 1, 1, 1], [1, 1, 1, 0]], [2, 4], 'int32');
  const labels = Int32Array.from([10, 12, 14, 1, 11, 1, -100, -100]);
  const Td = 4;
  const dec = tf.tensor2d(shiftRight(labels, 2, Td, 0, 0), [2, Td], 'int32');
  const full = tf.tidy(() => {
    const e = model.encode(ids, mask, EVAL);
    const y = side.decode(model.decode(dec, e, EVAL), side.encode(e, EVAL), e.mask, EVAL);
    return model.logits(tf.reshape(y, [2 * Td, 32])).arraySync() as number[][];
  });
  const d = sideDecodable(model, side);
  const state = d.begin(ids, mask);
  const prefix = [[0], [0]];
  for (let t = 0; t < Td; t++) {
    const pre = tf.tensor2d(prefix.flat(), [2, t + 1], 'int32');
    const step = tf.tidy(() => d.next(state, pre).arraySync() as number[][]);
    pre.dispose();
    for (let b = 0; b < 2; b++) {
      const want = full[b * Td + t];
      const diff = Math.max(...step[b].map((v, k) => Math.abs(v - want[k])));
      assert.ok(diff < 1e-4, `example ${b} position ${t}: max |diff| ${diff}`);
    }
    prefix.forEach((p, b) => p.push(Math.max(0, labels[b * Td + t])));
  }
  d.end(state);
  tf.dispose([ids, mask, dec]);
  side.module.dispose(); model.dispose();
});
