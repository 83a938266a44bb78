// CLIP-ViL against an independent PyTorch port (support/torch_ref.py: CLIP's ModifiedResNet with skip_last_layer and
// CLIP-ViL's single-stream LXRT encoder, written with torch.nn): grid features, every hidden state, the pooled output
// and the answer logits must match; a checkpoint in CLIP-ViL's own state-dict spelling loads to the same model; save
// then load is exact; malformed checkpoints fail naming the tensor or key.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../src/backbones/hf/safetensors.js';
import { loadClipVil, saveClipVil, AnswerHead, type LoadedClipVil } from '../../src/backbones/clip-vil/index.js';

const PYTHON = process.env.UNIPT_TORCH_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../test/backbones/clip-vil-support/torch_ref.py', import.meta.url));

function torchMissing(): string | false {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (install Debian's python3-torch to run the PyTorch reference check)`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? false : `torch is not importable from ${PYTHON}: ${(r.stderr || '').trim().split('\n').pop()}`;
}
const skip = torchMissing();
if (skip) console.log(`# skipping the CLIP-ViL PyTorch reference tests: ${skip}`);

const EVAL = { training: false, rng: new Rng(0) };
let work = '';
interface Ref { grid: number[]; grid_shape: number[]; hidden: number[][]; pooled: number[]; logits: number[] }
interface Inputs { images: number[][][][]; ids: number[][]; mask: number[][] }

before(async () => {
  await initBackend('wasm');
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'clip-vil-ref-'));
  const r = spawnSync(PYTHON, [SCRIPT, 'make', work], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, `${SCRIPT} failed:\n${r.stdout}\n${r.stderr}`);
});
process.on('exit', () => { if (work) rmSync(work, { recursive: true, force: true }); });

/** Largest |a - b| relative to the reference tensor's scale, max(1, max |b|). */
function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length, 'length mismatch');
  let m = 0, s = 1;
  for (let i = 0; i < a.length; i++) { m = Math.max(m, Math.abs(a[i] - b[i])); s = Math.max(s, Math.abs(b[i])); }
  return m / s;
}

function loadHead(l: LoadedClipVil): AnswerHead {
  const head = new AnswerHead(l.config.text_config.hidden_size, 5, new Rng(1));
  const f = readSafetensors(join(work, 'head.safetensors'));
  for (const [name, p] of head.namedParameters()) {
    const e = f.get(name);
    tf.tidy(() => { const t = tf.tensor(e.data as Float32Array, e.shape); p.assign(p.layout === 'linear' ? tf.transpose(t) : t); });
  }
  return head;
}

function run(l: LoadedClipVil): { grid: Float32Array; hidden: Float32Array[]; pooled: Float32Array; logits: Float32Array; gridShape: number[] } {
  const inp = JSON.parse(readFileSync(join(work, 'inputs.json'), 'utf8')) as Inputs;
  const head = loadHead(l);
  const out = tf.tidy(() => {
    const grid = l.tower.grid(tf.tensor4d(inp.images));
    const o = l.model.forward({ ids: tf.tensor2d(inp.ids, undefined, 'int32'), mask: tf.tensor2d(inp.mask), grid }, EVAL);
    const pooled = l.model.pool(o.hiddenStates[o.hiddenStates.length - 1], EVAL);
    return { grid, hidden: o.hiddenStates, pooled, logits: head.forward(pooled, EVAL) };
  });
  const res = {
    grid: out.grid.dataSync() as Float32Array, gridShape: out.grid.shape as number[], hidden: out.hidden.map((h) => h.dataSync() as Float32Array),
    pooled: out.pooled.dataSync() as Float32Array, logits: out.logits.dataSync() as Float32Array,
  };
  tf.dispose([out.grid, ...out.hidden, out.pooled, out.logits]);
  head.dispose();
  return res;
}

function dispose(l: LoadedClipVil): void { l.model.dispose(); l.tower.dispose(); l.mlmHead?.dispose(); l.matchHead?.dispose(); }

test('CLIP-ViL matches the PyTorch reference: grid, hidden states, pooled output, answer logits', { skip: skip || false }, () => {
  const ref = JSON.parse(readFileSync(join(work, 'reference.json'), 'utf8')) as Ref;
  const l = loadClipVil(join(work, 'ckpt'), { seed: 0 });
  const o = run(l);
  assert.deepEqual(o.gridShape, ref.grid_shape);
  assert.ok(relDiff(o.grid, ref.grid) < 1e-4, `grid differs by ${relDiff(o.grid, ref.grid)}`);
  assert.equal(o.hidden.length, ref.hidden.length);
  o.hidden.forEach((h, i) => assert.ok(relDiff(h, ref.hidden[i]) < 2e-4, `hidden state ${i} differs by ${relDiff(h, ref.hidden[i])}`));
  assert.ok(relDiff(o.pooled, ref.pooled) < 2e-4, `pooled differs by ${relDiff(o.pooled, ref.pooled)}`);
  assert.ok(relDiff(o.logits, ref.logits) < 2e-4, `logits differ by ${relDiff(o.logits, ref.logits)}`);
  // the joint sequence: 6 text positions then the 2x2 grid
  assert.equal(o.hidden[0].length, 2 * (6 + 4) * 16);
  dispose(l);
});

