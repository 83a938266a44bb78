// Each lean primitive keeps exactly its documented saved set for the backward pass, checked two ways on wasm:
//  1. the save trace (names recorded by tracedSave) equals the exported constant;
//  2. independently of the trace, the unique-buffer tracker measures what the tape keeps alive when the backward
//     pass starts. A sentinel op applied last records liveBytes in its gradFunc (the first gradient to run); the
//     difference from before the forward must equal the output (the sentinel's own fresh copy of it, the only
//     "loss" bookkeeping since dy is passed in) plus the documented saved tensors that are not otherwise alive.
// Each case runs twice: with leaf inputs (alive anyway, so saving them costs nothing: saved tensors are clones
// sharing buffers; on wasm only since initBackend registers a sharing Identity kernel, see
// src/engine/kernels/identity-share.ts), and with every input first copied by a "fresh" op, so that every saved
// tensor costs its bytes.
// The sentinel writes a new buffer, so an op output that nothing saves dies with the forward tidy: an op that saved
// its own output, an extra intermediate, or put a saving kernel on the tape outside its custom gradient, fails.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { installTracker, type BufferTracker } from '../../src/engine/memory/tracker.js';
import { extraCopies } from '../../src/engine/memory/extra-copies.js';
import { startSaveTrace, stopSaveTrace, customGrad, type SaveRecord } from '../../src/engine/ops/trace.js';
import { linear, frozenLinear, LINEAR_SAVES, FROZEN_LINEAR_SAVES } from '../../src/engine/ops/linear.js';
import {
  layerNorm, addLayerNorm, rmsNorm, frozenLayerNorm, frozenAddLayerNorm, frozenRmsNorm,
  LAYER_NORM_SAVES, ADD_LAYER_NORM_SAVES, RMS_NORM_SAVES, FROZEN_LAYER_NORM_SAVES, FROZEN_ADD_LAYER_NORM_SAVES, FROZEN_RMS_NORM_SAVES,
} from '../../src/engine/ops/norm.js';
import { gelu, geluTanh, quickGelu, relu, softmax, GELU_SAVES, RELU_SAVES, SOFTMAX_SAVES } from '../../src/engine/ops/activation.js';
import { dropout, DROPOUT_SAVES } from '../../src/engine/ops/dropout.js';
import { attention, splitHeads, mergeHeads, ATTENTION_SAVES, ATTENTION_SAVES_DROPOUT, HEADS_SAVES } from '../../src/engine/ops/attention.js';
import { embedding, EMBEDDING_SAVES } from '../../src/engine/ops/embedding.js';
import { conv2d, CONV2D_SAVES, FROZEN_CONV2D_SAVES } from '../../src/engine/ops/conv.js';
import { batchNormTrain, batchNormInference, BATCH_NORM_SAVES, BATCH_NORM_INFERENCE_SAVES, FROZEN_BATCH_NORM_SAVES } from '../../src/engine/ops/batchnorm.js';
import { randn } from './support/tensors.js';

const F = 4;   // bytes per float32 / int32 element
const BOOL = 1; // wasm stores bool tensors as one byte per element
const rng = new Rng(99);
const r = (shape: number[]) => randn(shape, rng);
let tracker: BufferTracker;

/** Where a documented saved tensor's buffer comes from. */
type Origin = { input: number } | 'const' | 'new';
interface Saved { name: string; bytes: number; from: Origin }
interface Case {
  name: string;
  inputs: Tensor[];
  op: (...xs: Tensor[]) => Tensor;
  /** Expected trace: one record per primitive call. */
  trace: { op: string; names: readonly string[] }[];
  saved: Saved[];
}

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
const inp = (name: string, shape: number[], input: number): Saved => ({ name, bytes: size(shape) * F, from: { input } });
const made = (name: string, bytes: number): Saved => ({ name, bytes, from: 'new' });

/** Copies its input into a new buffer; saves nothing; gradient = dy. */
const fresh = customGrad((x: Tensor) => ({
  value: x.dtype === 'float32' ? tf.mul(x, 1) : tf.mul(x, tf.scalar(1, x.dtype)),
  gradFunc: (dy: Tensor) => dy.clone(),
})) as (x: Tensor) => Tensor;

let seenAtBackward: number | null = null;
/** Identity into a new buffer; its gradient, the first to run, records the live bytes the tape holds. */
const sentinel = customGrad((y: Tensor) => ({
  value: tf.mul(y, 1),
  gradFunc: (dy: Tensor) => { seenAtBackward = tracker.liveBytes; return dy.clone(); },
})) as (y: Tensor) => Tensor;

