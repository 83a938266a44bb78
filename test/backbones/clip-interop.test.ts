// CLIP against an independent PyTorch CLIP (support/clip_torch_ref.py, written after OpenAI's / Hugging Face's
// CLIPModel): a checkpoint made in torch loads here and reproduces every hidden state of both towers and both
// projected embeddings; a checkpoint saved here loads strictly into the torch module and gives the same outputs there.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { loadClip, saveClip, eotPositions, type ClipModel } from '../../src/backbones/clip/index.js';
import { readSafetensors, writeSafetensors } from '../../src/backbones/hf/safetensors.js';

const PYTHON = process.env.UNIPT_TORCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../test/backbones/support/clip_torch_ref.py', import.meta.url));
const TOL = 1e-4;

function torchMissing(): string | false {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (install Debian's python3-torch to run the PyTorch interop check)`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? false : `torch is not importable from ${PYTHON}`;
}
const skip = torchMissing();
if (skip) console.log(`# skipping the CLIP PyTorch interop tests: ${skip}`);

function py(cmd: string, dir: string): void {
  const r = spawnSync(PYTHON, [SCRIPT, cmd, dir], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, `${SCRIPT} ${cmd} failed:\n${r.stdout}\n${r.stderr}`);
}

const EVAL = { training: false, rng: new Rng(0) };
let work = '';
before(async () => {
  await initBackend('wasm');
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'clip-interop-'));
  py('make', work);
});
process.on('exit', () => { if (work) rmSync(work, { recursive: true, force: true }); });

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i] - b[i])); m = Math.max(m, Math.abs(b[i])); }
  return d / Math.max(m, 1e-12);
}

function runBoth(model: ClipModel, dir: string): Record<string, Float32Array> {
  const ref = readSafetensors(join(dir, 'reference.safetensors'));
  const ids: number[][] = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8')).ids;
  const B = ids.length, T = ids[0].length;
  const flat = ids.flat();
  const out: Record<string, Float32Array> = {};
  tf.tidy(() => {
    const pixels = tf.tensor(ref.getFloat('pixels_nhwc'), ref.entry('pixels_nhwc').shape);
    const img = model.encodeImage(pixels, EVAL);
    img.hiddenStates.forEach((h, i) => { out[`vision_hidden.${i}`] = h.dataSync() as Float32Array; });
    out.image_embeds = img.embedding.dataSync() as Float32Array;
    const idsT = tf.tensor2d(flat, [B, T], 'int32');
    const txt = model.encodeText({ ids: idsT, mask: tf.notEqual(idsT, 0), eot: eotPositions(flat, B, T) }, EVAL);
    txt.hiddenStates.forEach((h, i) => { out[`text_hidden.${i}`] = h.dataSync() as Float32Array; });
    out.text_embeds = txt.embedding.dataSync() as Float32Array;
  });
  return out;
}

function compare(ours: Record<string, Float32Array>, dir: string): void {
  const ref = readSafetensors(join(dir, 'reference.safetensors'));
  const names = ref.names.filter((n) => n !== 'pixels_nhwc');
  assert.equal(names.filter((n) => n.startsWith('vision_hidden.')).length, 4, 'vision: input + 3 blocks');
  assert.equal(names.filter((n) => n.startsWith('text_hidden.')).length, 3, 'text: input + 2 blocks');
  for (const n of names) {
    assert.ok(ours[n], `missing output ${n}`);
    const e = relErr(ours[n], ref.getFloat(n));
    assert.ok(e < TOL, `${n}: relative error ${e.toExponential(2)} >= ${TOL}`);
  }
}

test('a torch-made CLIPModel checkpoint loads and reproduces every hidden state and both embeddings', { skip }, () => {
  const { model, report } = loadClip(work);
  assert.deepEqual(report.ignored, []);
  compare(runBoth(model, work), work);
  // the text rows pool at different positions (6 and 3): a pooling bug would show in text_embeds above
  assert.deepEqual(eotPositions([28, 5, 9, 13, 7, 2, 29, 3, 4, 6, 28, 11, 4, 29, 0, 0, 0, 0, 0, 0], 2, 10), [6, 3]);
  model.dispose();
});

test('a checkpoint saved here loads strictly into torch and gives the same outputs there', { skip }, () => {
  const { model } = loadClip(work);
  // move every weight so the round trip cannot pass by reading the torch file back
  for (const [, p] of model.namedParameters()) tf.tidy(() => p.assign(tf.add(p.value, tf.mul(tf.randomNormal(p.shape, 0, 1, 'float32', 7), 0.05))));
  const dir = mkdtempSync(join(tmpdir(), 'clip-save-'));
  try {
    const files = saveClip(dir, model);
    assert.deepEqual(files.sort(), ['config.json', 'model.safetensors', 'preprocessor_config.json']);
    writeFileSync(join(dir, 'inputs.json'), readFileSync(join(work, 'inputs.json')));
    const pix = readSafetensors(join(work, 'reference.safetensors'));
    writeSafetensors(join(dir, 'pixels.safetensors'), { pixels_nhwc: { dtype: 'F32', shape: pix.entry('pixels_nhwc').shape, data: pix.getFloat('pixels_nhwc') } });
    py('forward', dir);
    const ours = runBoth(model, dir);
    compare(ours, dir);
    // and the saved folder loads back here to the same outputs
    const again = loadClip(dir).model;
    const back = runBoth(again, dir);
    for (const k of Object.keys(ours)) assert.ok(relErr(back[k], ours[k]) < 1e-6, k);
    again.dispose();
    // config.json is a CLIPConfig Hugging Face reads: sub-configs tagged, architectures set
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(cfg.model_type, 'clip');
    assert.deepEqual(cfg.architectures, ['CLIPModel']);
    assert.equal(cfg.vision_config.model_type, 'clip_vision_model');
    assert.equal(cfg.text_config.model_type, 'clip_text_model');
  } finally {
    rmSync(dir, { recursive: true, force: true });
    model.dispose();
  }
});

test('loading names the offending tensor: wrong shape, missing, unexpected', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'clip-bad-'));
  try {
    const src = readSafetensors(join(work, 'model.safetensors'));
    const all = Object.fromEntries(src.names.map((n) => [n, { dtype: 'F32' as const, shape: src.entry(n).shape, data: src.getFloat(n) }]));
    writeFileSync(join(dir, 'config.json'), readFileSync(join(work, 'config.json')));
    const bad = { ...all, 'visual_projection.weight': { dtype: 'F32' as const, shape: [24, 12], data: all['visual_projection.weight'].data } };
    writeSafetensors(join(dir, 'model.safetensors'), bad);
    assert.throws(() => loadClip(dir), /visual_projection\.weight" has shape \[24,12\].*\[12,24\]/);
    const missing = { ...all }; delete (missing as Record<string, unknown>)['text_model.final_layer_norm.bias'];
    writeSafetensors(join(dir, 'model.safetensors'), missing);
    assert.throws(() => loadClip(dir), /missing CLIPModel tensors: text_model\.final_layer_norm\.bias/);
    writeSafetensors(join(dir, 'model.safetensors'), { ...all, 'vision_model.encoder.layers.3.mlp.fc1.bias': all['vision_model.encoder.layers.0.mlp.fc1.bias'] });
    assert.throws(() => loadClip(dir), /no CLIPModel parameter: vision_model\.encoder\.layers\.3\.mlp\.fc1\.bias/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
