// The lean conv2d's filter gradient (src/engine/ops/conv.ts: im2col of long-run slices, one matmul; groups split by
// a transpose) against TensorFlow.js's own conv2d gradient (Conv2DBackpropFilter, cpu backend: wasm has none), over
// strides 1-3, 'same' / 'valid' / pixel padding, odd sizes and 1-3 groups; output and input gradient against
// tf.conv2d on wasm; and the backward pass no longer runs the slow wasm kernels (StridedSlice, SplitV).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { conv2d, plainConv2d, type Conv2dOptions } from '../../src/engine/ops/conv.js';
import { randnSeeded as randn } from './support/tensors.js';

await initBackend('wasm');


/** max |a - b| / max(1, max |b|) */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0, m = 1;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return Number.isFinite(d) ? d / m : Infinity;
}

const CASES: [number[], number[], Conv2dOptions][] = [
  [[2, 8, 8, 3], [3, 3, 3, 4], { stride: 1, pad: 'same' }],
  [[2, 9, 7, 3], [3, 3, 3, 5], { stride: 2, pad: 'same' }],
  [[2, 8, 8, 4], [3, 3, 4, 4], { stride: 2, pad: 1 }],
  [[1, 7, 5, 2], [2, 3, 2, 2], { stride: 2, pad: 1 }],
  [[2, 11, 10, 3], [5, 4, 3, 2], { stride: 3, pad: 'valid' }],
  [[2, 10, 10, 5], [3, 3, 5, 4], { stride: 3, pad: 'same' }],
  [[2, 8, 8, 6], [1, 1, 6, 4], { stride: 2, pad: 'same' }],
  [[2, 6, 6, 6], [1, 1, 6, 3], { stride: 1, pad: 'valid' }],
  [[2, 6, 6, 8], [3, 3, 4, 6], { stride: 1, pad: 1, groups: 2 }],
  [[2, 9, 9, 8], [3, 3, 4, 6], { stride: 2, pad: 1, groups: 2 }],
  [[1, 9, 7, 12], [3, 2, 4, 9], { stride: 2, pad: 'same', groups: 3 }],
  [[2, 5, 5, 4], [3, 3, 2, 6], { stride: 1, pad: 'valid', groups: 2 }],
];

test('conv2d filter gradient (wasm) equals tf.conv2d\'s own gradient (cpu Conv2DBackpropFilter); output and dx equal tf.conv2d on wasm', async () => {
  const pending: { label: string; x: Tensor; W: Tensor; dy: Tensor; opts: Conv2dOptions; dW: Float32Array }[] = [];
  CASES.forEach(([xs, ws, opts], k) => {
    const label = `x [${xs}] W [${ws}] ${JSON.stringify(opts)}`;
    const x = randn(xs, 10 + k), W = randn(ws, 50 + k, 0.5);
    const y = conv2d(x, W, opts);
    const dy = randn(y.shape as number[], 90 + k);
    const [dx, dW] = tf.grads((a: Tensor, w: Tensor) => tf.sum(tf.mul(conv2d(a, w, opts), dy)))([x, W]);
    const yRef = plainConv2d(x, W, opts);
    const dxRef = tf.grad((a: Tensor) => tf.sum(tf.mul(plainConv2d(a, W, opts), dy)))(x);
    assert.ok(relDiff(y.dataSync(), yRef.dataSync()) <= 1e-6, `${label}: outputs differ`);
    assert.ok(relDiff(dx.dataSync(), dxRef.dataSync()) <= 1e-6, `${label}: input gradients differ`);
    pending.push({ label, x, W, dy, opts, dW: dW.dataSync() as Float32Array });
    tf.dispose([y, dx, dW, yRef, dxRef]);
  });
  await initBackend('cpu');
  try {
    for (const p of pending) {
      const ref = tf.grad((w: Tensor) => tf.sum(tf.mul(plainConv2d(p.x, w, p.opts), p.dy)))(p.W).dataSync();
      const d = relDiff(p.dW, ref);
      assert.ok(d <= 1e-5, `${p.label}: filter gradient differs from tf's by ${d}`);
      // the comparison can fail: the filter gradient for a shifted dy is different
      const other = tf.grad((w: Tensor) => tf.sum(tf.mul(plainConv2d(p.x, w, p.opts), tf.reverse(p.dy, 1))))(p.W).dataSync();
      assert.ok(relDiff(p.dW, other) > 1e-3, `${p.label}: a wrong dy went unnoticed`);
    }
  } finally {
    await initBackend('wasm');
  }
  for (const p of pending) tf.dispose([p.x, p.W, p.dy]);
});

test('conv2d backward runs no StridedSlice or SplitV kernel (the slow per-element wasm paths)', () => {
  const engine = tf.engine() as unknown as { runKernel: (name: string, ...rest: unknown[]) => unknown };
  const orig = engine.runKernel;
  const seen = new Set<string>();
  engine.runKernel = function (this: unknown, name: string, ...rest: unknown[]) { seen.add(name); return orig.call(this, name, ...rest); };
  try {
    const x = randn([2, 9, 9, 8], 1), W = randn([3, 3, 4, 6], 2);
    const g = tf.grads((a: Tensor, w: Tensor) => tf.sum(conv2d(a, w, { stride: 2, pad: 1, groups: 2 })))([x, W]);
    tf.dispose([x, W, ...g]);
  } finally {
    engine.runKernel = orig;
  }
  assert.ok(seen.has('Conv2D') && seen.has('BatchMatMul'), `kernel tracking saw ${[...seen]}`);
  assert.ok(!seen.has('StridedSlice') && !seen.has('SplitV'), `slow kernels ran: ${[...seen]}`);
});
