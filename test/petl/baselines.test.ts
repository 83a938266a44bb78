// The through-backbone baselines (full, BitFit, adapters, LoRA, prompt tuning) on a tiny BERT: exactly the intended
// parameters train (counts computed by hand from the shapes), the hooks change the output and detach() restores it,
// a few AdamW steps reduce a toy loss, and frozen parameters get no gradient and do not move.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { TextEncoder } from '../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema } from '../../src/backbones/text/config.js';
import { textEncoderHost } from '../../src/petl/hosts/text-encoder.js';
import { applyThroughBackbone } from '../../src/petl/apply.js';
import type { AppliedMethod } from '../../src/petl/types.js';
import type { Module, ForwardCtx } from '../../src/nn/module.js';
import type { Param } from '../../src/nn/param.js';
import { AdamW } from '../../src/train/optim.js';
import { crossEntropy } from '../../src/train/losses.js';
import * as init from '../../src/nn/init.js';

// Tiny encoder: V=50, H=32, L=2, FFN 64, 2 heads, 64 positions, 2 token types.
const V = 50, H = 32, L = 2, F = 64, P = 64, TT = 2;
const cfg = TextEncoderConfigSchema.parse({
  vocab_size: V, hidden_size: H, num_hidden_layers: L, num_attention_heads: 2, intermediate_size: F,
  hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, max_position_embeddings: P, type_vocab_size: TT,
});

// Hand counts from the shapes.
const linear = (i: number, o: number) => i * o + o;
const EMB = V * H + P * H + TT * H + 2 * H;
const LAYER = 4 * linear(H, H) + linear(H, F) + linear(F, H) + 2 * 2 * H;
const POOLER = linear(H, H);
const BACKBONE = EMB + L * LAYER + POOLER;
const BIASES = H /* embeddings LN beta */ + L * (4 * H + F + H + 2 * H) + H /* pooler */;
const LAYER_NORMS = 2 * H + L * 2 * 2 * H;

const B = 3, T = 6;
const evalCtx: ForwardCtx = { training: false, rng: new Rng(7) };

before(async () => { await initBackend('wasm'); });

function batch() {
  const ids = tf.tensor2d([[1, 5, 9, 13, 2, 0], [1, 7, 7, 3, 2, 0], [1, 4, 11, 19, 23, 2]], [B, T], 'int32');
  const mask = tf.tensor2d([[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]], [B, T], 'float32');
  return { ids, mask };
}