interface Measured { delta: number; trace: SaveRecord[]; leaked: number }

function measure(c: Case, freshInputs: boolean): Measured {
  const y0 = tf.tidy(() => c.op(...c.inputs));
  const dy = r(y0.shape as number[]);
  y0.dispose();
  const copies0 = extraCopies.bytes;
  const before = tracker.liveBytes;
  seenAtBackward = null;
  startSaveTrace();
  const grads = tf.grads((...xs: Tensor[]) => sentinel(c.op(...(freshInputs ? xs.map((x) => fresh(x)) : xs))))(c.inputs, dy);
  const trace = stopSaveTrace();
  tf.dispose(grads);
  // frozenLinear makes its pre-transposed weight once, in its first backward pass (an accounted extra copy)
  const leaked = tracker.liveBytes - before - (extraCopies.bytes - copies0);
  dy.dispose();
  assert.notEqual(seenAtBackward, null, `${c.name}: the sentinel's gradient never ran`);
  return { delta: seenAtBackward! - before, trace, leaked };
}

const bytesOfRecord = (rec: SaveRecord) => rec.shapes.reduce((a, s, i) => a + size(s) * (rec.dtypes[i] === 'bool' ? BOOL : F), 0);

function check(c: Case): void {
  const outBytes = tf.tidy(() => { const y = c.op(...c.inputs); return y.size * F; });
  for (const freshInputs of [false, true]) {
    const mode = freshInputs ? 'fresh inputs' : 'leaf inputs';
    const m = measure(c, freshInputs);
    assert.deepEqual(m.trace.map((t) => ({ op: t.op, names: t.names })), c.trace.map((t) => ({ op: t.op, names: [...t.names] })),
      `${c.name} (${mode}): save trace differs from the documented set`);
    assert.equal(m.trace.reduce((a, t) => a + bytesOfRecord(t), 0), c.saved.reduce((a, s) => a + s.bytes, 0),
      `${c.name}: the traced saved tensors' sizes differ from the documented sizes`);
    const costs = (s: Saved) => s.from === 'new' || (freshInputs && typeof s.from === 'object');
    const expected = outBytes + c.saved.filter(costs).reduce((a, s) => a + s.bytes, 0);
    assert.equal(m.delta, expected,
      `${c.name} (${mode}): the tape holds ${m.delta} bytes at the start of backward, documented set + output = ${expected} ` +
      `(${c.saved.filter(costs).map((s) => `${s.name} ${s.bytes}`).join(', ') || 'nothing saved'}; output ${outBytes})`);
    assert.equal(m.leaked, 0, `${c.name} (${mode}): ${m.leaked} bytes stayed alive after the gradients were disposed`);
  }
}

before(async () => {
  await initBackend('wasm');
  tracker = installTracker('wasm-malloc');
});

test('linear and frozenLinear (2-D and 3-D inputs, trainable bias)', () => {
  const W = r([8, 5]), b = r([5]);
  for (const xs of [[6, 8], [2, 3, 8]]) {
    check({ name: `linear x[${xs}]`, inputs: [r(xs), W, b], op: (x, w, bb) => linear(x, w, bb),
      trace: [{ op: 'linear', names: LINEAR_SAVES }], saved: [inp('x', xs, 0), inp('W', [8, 5], 1)] });
    check({ name: `linear no bias x[${xs}]`, inputs: [r(xs), W], op: (x, w) => linear(x, w),
      trace: [{ op: 'linear', names: LINEAR_SAVES }], saved: [inp('x', xs, 0), inp('W', [8, 5], 1)] });
    check({ name: `frozenLinear x[${xs}]`, inputs: [r(xs)], op: (x) => frozenLinear(x, W, b),
      trace: [{ op: 'frozenLinear', names: FROZEN_LINEAR_SAVES }], saved: [] });
    check({ name: `frozenLinear trainable bias x[${xs}]`, inputs: [r(xs), b], op: (x, bb) => frozenLinear(x, W, bb, true),
      trace: [{ op: 'frozenLinear', names: FROZEN_LINEAR_SAVES }], saved: [] });
  }
});

