// T5: forward pass against an independent PyTorch implementation (support/t5_torch_ref.py, written from the
// architecture; skipped with a message when Debian's python3-torch is absent), exact checkpoint round trips, lean
// gradients equal to plain tfjs autograd, and greedy decoding of a model trained to memorise a few pairs.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { setOpsMode } from '../../src/engine/ops/index.js';
import { T5Model, shiftRight } from '../../src/backbones/t5/model.js';
import { T5ConfigSchema, type T5Config } from '../../src/backbones/t5/config.js';
import { saveT5, loadT5 } from '../../src/backbones/t5/checkpoint.js';
import { greedyDecode, t5Decodable } from '../../src/backbones/t5/generate.js';
import { relativePositionBucket } from '../../src/backbones/t5/position.js';
import { AdamW } from '../../src/train/optim.js';

before(async () => { await initBackend('wasm'); });

const here = dirname(fileURLToPath(import.meta.url));
const REF = join(here, '..', '..', '..', 'test', 'backbones', 'support', 't5_torch_ref.py');
const PY = '/usr/bin/python3';
const EVAL = { training: false, rng: new Rng(0) };

function cfg(over: Partial<T5Config> = {}): T5Config {
  return T5ConfigSchema.parse({
    vocab_size: 23, d_model: 16, d_kv: 6, d_ff: 24, num_layers: 2, num_decoder_layers: 3, num_heads: 3,
    relative_attention_num_buckets: 8, relative_attention_max_distance: 12, dropout_rate: 0, ...over,
  });
}

/** Moves every parameter away from its init (norm weights start at 1, biases at 0). */
function scramble(m: T5Model, seed: number, scale = 0.3): void {
  const rng = new Rng(seed);
  for (const [, p] of m.namedParameters()) {
    tf.tidy(() => p.assign(tf.tensor(Float32Array.from({ length: p.size }, () => (p.role === 'norm' ? 1 : 0) + scale * rng.normal()), p.shape)));
  }
}