function maxDiff(a: Tensor, b: Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function lastHidden(enc: TextEncoder): Tensor {
  const { ids, mask } = batch();
  const out = tf.tidy(() => enc.forward({ ids, mask }, evalCtx).last);
  ids.dispose(); mask.dispose();
  return out;
}

/** Puts N(0, std) noise on every parameter of the method's modules (so a zero-initialised branch becomes active). */
function perturb(applied: AppliedMethod, std = 0.5): void {
  const rng = new Rng(99);
  for (const m of Object.values(applied.modules)) for (const p of m.parameters()) {
    const n = p.size, v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = std * rng.normal();
    p.assign(tf.tensor(v, p.shape));
  }
}

function trainableNames(m: Module): string[] { return m.namedParameters().filter(([, p]) => p.trainable).map(([n]) => n).sort(); }
function count(m: Module, pred: (p: Param) => boolean = () => true): number { return m.parameters().filter(pred).reduce((s, p) => s + p.size, 0); }
function addedParams(a: AppliedMethod): [string, Param][] {
  return Object.entries(a.modules).flatMap(([k, m]) => m.namedParameters(`${k}.`));
}

interface Case {
  id: string;
  config: Record<string, unknown>;
  /** Which backbone parameters must train, decided from the name alone. */
  backboneTrains: (name: string) => boolean;
  backboneTrainable: number;
  added: number;
  lr: number;
}

const cases: Case[] = [
  { id: 'full', config: {}, backboneTrains: () => true, backboneTrainable: BACKBONE, added: 0, lr: 3e-4 },
  { id: 'bitfit', config: {}, backboneTrains: (n) => n.endsWith('.bias'), backboneTrainable: BIASES, added: 0, lr: 3e-3 },
  // reduction 16 -> bottleneck 2; two sites per layer
  { id: 'adapter', config: {}, backboneTrains: (n) => /(^|\.)LayerNorm\.(weight|bias)$/.test(n), backboneTrainable: LAYER_NORMS, added: 2 * L * (linear(H, 2) + linear(2, H)), lr: 1e-3 },
  // rank 4 on query and value of each layer, plus every bias
  { id: 'lora', config: { r: 4, alpha: 8, dropout: 0 }, backboneTrains: (n) => n.endsWith('.bias'), backboneTrainable: BIASES, added: 2 * L * (H * 4 + 4 * H), lr: 3e-3 },
  { id: 'prompt', config: { tokens: 5 }, backboneTrains: () => false, backboneTrainable: 0, added: 5 * H, lr: 1e-2 },
];

test('the hand-computed tiny backbone size matches the module', () => {
  const enc = new TextEncoder(cfg, 1);
  assert.equal(count(enc), BACKBONE);
  assert.equal(count(enc, (p) => p.role === 'bias'), BIASES);
  enc.dispose();
});

for (const c of cases) {
  test(`${c.id}: exactly the intended parameters train, with the hand-computed counts`, () => {
    const enc = new TextEncoder(cfg, 1);
    const applied = applyThroughBackbone(c.id, textEncoderHost(enc), c.config, new Rng(3));
    const expected = enc.namedParameters().map(([n]) => n).filter(c.backboneTrains).sort();
    assert.deepEqual(trainableNames(enc), expected);
    assert.equal(count(enc, (p) => p.trainable), c.backboneTrainable);
    const added = addedParams(applied);
    assert.equal(added.reduce((s, [, p]) => s + p.size, 0), c.added);
    assert.ok(added.every(([, p]) => p.trainable), 'every added parameter trains');
    applied.detach();
    for (const m of Object.values(applied.modules)) m.dispose();
    enc.dispose();
  });

  test(`${c.id}: detach() restores the original output and trainable flags`, () => {
    const enc = new TextEncoder(cfg, 1);
    const flagsBefore = enc.parameters().map((p) => p.trainable);
    const before = lastHidden(enc);
    const applied = applyThroughBackbone(c.id, textEncoderHost(enc), c.config, new Rng(3));
    if (addedParams(applied).length) {
      perturb(applied);
      const hooked = lastHidden(enc);
      // prompt tuning lengthens the sequence; compare its original-token part
      const cmp = hooked.shape[1] === T ? hooked : tf.slice(hooked, [0, hooked.shape[1]! - T, 0], [B, T, H]);
      assert.ok(maxDiff(cmp, before) > 1e-3, `the perturbed ${c.id} modules must change the output`);
      hooked.dispose(); if (cmp !== hooked) cmp.dispose();
    }
    applied.detach();
    const after = lastHidden(enc);
    assert.deepEqual(after.shape, before.shape);
    assert.ok(maxDiff(after, before) < 1e-6, 'output after detach equals the original');
    assert.deepEqual(enc.parameters().map((p) => p.trainable), flagsBefore);
    before.dispose(); after.dispose();
    for (const m of Object.values(applied.modules)) m.dispose();
    enc.dispose();
  });

  test(`${c.id}: AdamW steps reduce a toy loss; frozen parameters get no gradient and do not change`, () => {
    const enc = new TextEncoder(cfg, 1);
    const applied = applyThroughBackbone(c.id, textEncoderHost(enc), c.config, new Rng(3));
    const all: [string, Param][] = [...enc.namedParameters().map(([n, p]) => [`backbone.${n}`, p] as [string, Param]), ...addedParams(applied)];
    const trainable = all.filter(([, p]) => p.trainable).map(([, p]) => p);
    const frozenBefore = new Map(all.filter(([, p]) => !p.trainable).map(([n, p]) => [n, p.value.dataSync().slice()]));
    const addedBefore = new Map(addedParams(applied).map(([n, p]) => [n, p.value.dataSync().slice()]));
    // a fixed, non-trainable head on the first token: the loss can only fall through the method's parameters
    const head = init.normal([H, 2], 0.3, new Rng(5));
    const labels = tf.tensor1d([0, 1, 1], 'int32');
    const { ids, mask } = batch();
    const lossFn = () => {
      const last = enc.forward({ ids, mask }, evalCtx).last;
      const first = tf.reshape(tf.slice(last, [0, 0, 0], [B, 1, H]), [B, H]);
      return crossEntropy(tf.matMul(first, head), labels) as tf.Scalar;
    };
    const opt = new AdamW(trainable, { lr: c.lr });
    const losses: number[] = [];
    for (let step = 0; step < 6; step++) {
      const { value, grads } = tf.variableGrads(lossFn, all.map(([, p]) => p.variable));
      losses.push(value.dataSync()[0]);
      if (step === 0) {
        for (const [n, p] of all) {
          const g = grads[p.variable.name];
          const unused = n.startsWith('backbone.pooler.');   // the toy head does not read the pooler
          if (!p.trainable || unused) assert.ok(g == null, `${n} (${p.trainable ? 'unused' : 'frozen'}) must get no gradient`);
          else assert.ok(g != null, `${n} is trainable and used, it must get a gradient`);
        }
      }
      opt.apply(grads as Record<string, Tensor>);
      value.dispose();
      for (const g of Object.values(grads)) g?.dispose();
    }
    if (process.env.PETL_DEBUG) console.log(c.id, losses.map((l) => l.toFixed(4)).join(" "));
    assert.ok(losses[losses.length - 1] < losses[0] - 1e-3, `${c.id}: loss must fall (${losses.map((l) => l.toFixed(4)).join(' -> ')})`);
    for (const [n, p] of all) {
      if (p.trainable) continue;
      assert.deepEqual(p.value.dataSync(), frozenBefore.get(n), `frozen ${n} changed`);
    }
    for (const [n, p] of addedParams(applied)) {
      assert.notDeepEqual(p.value.dataSync(), addedBefore.get(n), `${n} should have been updated`);
    }
    opt.dispose(); head.dispose(); labels.dispose(); ids.dispose(); mask.dispose();
    applied.detach();
    for (const m of Object.values(applied.modules)) m.dispose();
    enc.dispose();
  });
}

test('lora: the branch starts at zero (B = 0), so the wrapped encoder reproduces the original output', () => {
  const enc = new TextEncoder(cfg, 1);
  const before = lastHidden(enc);
  const applied = applyThroughBackbone('lora', textEncoderHost(enc), {}, new Rng(3));
  const after = lastHidden(enc);
  assert.ok(maxDiff(after, before) < 1e-6);
  const tree = applied.modules.lora;
  const names = tree.namedParameters().map(([n]) => n).sort();
  assert.deepEqual(names, [0, 1].flatMap((i) => ['query', 'value'].flatMap((t) => [`encoder.layer.${i}.attention.self.${t}.lora_A`, `encoder.layer.${i}.attention.self.${t}.lora_B`])).sort());
  before.dispose(); after.dispose(); applied.detach(); tree.dispose(); enc.dispose();
});

test('lora: custom targets are matched at name-segment boundaries and unknown targets are an error', () => {
  const enc = new TextEncoder(cfg, 1);
  const host = textEncoderHost(enc);
  const a = applyThroughBackbone('lora', host, { r: 2, targets: ['dense'] }, new Rng(3));
  // attention.output.dense, intermediate.dense and output.dense of each layer, plus the pooler's dense
  const wrapped = (a.modules.lora.namedParameters().length) / 2;
  assert.equal(wrapped, 3 * L + 1);
  a.detach(); a.modules.lora.dispose();
  assert.throws(() => applyThroughBackbone('lora', host, { targets: ['ery'] }, new Rng(3)), /no linear layer .* matches targets \[ery\]/);
  enc.dispose();
});

test('adapter: near-identity init keeps the output close to the backbone; torch-default init does not', () => {
  const enc = new TextEncoder(cfg, 1);
  const before = lastHidden(enc);
  const near = applyThroughBackbone('adapter', textEncoderHost(enc), {}, new Rng(3));
  const a = lastHidden(enc);
  near.detach(); near.modules.adapter.dispose();
  const torch = applyThroughBackbone('adapter', textEncoderHost(enc), { init: 'torch-default' }, new Rng(3));
  const b = lastHidden(enc);
  torch.detach(); torch.modules.adapter.dispose();
  const dNear = maxDiff(a, before), dTorch = maxDiff(b, before);
  assert.ok(dNear < 0.05, `near-identity adapters moved the output by ${dNear}`);
  assert.ok(dTorch > 5 * dNear, `torch-default adapters (${dTorch}) should move it far more than near-identity ones (${dNear})`);
  for (const t of [before, a, b]) t.dispose();
  enc.dispose();
});

test('prompt: the mask grows by N visible positions and the prompts are seen by every token', () => {
  const N = 4;
  const enc = new TextEncoder(cfg, 1);
  const applied = applyThroughBackbone('prompt', textEncoderHost(enc), { tokens: N }, new Rng(3));
  const { ids, mask } = batch();
  const out1 = enc.forward({ ids, mask }, evalCtx);
  assert.deepEqual(out1.last.shape, [B, N + T, H]);
  assert.deepEqual(out1.mask.shape, [B, N + T]);
  const m = out1.mask.arraySync() as number[][];
  const orig = mask.arraySync() as number[][];
  for (let b = 0; b < B; b++) assert.deepEqual(m[b], [...Array(N).fill(1), ...orig[b]]);
  // changing only the prompt table changes every original position (padded ones included) in every row
  perturb(applied, 1);
  const out2 = enc.forward({ ids, mask }, evalCtx);
  const d = tf.tidy(() => tf.max(tf.abs(tf.sub(out2.last, out1.last)), 2).slice([0, N], [B, T]).arraySync()) as number[][];
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) assert.ok(d[b][t] > 1e-4, `token (${b}, ${t}) does not see the prompts`);
  for (const o of [out1, out2]) { for (const h of o.hiddenStates) h.dispose(); o.mask.dispose(); }
  ids.dispose(); mask.dispose(); applied.detach(); applied.modules.prompt.dispose(); enc.dispose();
});