test('norms: layerNorm, addLayerNorm, rmsNorm and their frozen variants', () => {
  const [R, D] = [6, 8];
  const g = r([D]), b = r([D]);
  const rowStat = (n: string) => made(n, R * F);
  check({ name: 'layerNorm', inputs: [r([R, D]), g, b], op: (x, gg, bb) => layerNorm(x, gg, bb),
    trace: [{ op: 'layerNorm', names: LAYER_NORM_SAVES }], saved: [inp('x', [R, D], 0), rowStat('mean'), rowStat('rstd'), inp('gamma', [D], 1)] });
  check({ name: 'addLayerNorm', inputs: [r([R, D]), r([R, D]), g, b], op: (x, res, gg, bb) => addLayerNorm(x, res, gg, bb),
    trace: [{ op: 'addLayerNorm', names: ADD_LAYER_NORM_SAVES }], saved: [made('x_plus_r', R * D * F), rowStat('mean'), rowStat('rstd'), inp('gamma', [D], 2)] });
  check({ name: 'rmsNorm', inputs: [r([R, D]), g], op: (x, gg) => rmsNorm(x, gg),
    trace: [{ op: 'rmsNorm', names: RMS_NORM_SAVES }], saved: [inp('x', [R, D], 0), rowStat('rstd'), inp('gamma', [D], 1)] });
  check({ name: 'frozenLayerNorm', inputs: [r([R, D])], op: (x) => frozenLayerNorm(x, g, b),
    trace: [{ op: 'frozenLayerNorm', names: FROZEN_LAYER_NORM_SAVES }], saved: [inp('x', [R, D], 0), rowStat('mean'), rowStat('rstd')] });
  check({ name: 'frozenAddLayerNorm', inputs: [r([R, D]), r([R, D])], op: (x, res) => frozenAddLayerNorm(x, res, g, b),
    trace: [{ op: 'frozenAddLayerNorm', names: FROZEN_ADD_LAYER_NORM_SAVES }], saved: [made('x_plus_r', R * D * F), rowStat('mean'), rowStat('rstd')] });
  check({ name: 'frozenRmsNorm', inputs: [r([R, D])], op: (x) => frozenRmsNorm(x, g),
    trace: [{ op: 'frozenRmsNorm', names: FROZEN_RMS_NORM_SAVES }], saved: [inp('x', [R, D], 0), rowStat('rstd')] });
});

test('activations and dropout', () => {
  const s = [4, 6];
  for (const [name, f] of [['gelu', gelu], ['geluTanh', geluTanh], ['quickGelu', quickGelu]] as const) {
    check({ name, inputs: [r(s)], op: f, trace: [{ op: name, names: GELU_SAVES }], saved: [inp('x', s, 0)] });
  }
  check({ name: 'relu', inputs: [r(s)], op: relu, trace: [{ op: 'relu', names: RELU_SAVES }], saved: [made('y', size(s) * F)] });
  check({ name: 'softmax', inputs: [r(s)], op: softmax, trace: [{ op: 'softmax', names: SOFTMAX_SAVES }], saved: [made('y', size(s) * F)] });
  check({ name: 'dropout', inputs: [r(s)], op: (x) => dropout(x, 0.5, new Rng(3)),
    trace: [{ op: 'dropout', names: DROPOUT_SAVES }], saved: [made('mask', size(s) * BOOL)] });
});

test('attention (mask, trainable bias, dropout) and the head layout helpers', () => {
  const [B, H, T, d] = [2, 2, 4, 8];
  const qs = [B, H, T, d], P = B * H * T * T;
  const mask = tf.tensor([0, 0, 0, 0, 0, 0, -1e9, -1e9], [B, 1, 1, T]);
  const qkv = () => [r(qs), r(qs), r(qs)];
  const base = [inp('q', qs, 0), inp('k', qs, 1), inp('v', qs, 2), made('p', P * F)];
  check({ name: 'attention+mask', inputs: qkv(), op: (q, k, v) => attention(q, k, v, { mask }),
    trace: [{ op: 'attention', names: ATTENTION_SAVES }], saved: base });
  check({ name: 'attention+bias', inputs: [...qkv(), r([1, H, T, T])], op: (q, k, v, bb) => attention(q, k, v, { mask, scale: 1 }, bb),
    trace: [{ op: 'attention', names: ATTENTION_SAVES }], saved: base });
  check({ name: 'attention+dropout', inputs: qkv(), op: (q, k, v) => attention(q, k, v, { mask, dropoutRate: 0.2, rng: new Rng(1) }),
    trace: [{ op: 'attention', names: ATTENTION_SAVES_DROPOUT }], saved: [...base, made('mask', P * BOOL)] });
  check({ name: 'attention+bias+dropout', inputs: [...qkv(), r([1, H, T, T])],
    op: (q, k, v, bb) => attention(q, k, v, { mask, dropoutRate: 0.2, rng: new Rng(2) }, bb),
    trace: [{ op: 'attention', names: ATTENTION_SAVES_DROPOUT }], saved: [...base, made('mask', P * BOOL)] });
  check({ name: 'splitHeads', inputs: [r([B * T, H * d])], op: (x) => splitHeads(x, B, T, H), trace: [{ op: 'splitHeads', names: HEADS_SAVES }], saved: [] });
  check({ name: 'mergeHeads', inputs: [r(qs)], op: (x) => mergeHeads(x), trace: [{ op: 'mergeHeads', names: HEADS_SAVES }], saved: [] });
});