function torchAvailable(): string | null {
  if (!existsSync(PY)) return `${PY} is missing`;
  const r = spawnSync(PY, ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  return r.status === 0 ? null : `PyTorch is not importable by ${PY} (apt-get install python3-torch)`;
}

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  assert.equal(a.length, b.length, 'length');
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

for (const variant of ['v1 (ReLU, tied)', 'v1.1 (gated GELU, untied)'] as const) {
  test(`forward pass matches the PyTorch reference: ${variant}`, (t) => {
    const why = torchAvailable();
    if (why) { t.skip(`PyTorch reference skipped: ${why}`); return; }
    const c = cfg(variant.startsWith('v1.1') ? { feed_forward_proj: 'gated-gelu', tie_word_embeddings: false } : {});
    const m = new T5Model(c, 4);
    scramble(m, 11);
    const dir = mkdtempSync(join(tmpdir(), 't5-ref-'));
    try {
      saveT5(dir, m);
      // lengths 14 > max distance 12 reach the capped buckets; padding in row 1 exercises the key mask
      const ids = [[5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 1], [3, 4, 5, 6, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]];
      const mask = ids.map((r, b) => r.map((v, i) => (b === 1 && i > 4 ? 0 : 1)));
      const labels = [[7, 8, 9, 1], [10, 1, -100, -100]];
      const positions = Array.from({ length: 1201 }, (_, i) => i - 600);
      const req = join(dir, 'request.json');
      writeFileSync(req, JSON.stringify({ ids, mask, labels, positions }));
      const r = spawnSync(PY, [REF, dir, req], { encoding: 'utf8', maxBuffer: 1 << 26 });
      assert.equal(r.status, 0, `reference failed: ${r.stderr}`);
      const ref = JSON.parse(r.stdout) as { encoder_last: number[]; decoder_last: number[]; logits: number[]; loss: number; buckets_bidirectional: number[]; buckets_causal: number[] };

      const B = 2, T = 14, Td = 4;
      const idsT = tf.tensor2d(ids.flat(), [B, T], 'int32'), maskT = tf.tensor2d(mask.flat(), [B, T]);
      const lab = Int32Array.from(labels.flat());
      const dec = tf.tensor2d(shiftRight(lab, B, Td, 0, 0), [B, Td], 'int32');
      const enc = m.encode(idsT, maskT, EVAL);
      const out = m.decode(dec, enc, EVAL);
      const logits = m.logits(tf.reshape(out.last, [B * Td, c.d_model]));
      // padded encoder rows differ by construction (the reference does not zero them either); compare all
      assert.ok(maxAbs(enc.last.dataSync(), ref.encoder_last) < 2e-4, `encoder max |diff| ${maxAbs(enc.last.dataSync(), ref.encoder_last)}`);
      assert.ok(maxAbs(out.last.dataSync(), ref.decoder_last) < 2e-4, `decoder max |diff| ${maxAbs(out.last.dataSync(), ref.decoder_last)}`);
      assert.ok(maxAbs(logits.dataSync(), ref.logits) < 5e-4, `logits max |diff| ${maxAbs(logits.dataSync(), ref.logits)}`);
      const loss = m.loss(idsT, maskT, lab, EVAL).dataSync()[0];
      assert.ok(Math.abs(loss - ref.loss) < 1e-4, `loss ${loss} vs ${ref.loss}`);
      // buckets at default sizes over a wide range of distances, both directions
      positions.forEach((p, i) => {
        assert.equal(relativePositionBucket(p, true, 8, 12), ref.buckets_bidirectional[i], `bidirectional bucket at ${p}`);
        assert.equal(relativePositionBucket(p, false, 8, 12), ref.buckets_causal[i], `causal bucket at ${p}`);
      });
      tf.dispose([idsT, maskT, dec, logits, ...enc.hiddenStates, enc.last, enc.mask, ...out.hiddenStates, out.last, out.mask]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      m.dispose();
    }
  });
}

test('bucket function agrees with the PyTorch formula at the default 32 buckets / 128 distance', (t) => {
  const why = torchAvailable();
  if (why) { t.skip(`PyTorch reference skipped: ${why}`); return; }
  const code = [
    'import sys, json, torch', `sys.path.insert(0, ${JSON.stringify(dirname(REF))})`, 'from t5_torch_ref import bucket',
    'p = torch.arange(-2000, 2001)', 'print(json.dumps([bucket(p, True, 32, 128).tolist(), bucket(p, False, 32, 128).tolist()]))',
  ].join('\n');
  const r = spawnSync(PY, ['-c', code], { encoding: 'utf8', maxBuffer: 1 << 24 });
  assert.equal(r.status, 0, r.stderr);
  const [bi, ca] = JSON.parse(r.stdout) as [number[], number[]];
  for (let i = 0; i < bi.length; i++) {
    assert.equal(relativePositionBucket(i - 2000, true), bi[i], `bidirectional ${i - 2000}`);
    assert.equal(relativePositionBucket(i - 2000, false), ca[i], `causal ${i - 2000}`);
  }
});

for (const [label, over, biases] of [
  ['v1 tied', {}, false], ['v1.1 untied', { feed_forward_proj: 'gated-gelu', tie_word_embeddings: false }, false], ['v1 with BitFit biases', {}, true],
] as const) {
  test(`checkpoint save/load round trip is exact: ${label}`, () => {
    const c = cfg(over as Partial<T5Config>);
    const m = new T5Model(c, 2, { biases });
    scramble(m, 5);
    const dir = mkdtempSync(join(tmpdir(), 't5-ckpt-'));
    try {
      saveT5(dir, m, { extraFiles: { 'tokenizer.json': '{"version":"1.0"}' } });
      const { model, report } = loadT5(dir, { seed: 99, biases });
      assert.deepEqual(report.initialized, []);
      const a = new Map(m.namedParameters()), b = new Map(model.namedParameters());
      assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
      for (const [n, p] of a) assert.deepEqual(Array.from(b.get(n)!.value.dataSync()), Array.from(p.value.dataSync()), n);
      // a plain checkpoint loaded with biases: the biases are added at zero and reported
      if (!biases) {
        const withB = loadT5(dir, { seed: 1, biases: true });
        assert.ok(withB.report.initialized.length > 0);
        for (const [n, p] of withB.model.namedParameters()) if (p.role === 'bias') assert.ok(p.value.dataSync().every((v) => v === 0), n);
        withB.model.dispose();
      }
      model.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
      m.dispose();
    }
  });
}

test('loading rejects a config that does not match the weights, naming the tensor', () => {
  const m = new T5Model(cfg(), 2);
  const dir = mkdtempSync(join(tmpdir(), 't5-bad-'));
  try {
    saveT5(dir, m);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg(), d_ff: 20 }));
    assert.throws(() => loadT5(dir, { seed: 1 }), /DenseReluDense\.wi\.weight" has shape \[24,16\] but the model built from config\.json needs \[20,16\]/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg(), num_layers: 3 }));
    assert.throws(() => loadT5(dir, { seed: 1 }), /missing tensors: encoder\.block\.2/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...cfg(), d_model: 'wide' }));
    assert.throws(() => loadT5(dir, { seed: 1 }), /key "d_model"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    m.dispose();
  }
});