test('prompt: vocabulary init copies vocabulary rows; after-first keeps the first token in front', () => {
  const N = 3;
  const enc = new TextEncoder(cfg, 1);
  const vocab = enc.embeddings.word_embeddings.weight.value.arraySync() as number[][];
  const applied = applyThroughBackbone('prompt', textEncoderHost(enc), { tokens: N, init: 'vocab-first', position: 'after-first', normalize_init: false }, new Rng(3));
  const table = applied.modules.prompt.parameters()[0].value.arraySync() as number[][];
  assert.deepEqual(table, vocab.slice(0, N));
  // the sequence the encoder layers receive, seen by a probe registered after the prompt hook
  let seen: number[][][] = [];
  const unprobe = enc.embeddings.onSite('output', (x) => { seen = x.arraySync() as number[][][]; return x; });
  const { ids, mask } = batch();
  tf.tidy(() => { enc.embeddings.forward(ids, enc.positionIds(mask), null, evalCtx); });
  unprobe();
  applied.detach();
  const plain = tf.tidy(() => enc.embeddings.forward(ids, enc.positionIds(mask), null, evalCtx).arraySync()) as number[][][];
  for (let b = 0; b < B; b++) {
    assert.equal(seen[b].length, T + N);
    assert.deepEqual(seen[b][0], plain[b][0]);
    for (let k = 0; k < N; k++) assert.deepEqual(seen[b][1 + k], table[k]);
    assert.deepEqual(seen[b].slice(1 + N), plain[b].slice(1));
  }
  ids.dispose(); mask.dispose(); applied.modules.prompt.dispose(); enc.dispose();
});