test('embedding: only the ids (alive anyway) are kept', () => {
  const ids = tf.tensor([[1, 4, 4], [0, 2, 6]], [2, 3], 'int32');
  check({ name: 'embedding', inputs: [r([7, 5])], op: (t) => embedding(t, ids),
    trace: [{ op: 'embedding', names: EMBEDDING_SAVES }], saved: [{ name: 'ids', bytes: 6 * F, from: 'const' }] });
});

test('conv2d (groups 1 and 2, trainable and frozen filter)', () => {
  for (const groups of [1, 2]) {
    const xs = [2, 5, 5, 4], ws = [3, 3, 4 / groups, 6];
    const W = r(ws);
    const opts = { stride: 1, pad: 'same' as const, groups };
    check({ name: `conv2d groups ${groups}`, inputs: [r(xs), W], op: (x, w) => conv2d(x, w, opts, true),
      trace: [{ op: 'conv2d', names: CONV2D_SAVES }], saved: [inp('x', xs, 0), inp('W', ws, 1)] });
    check({ name: `frozen conv2d groups ${groups}`, inputs: [r(xs)], op: (x) => conv2d(x, W, opts, false),
      trace: [{ op: 'frozenConv2d', names: FROZEN_CONV2D_SAVES }], saved: [] });
  }
});

test('batch norm: training statistics, running statistics with trainable and frozen affine', () => {
  const xs = [2, 3, 3, 4], C = 4;
  const g = r([C]), b = r([C]), rm = r([C]), rv = tf.tidy(() => tf.add(tf.abs(r([C])), 0.5));
  check({ name: 'batchNormTrain', inputs: [r(xs), g, b], op: (x, gg, bb) => batchNormTrain(x, gg, bb).y,
    trace: [{ op: 'batchNorm', names: BATCH_NORM_SAVES }], saved: [inp('x', xs, 0), made('mean', C * F), made('rstd', C * F), inp('gamma', [C], 1)] });
  check({ name: 'batchNormInference', inputs: [r(xs), g, b], op: (x, gg, bb) => batchNormInference(x, gg, bb, rm, rv),
    trace: [{ op: 'batchNormInference', names: BATCH_NORM_INFERENCE_SAVES }], saved: [inp('x', xs, 0), inp('gamma', [C], 1)] });
  check({ name: 'batchNormInference frozen affine', inputs: [r(xs)], op: (x) => batchNormInference(x, g, b, rm, rv, 1e-5, false),
    trace: [{ op: 'frozenBatchNorm', names: FROZEN_BATCH_NORM_SAVES }], saved: [] });
});

test('the measurement catches an op that saves one activation more than it documents', () => {
  // gelu that also saves its output: the trace still says ['x'] (the extra save bypasses tracedSave), the bytes do not
  const leaky = customGrad((x: Tensor, save: tf.GradSaveFunc) => {
    const y = gelu(x);
    save([x, y]);
    return { value: y, gradFunc: (dy: Tensor) => dy.clone() };
  }) as (x: Tensor) => Tensor;
  assert.throws(() => check({ name: 'leaky gelu', inputs: [r([4, 6])], op: leaky, trace: [{ op: 'gelu', names: GELU_SAVES }], saved: [inp('x', [4, 6], 0)] }),
    /the tape holds (\d+) bytes at the start of backward, documented set \+ output = \d+/);
  const m = measure({ name: 'leaky gelu', inputs: [r([4, 6])], op: leaky, trace: [], saved: [] }, false);
  assert.equal(m.delta, 2 * 24 * F, 'extra saved output should cost exactly one more output-sized buffer');
});