test('lean gradients equal plain tfjs autograd for every parameter (full fine-tuning, with biases)', () => {
  const c = cfg({ dropout_rate: 0.2 });
  const m = new T5Model(c, 3, { biases: true });
  scramble(m, 8, 0.2);
  m.setTrainable(true);
  const ids = tf.tensor2d([[3, 4, 5, 6, 1], [7, 8, 1, 0, 0]], [2, 5], 'int32');
  const mask = tf.tensor2d([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], [2, 5]);
  const labels = Int32Array.from([9, 10, 1, 11, 1, -100]);
  const vars = m.parameters().map((p) => p.variable);
  const run = () => tf.variableGrads(() => m.loss(ids, mask, labels, { training: true, rng: new Rng(17) }) as tf.Scalar, vars);
  const lean = run();
  setOpsMode('plain');
  const plain = run();
  setOpsMode('lean');
  assert.ok(Math.abs(lean.value.dataSync()[0] - plain.value.dataSync()[0]) < 1e-5);
  for (const [n, p] of m.namedParameters()) {
    const g1 = lean.grads[p.variable.name], g2 = plain.grads[p.variable.name];
    assert.ok(g1 && g2, `gradient for ${n}`);
    const d = maxAbs(g1.dataSync(), g2.dataSync());
    const s = Math.max(1e-3, ...Array.from(g2.dataSync(), Math.abs));
    assert.ok(d / s < 1e-4, `${n}: max |lean - plain| ${d} (scale ${s})`);
  }
  m.dispose();
});

test('a tiny T5 trained on a handful of pairs reproduces its targets by greedy decoding', () => {
  const c = cfg({ vocab_size: 20, d_model: 32, d_kv: 8, num_heads: 4, d_ff: 64, num_layers: 2, num_decoder_layers: 2 });
  const m = new T5Model(c, 7);
  m.setTrainable(true);
  // sources of different lengths (padded), targets of different lengths (EOS = 1, -100 after)
  const src = [[5, 6, 7, 1, 0], [8, 9, 1, 0, 0], [10, 11, 12, 13, 1], [6, 5, 1, 0, 0]];
  const tgt = [[14, 15, 1], [16, 1, -100], [17, 18, 19], [15, 14, 1]];   // row 2 has no EOS within its limit
  const B = 4, T = 5, Td = 3;
  const ids = tf.tensor2d(src.flat(), [B, T], 'int32');
  const mask = tf.tensor2d(src.flat().map((v, i) => (v !== 0 || i % T === 0 ? 1 : 0)), [B, T]);
  const labels = Int32Array.from(tgt.flat());
  const opt = new AdamW(m.parameters(), { lr: 3e-3 });
  const ctx = { training: true, rng: new Rng(1) };
  let loss = Infinity;
  for (let step = 0; step < 300 && loss > 0.01; step++) {
    const { value, grads } = tf.variableGrads(() => m.loss(ids, mask, labels, ctx) as tf.Scalar, m.parameters().map((p) => p.variable));
    loss = value.dataSync()[0];
    opt.apply(grads);
    tf.dispose([value, ...Object.values(grads)]);
  }
  assert.ok(loss < 0.05, `training loss ${loss}`);
  const want = tgt.map((r) => r.filter((v) => v !== -100 && v !== 1));
  const got = greedyDecode(t5Decodable(m), ids, mask, { maxLength: [3, 3, 3, 3] });
  assert.deepEqual(got, want);
  // a per-example limit shorter than the target cuts it
  const cut = greedyDecode(t5Decodable(m), ids, mask, { maxLength: [1, 3, 2, 3] });
  assert.deepEqual(cut, [[14], [16], [17, 18], [15, 14]]);
  opt.dispose();
  tf.dispose([ids, mask]);
  m.dispose();
});
