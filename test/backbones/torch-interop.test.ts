// Interop with PyTorch: a tiny BERT/RoBERTa written with torch.nn (support/torch_ref.py) writes Hugging Face-named
// safetensors by hand; this project loads them and must reproduce torch's hidden states and MLM logits; and a
// checkpoint saved here must load strictly into the torch module and give the same hidden states there.
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
import { TextEncoder } from '../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema } from '../../src/backbones/text/config.js';
import { loadTextEncoder, saveTextEncoder } from '../../src/backbones/text/checkpoint.js';
import { readSafetensors } from '../../src/backbones/hf/safetensors.js';
import { mlmLogits } from '../../src/backbones/text/pretrain.js';

// Debian's python3 has torch; UNIPT_TORCH_PYTHON points elsewhere (e.g. a missing path, to see the skip)
const PYTHON = process.env.UNIPT_TORCH_PYTHON ?? '/usr/bin/python3';
// compiled to dist/test/backbones/; the script stays in the source tree
const SCRIPT = fileURLToPath(new URL('../../../test/backbones/support/torch_ref.py', import.meta.url));
const TOL = 1e-4;

function torchMissing(): string | false {
  if (!existsSync(PYTHON)) return `${PYTHON} not found (install Debian's python3-torch to run the PyTorch interop check)`;
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? false : `torch is not importable from ${PYTHON} (apt-get install python3-torch): ${(r.stderr || '').trim().split('\n').pop()}`;
}
const skip = torchMissing();
if (skip) console.log(`# skipping the PyTorch interop tests: ${skip}`);