test('prompt: vocab-random init copies N distinct random rows', () => {
  const enc = new TextEncoder(cfg, 1);
  const vocab = enc.embeddings.word_embeddings.weight.value.arraySync() as number[][];
  const applied = applyThroughBackbone('prompt', textEncoderHost(enc), { tokens: 8, normalize_init: false }, new Rng(3));
  const table = applied.modules.prompt.parameters()[0].value.arraySync() as number[][];
  const rows = table.map((r) => vocab.findIndex((v) => v.every((x, i) => x === r[i])));
  assert.ok(rows.every((r) => r >= 0), 'every prompt row is a vocabulary row');
  assert.equal(new Set(rows).size, 8, 'rows are distinct');
  assert.notDeepEqual(rows, [0, 1, 2, 3, 4, 5, 6, 7], 'rows are not simply the first ones');
  assert.throws(() => applyThroughBackbone('prompt', textEncoderHost(enc), { tokens: V + 1 }, new Rng(3)), /cannot be initialised from distinct rows/);
  applied.detach(); applied.modules.prompt.dispose(); enc.dispose();
});

test('lora: a wrapped linear computes x W + b + (alpha / r) x A B', () => {
  const enc = new TextEncoder(cfg, 1);
  const applied = applyThroughBackbone('lora', textEncoderHost(enc), { r: 2, alpha: 6, dropout: 0 }, new Rng(3));
  perturb(applied);
  const lin = enc.encoder.layer.at(0).attention.self.query;
  const A = applied.modules.lora.getParam('encoder.layer.0.attention.self.query.lora_A').value;
  const Bm = applied.modules.lora.getParam('encoder.layer.0.attention.self.query.lora_B').value;
  const x = init.normal([4, H], 1, new Rng(11));
  const got = tf.tidy(() => lin.forward(x, evalCtx));
  const want = tf.tidy(() => tf.add(tf.add(tf.matMul(x, lin.weight.value), lin.bias!.value), tf.mul(tf.matMul(tf.matMul(x, A), Bm), 3)));
  assert.ok(maxDiff(got, want) < 1e-4);
  for (const t of [x, got, want]) t.dispose();
  applied.detach(); applied.modules.lora.dispose(); enc.dispose();
});

