// mem-v1 on the reference encoder (4 layers x 256, bench-reference; batch 8, seq 32 for speed): a frozen backbone
// run outside the tape (lean, in tf.tidy) against the same step with the backbone inside the tape (plain ops).
// Each configuration is measured in its own process (support/frozen-step-worker.ts), as the protocol requires.
// Also: the two buffer trackers agree, and AdamW keeps exactly its stated state.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tf } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { installTracker, type BufferTracker } from '../../src/engine/memory/tracker.js';
import { sumBreakdown, type MemoryReport } from '../../src/engine/memory/probe.js';
import { Linear, LayerNorm } from '../../src/nn/layers.js';
import { AdamW } from '../../src/train/optim.js';

interface WorkerOut {
  mode: string; losses: number[]; report: MemoryReport; inputBytes: number; liveWasmMalloc: number; liveDataId: number;
}

function measure(mode: 'outside' | 'inside'): WorkerOut {
  const worker = fileURLToPath(new URL('./support/frozen-step-worker.js', import.meta.url));
  const r = spawnSync(process.execPath, [worker, '--mode', mode, '--batch', '8', '--seq', '32'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `worker --mode ${mode} failed:\n${r.stderr}`);
  const line = r.stdout.split('\n').find((l) => l.startsWith('{'));
  assert.ok(line, `worker --mode ${mode} printed no JSON line:\n${r.stdout}`);
  return JSON.parse(line) as WorkerOut;
}

test('frozen backbone outside the tape: peak below half of the plain in-tape step; breakdown adds up', () => {
  const out = measure('outside'), inside = measure('inside');
  const po = out.report.peakBytes, pi = inside.report.peakBytes;
  assert.ok(po < 0.5 * pi, `outside-tape peak ${po} B should be below half of the in-tape peak ${pi} B`);
  // same seed, same math: lean ops off the tape and plain ops on it train the head identically
  out.losses.forEach((l, i) => assert.ok(Math.abs(l - inside.losses[i]) < 1e-4, `step ${i}: loss ${l} vs ${inside.losses[i]}`));
  for (const w of [out, inside]) {
    const { report: rep } = w;
    const b = rep.breakdown;
    assert.equal(rep.protocol, 'mem-v1');
    assert.equal(rep.tracker, 'wasm-malloc');
    assert.equal(rep.steps, 3);
    assert.equal(sumBreakdown(b), rep.peakBytes, `${w.mode}: breakdown parts must add up to the peak`);
    assert.ok(b.frozenParams > 20e6 && b.transient > 0 && b.optimizerState === 2 * b.trainableParams, `${w.mode}: ${JSON.stringify(b)}`);
    // `other` is persistent memory outside parameters, optimizer state and extra copies. Here the only such tensors
    // are the batch the steps reuse (ids int32 + mask float32 [8, 32], labels int32 [8]), so it equals their bytes
    // exactly: anything else (a cached mask, a leaked temporary) would show up here.
    assert.equal(b.other, w.inputBytes, `${w.mode}: unattributed persistent bytes`);
    assert.ok(b.other < 0.001 * rep.peakBytes);
    assert.equal(b.extraCopies, 0, `${w.mode}: no frozen linear ran backward, so no pre-transposed copy should exist`);
    // both trackers count the same unique buffers
    assert.equal(w.liveDataId, w.liveWasmMalloc, `${w.mode}: data-id and wasm-malloc trackers disagree after the steps`);
    assert.equal(w.liveWasmMalloc, rep.persistentBytes);
  }
  assert.equal(out.report.persistentBytes, inside.report.persistentBytes, 'persistent state must not depend on where the backbone ran');
});

let tracker: BufferTracker;
let dataIds: BufferTracker;
before(async () => {
  await initBackend('wasm');
  tracker = installTracker('wasm-malloc');
  dataIds = installTracker('data-id');
});

test('the two trackers agree through a forward/backward pass, and count shared buffers once', () => {
  const live0 = tracker.liveBytes, ids0 = dataIds.liveBytes;
  const x = tf.ones([64, 32]);
  const v = tf.reshape(x, [32, 64]), c = tf.clone(x);   // views: no new buffer
  assert.equal(tracker.liveBytes - live0, 64 * 32 * 4);
  assert.equal(dataIds.liveBytes - ids0, 64 * 32 * 4);
  // a variable shares its initial tensor's buffer: that tensor must be released too, or the buffer outlives W
  const init = tf.fill([32, 16], 0.1);
  const W = tf.variable(init);
  init.dispose();
  const { value, grads } = tf.variableGrads(() => tf.sum(tf.tanh(tf.matMul(x, W))), [W]);
  assert.equal(tracker.liveBytes - live0, dataIds.liveBytes - ids0);
  assert.equal(tracker.liveBytes - live0, (64 * 32 + 32 * 16 + 32 * 16 + 1) * 4, 'x, W, dW and the loss');
  tf.dispose([x, v, c, W, value, ...Object.values(grads)]);
  assert.equal(tracker.liveBytes, live0);
  assert.equal(dataIds.liveBytes, ids0);
});

test('AdamW keeps exactly its stated state: no leaked initial tensors, no growth over steps', () => {
  const rng = new Rng(12);
  const live0 = tracker.liveBytes, ids0 = dataIds.liveBytes;
  const lin = new Linear(48, 24, rng), ln = new LayerNorm(24);
  const params = [...lin.parameters(), ...ln.parameters()];
  const paramBytes = (48 * 24 + 24 + 24 + 24) * 4;
  assert.equal(tracker.liveBytes - live0, paramBytes, 'creating parameters should keep only their values');
  const opt = new AdamW(params, { lr: 1e-2, weightDecay: 0.01, clipNorm: 1 });
  assert.equal(opt.stateBytes, 2 * paramBytes, 'state is two moments per trainable parameter');
  assert.equal(tracker.liveBytes - live0, paramBytes + opt.stateBytes, 'the optimizer should own only its moments');
  const x = tf.randomNormal([10, 48], 0, 1, 'float32', 1);
  const before = params.map((p) => p.value.dataSync()[0]);
  for (let i = 0; i < 3; i++) {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(ln.forward(lin.forward(x, { training: true, rng })))), params.map((p) => p.variable));
    opt.apply(grads);
    tf.dispose([value, ...Object.values(grads)]);
    assert.equal(tracker.liveBytes - live0, paramBytes + opt.stateBytes + x.size * 4, `step ${i}: persistent bytes grew`);
  }
  assert.ok(params.some((p, i) => p.value.dataSync()[0] !== before[i]), 'the optimizer should have changed the parameters');
  opt.dispose();
  for (const p of params) p.dispose();
  x.dispose();
  assert.equal(tracker.liveBytes, live0, 'everything is released after dispose');
  assert.equal(dataIds.liveBytes, ids0);
});