function py(cmd: string, dir: string): void {
  const r = spawnSync(PYTHON, [SCRIPT, cmd, dir], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  assert.equal(r.status, 0, `${SCRIPT} ${cmd} failed:\n${r.stdout}\n${r.stderr}`);
}

const EVAL = { training: false, rng: new Rng(0) };
let work = '';

before(async () => {
  await initBackend('wasm');
  if (skip) return;
  work = mkdtempSync(join(tmpdir(), 'torch-interop-'));
  py('make', work);
});
process.on('exit', () => { if (work) rmSync(work, { recursive: true, force: true }); });

interface Inputs { ids: number[][]; mask: number[][]; type_ids: number[][] }

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function forwardAll(enc: TextEncoder, inp: Inputs, withTypes: boolean): { hidden: Float32Array[]; ids: tf.Tensor; mask: tf.Tensor; typeIds: tf.Tensor | null } {
  const ids = tf.tensor2d(inp.ids, undefined, 'int32');
  const mask = tf.tensor2d(inp.mask, undefined, 'int32');
  const typeIds = withTypes ? tf.tensor2d(inp.type_ids, undefined, 'int32') : null;
  const hidden = tf.tidy(() => enc.forward({ ids, mask, typeIds }, EVAL).hiddenStates.map((h) => h.dataSync() as Float32Array));
  return { hidden, ids, mask, typeIds };
}

for (const modelType of ['bert', 'roberta'] as const) {
  test(`${modelType}: a torch-written checkpoint gives torch's hidden states and MLM logits (<= ${TOL})`, { skip }, (t) => {
    const dir = join(work, modelType);
    const inp = JSON.parse(readFileSync(join(dir, 'inputs.json'), 'utf8')) as Inputs;
    const ref = readSafetensors(join(dir, 'reference.safetensors'));
    const { encoder, mlmHead, config, report } = loadTextEncoder(dir, { seed: 5 });
    assert.ok(mlmHead);
    assert.equal(config.model_type, modelType);
    assert.ok(report.ignored.some((s) => s.startsWith(`${modelType}.embeddings.position_ids`)));
    assert.deepEqual(report.initialized, [], 'the torch module has a pooler, so nothing is left at init');
    const { hidden, ids, mask, typeIds } = forwardAll(encoder, inp, modelType === 'bert');
    assert.equal(hidden.length, config.num_hidden_layers + 1);
    let worst = 0;
    hidden.forEach((h, i) => {
      const d = maxAbsDiff(h, ref.getFloat(`hidden_states.${i}`));
      worst = Math.max(worst, d);
      assert.ok(d <= TOL, `hidden_states.${i}: max |diff| ${d}`);
    });
    // MLM logits at every position (the tied decoder and head names against torch)
    const [B, T] = ids.shape as number[];
    const positions = tf.range(0, B * T, 1, 'int32');
    const logits = tf.tidy(() => mlmLogits(encoder, mlmHead, { ids, mask, typeIds, positions }, EVAL).dataSync());
    const d = maxAbsDiff(logits, ref.getFloat('logits'));
    assert.ok(d <= TOL, `logits: max |diff| ${d}`);
    t.diagnostic(`${modelType}: max |diff| hidden states ${worst.toExponential(2)}, logits ${d.toExponential(2)}`);
    tf.dispose([ids, mask, positions, ...(typeIds ? [typeIds] : [])]);
    encoder.dispose(); mlmHead.dispose();
  });
}

test('a checkpoint saved here loads strictly into the torch module and gives the same hidden states', { skip }, (t) => {
  for (const modelType of ['bert', 'roberta'] as const) {
    const cfg = TextEncoderConfigSchema.parse(modelType === 'bert'
      ? { model_type: 'bert', vocab_size: 40, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 40, max_position_embeddings: 16 }
      : { model_type: 'roberta', vocab_size: 40, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 40, max_position_embeddings: 18, type_vocab_size: 1, pad_token_id: 1, layer_norm_eps: 1e-5 });
    const enc = new TextEncoder(cfg, 11);
    const rng = new Rng(12);
    for (const [, p] of enc.namedParameters()) tf.tidy(() => p.assign(tf.tensor(Float32Array.from({ length: p.size }, () => 0.2 * rng.normal() + (p.role === 'norm' ? 1 : 0)), p.shape)));
    const dir = join(work, `from-ts-${modelType}`);
    saveTextEncoder(dir, enc);
    const inp: Inputs = modelType === 'bert'
      ? { ids: [[2, 7, 9, 11, 3, 0], [2, 5, 3, 0, 0, 0]], mask: [[1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0]], type_ids: [[0, 0, 0, 1, 1, 0], [0, 0, 0, 0, 0, 0]] }
      : { ids: [[0, 7, 9, 11, 2, 1], [0, 5, 2, 1, 1, 1]], mask: [[1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0]], type_ids: [[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]] };
    writeFileSync(join(dir, 'inputs.json'), JSON.stringify(inp));
    py('forward', dir);
    const ref = readSafetensors(join(dir, 'reference.safetensors'));
    const { hidden, ids, mask, typeIds } = forwardAll(enc, inp, modelType === 'bert');
    hidden.forEach((h, i) => {
      const d = maxAbsDiff(h, ref.getFloat(`hidden_states.${i}`));
      assert.ok(d <= TOL, `${modelType} hidden_states.${i}: max |diff| ${d}`);
      if (i === hidden.length - 1) t.diagnostic(`${modelType} (saved here, run in torch): last hidden state max |diff| ${d.toExponential(2)}`);
    });
    tf.dispose([ids, mask, ...(typeIds ? [typeIds] : [])]);
    enc.dispose();
  }
});

test('every dtype torch writes decodes to the value torch converts it to', { skip }, () => {
  const f = readSafetensors(join(work, 'dtypes.safetensors'));
  const ref = JSON.parse(readFileSync(join(work, 'dtypes_ref.json'), 'utf8')) as Record<string, (number | string)[]>;
  assert.equal(f.metadata.format, 'pt');
  for (const [name, want] of Object.entries(ref)) {
    const t = f.get(name);
    assert.deepEqual(Array.from(t.data), want.map(Number), name);
    assert.equal(t.dtype, ['f16', 'bf16', 'f64', 'f32'].includes(name) ? 'float32' : 'int32', name);
  }
  assert.deepEqual(f.get('f32').shape, [3, 3]);
});
