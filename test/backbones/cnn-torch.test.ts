// Interop with PyTorch: a ResNet/ResNeXt written with torch.nn after torchvision (support/cnn_torch_ref.py) writes
// torchvision-named safetensors; this project loads them and must reproduce the four stage outputs (BN in eval
// mode) and the gradients of every parameter (full fine-tuning through the lean conv / linear / frozen-statistics
// BN ops); a checkpoint saved here must load strictly into the torch module and give the same outputs there.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { loadResNet, saveResNet } from '../../src/backbones/cnn/index.js';
import { readSafetensors } from '../../src/backbones/hf/safetensors.js';

const PYTHON = process.env.UNIPT_TORCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../test/backbones/support/cnn_torch_ref.py', import.meta.url));

function torchMissing(): string | false {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (install Debian's python3-torch to run the PyTorch interop check)`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? false : `torch is not importable from ${PYTHON}: ${(r.stderr || '').trim().split('\n').pop()}`;
}
const skip = torchMissing();
if (skip) console.log(`# skipping the ResNet PyTorch interop tests: ${skip}`);

function py(cmd: string, dir: string): void {
  const r = spawnSync(PYTHON, [SCRIPT, cmd, dir], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, `${SCRIPT} ${cmd} failed:\n${r.stdout}\n${r.stderr}`);
}

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0, scale = 1e-6;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m / scale;
}

const EVAL = { training: false, rng: new Rng(0) };
let work = '';
before(async () => {
  await initBackend('wasm');
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'cnn-interop-'));
  py('make', work);
});
process.on('exit', () => { if (work) rmSync(work, { recursive: true, force: true }); });

for (const name of ['imagenet', 'mini']) {
  test(`${name} stem: stage outputs and parameter gradients match PyTorch`, { skip }, () => {
    const dir = join(work, name);
    const { model, report } = loadResNet(dir, { seed: 0 });
    assert.equal(report.prefix, '');
    assert.ok(report.ignored.every((n) => n.endsWith('num_batches_tracked')), `unexpected ignored tensors: ${report.ignored}`);
    const ref = readSafetensors(join(dir, 'ref.safetensors'));
    const inp = ref.entry('input');
    const x = tf.tensor(ref.getFloat('input'), inp.shape);
    const out = model.forward(x, EVAL);
    out.stages.forEach((s, i) => {
      assert.deepEqual(s.shape, ref.entry(`stage${i}`).shape, `stage ${i} shape`);
      const d = maxRel(s.dataSync(), ref.getFloat(`stage${i}`));
      assert.ok(d < 1e-4, `stage ${i}: max |diff| / max |ref| = ${d}`);
    });
    tf.dispose(out.stages);
    // full fine-tuning: gradients of sum_i <stage_i, R_i> (BN statistics frozen, affine trainable)
    model.setTrainable(true);
    const probes = [0, 1, 2, 3].map((i) => tf.tensor(ref.getFloat(`probe${i}`), ref.entry(`probe${i}`).shape));
    const named = model.namedParameters().filter(([, p]) => p.role !== 'buffer');
    const { grads } = tf.variableGrads(() => {
      const o = model.forward(x, { training: true, rng: new Rng(0) });
      return tf.addN(o.stages.map((s, i) => tf.sum(tf.mul(s, probes[i])))) as tf.Scalar;
    }, named.map(([, p]) => p.variable));
    for (const [n, p] of named) {
      const g = grads[p.variable.name];
      assert.ok(g, `no gradient for ${n}`);
      const torchLayout = p.layout === 'conv' ? tf.transpose(g, [3, 2, 0, 1]) : p.layout === 'linear' ? tf.transpose(g) : g;
      const d = maxRel(torchLayout.dataSync(), ref.getFloat(`grad.${n}`));
      assert.ok(d < 2e-4, `gradient of ${n}: max |diff| / max |ref| = ${d}`);
      torchLayout.dispose();
    }
    tf.dispose([...Object.values(grads), ...probes, x]);
    model.dispose();
  });
}

test('a checkpoint saved here loads strictly into torch and gives the same stage outputs', { skip }, () => {
  const src = join(work, 'imagenet');
  const { model } = loadResNet(src, { seed: 0 });
  const out = join(work, 'saved');
  saveResNet(out, model);
  copyFileSync(join(src, 'ref.safetensors'), join(out, 'ref.safetensors'));
  py('forward', out);
  const ref = readSafetensors(join(out, 'ref.safetensors'));
  const rt = readSafetensors(join(out, 'roundtrip.safetensors'));
  for (let i = 0; i < 4; i++) assert.ok(maxRel(rt.getFloat(`stage${i}`), ref.getFloat(`stage${i}`)) < 1e-5, `stage ${i} after the round trip`);
  // and loading our own file back gives bit-identical parameters
  const again = loadResNet(out, { seed: 99 }).model;
  for (const [n, p] of model.namedParameters()) {
    const q = again.getParam(n);
    assert.deepEqual(Array.from(q.value.dataSync()), Array.from(p.value.dataSync()), `${n} after save + load`);
  }
  model.dispose(); again.dispose();
});