test('adapter: each adapter computes a + up(gelu_new(down(a))) and sits at every host site', () => {
  const enc = new TextEncoder(cfg, 1);
  const host = textEncoderHost(enc);
  const applied = applyThroughBackbone('adapter', host, {}, new Rng(3));
  perturb(applied);
  const tree = applied.modules.adapter;
  const paths = host.adapterSites.map((s) => s.site.replace(':', '.'));
  assert.deepEqual(tree.namedParameters().map(([n]) => n).sort(), paths.flatMap((p) => ['down_sampler', 'up_sampler'].flatMap((l) => [`${p}.${l}.weight`, `${p}.${l}.bias`])).sort());
  const p = paths[1];
  const adapter = tree.getModule(p) as unknown as { forward(x: Tensor, c: ForwardCtx): Tensor };
  const x = init.normal([5, H], 1, new Rng(11));
  const got = tf.tidy(() => adapter.forward(x, evalCtx));
  const want = tf.tidy(() => {
    const z = tf.add(tf.matMul(x, tree.getParam(`${p}.down_sampler.weight`).value), tree.getParam(`${p}.down_sampler.bias`).value);
    // gelu_new = 0.5 z (1 + tanh(sqrt(2/pi) (z + 0.044715 z^3)))
    const g = tf.mul(tf.mul(z, 0.5), tf.add(1, tf.tanh(tf.mul(Math.sqrt(2 / Math.PI), tf.add(z, tf.mul(0.044715, tf.pow(z, 3)))))));
    return tf.add(x, tf.add(tf.matMul(g, tree.getParam(`${p}.up_sampler.weight`).value), tree.getParam(`${p}.up_sampler.bias`).value));
  });
  assert.ok(maxDiff(got, want) < 1e-4);
  for (const t of [x, got, want]) t.dispose();
  applied.detach(); tree.dispose(); enc.dispose();
});

test('prompt: normalize_init standardises each copied vocabulary row (zero mean, unit variance)', () => {
  const enc = new TextEncoder(cfg, 1);
  const vocab = enc.embeddings.word_embeddings.weight.value.arraySync() as number[][];
  const applied = applyThroughBackbone('prompt', textEncoderHost(enc), { tokens: 3, init: 'vocab-first' }, new Rng(3));
  const table = applied.modules.prompt.parameters()[0].value.arraySync() as number[][];
  for (let k = 0; k < 3; k++) {
    const row = vocab[k];
    const mean = row.reduce((s, x) => s + x, 0) / H;
    const sd = Math.sqrt(row.reduce((s, x) => s + (x - mean) ** 2, 0) / H);
    for (let j = 0; j < H; j++) assert.ok(Math.abs(table[k][j] - (row[j] - mean) / sd) < 1e-4, `row ${k} col ${j}`);
  }
  applied.detach(); applied.modules.prompt.dispose(); enc.dispose();
});