test('a checkpoint in CLIP-ViL\'s own state-dict spelling loads to the same model, unused tensors reported', { skip: skip || false }, () => {
  const src = readSafetensors(join(work, 'ckpt', 'model.safetensors'));
  const renamed: Record<string, TensorToWrite> = {};
  for (const n of src.names) {
    const e = src.get(n);
    const to = n.startsWith('visual_model.') ? `module.bert.encoder.visual_model.visual.${n.slice('visual_model.'.length)}`
      : n.startsWith('visn_fc.') ? `bert.encoder.${n}` : n.startsWith('visual_pos.') ? `bert.encoder.${n}` : n;
    renamed[to.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma')] = { dtype: 'F32', shape: e.shape, data: e.data as Float32Array };
  }
  renamed['bert.encoder.visn_fc.box_fc.weight'] = { dtype: 'F32', shape: [16, 4], data: new Float32Array(64) };
  renamed['bert.encoder.visual_model.visual.attnpool.q_proj.weight'] = { dtype: 'F32', shape: [2, 2], data: new Float32Array(4) };
  renamed['bert.encoder.visual_model.visual.bn1.num_batches_tracked'] = { dtype: 'F32', shape: [], data: new Float32Array(1) };
  const dir = join(work, 'clipvil-names');
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(work, 'ckpt', 'config.json'), join(dir, 'config.json'));
  writeSafetensors(join(dir, 'model.safetensors'), renamed);
  const a = loadClipVil(join(work, 'ckpt'), { seed: 0 });
  const b = loadClipVil(dir, { seed: 1 });
  assert.ok(b.report.ignored.some((s) => s.includes('box_fc')) && b.report.ignored.some((s) => s.includes('attnpool')));
  assert.ok(b.report.renamed.some(([f, t]) => f.startsWith('bert.encoder.visn_fc.') && t.startsWith('visn_fc.')));
  const oa = run(a), ob = run(b);
  assert.equal(relDiff(ob.logits, oa.logits), 0);
  dispose(a); dispose(b);
});

test('save then load reproduces every tensor exactly', { skip: skip || false }, () => {
  const a = loadClipVil(join(work, 'ckpt'), { seed: 0 });
  const dir = join(work, 'resaved');
  saveClipVil(dir, a.model, a.tower, { extraFiles: { 'note.txt': 'x' } });
  const b = loadClipVil(dir, { seed: 5 });
  const pa = new Map(a.model.namedParameters()), pb = new Map(b.model.namedParameters());
  for (const [n, p] of pa) assert.deepEqual(p.value.dataSync(), pb.get(n)!.value.dataSync(), n);
  const ta = new Map(a.tower.towerParameters()), tb = new Map(b.tower.towerParameters());
  for (const [n, p] of ta) assert.deepEqual(p.value.dataSync(), tb.get(n)!.value.dataSync(), n);
  dispose(a); dispose(b);
});

test('malformed checkpoints fail naming the tensor or the key', { skip: skip || false }, () => {
  const src = readSafetensors(join(work, 'ckpt', 'model.safetensors'));
  const write = (name: string, edit: (t: Record<string, TensorToWrite>) => void, cfg?: (c: Record<string, unknown>) => void) => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    const t: Record<string, TensorToWrite> = {};
    for (const n of src.names) { const e = src.get(n); t[n] = { dtype: 'F32', shape: e.shape, data: e.data as Float32Array }; }
    edit(t);
    writeSafetensors(join(dir, 'model.safetensors'), t);
    const c = JSON.parse(readFileSync(join(work, 'ckpt', 'config.json'), 'utf8')) as Record<string, unknown>;
    cfg?.(c);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
    return dir;
  };
  const missing = write('missing', (t) => { delete t['visn_fc.visn_fc.weight']; });
  assert.throws(() => loadClipVil(missing, { seed: 0 }), /missing CLIP-ViL tensors: visn_fc\.visn_fc\.weight/);
  const shape = write('shape', (t) => { t['visual_pos.x_position_embedding.weight'] = { dtype: 'F32', shape: [3, 256], data: new Float32Array(768) }; });
  assert.throws(() => loadClipVil(shape, { seed: 0 }), /"visual_pos\.x_position_embedding\.weight" has shape \[3,256\].*needs \[4,256\]/);
  const extra = write('extra', (t) => { t['bert.encoder.layer.7.output.dense.bias'] = { dtype: 'F32', shape: [16], data: new Float32Array(16) }; });
  assert.throws(() => loadClipVil(extra, { seed: 0 }), /no CLIP-ViL parameter: bert\.encoder\.layer\.7\.output\.dense\.bias/);
  const badCfg = write('badcfg', () => {}, (c) => { c.visual_feat_dim = 100; });
  assert.throws(() => loadClipVil(badCfg, { seed: 0 }), /config\.json is not a valid configuration: key "visual_feat_dim"/);
});
