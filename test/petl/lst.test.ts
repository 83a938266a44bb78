// Ladder Side-Tuning on a tiny BERT: gates, layer dropping, the ladder wiring (which hidden state feeds which side
// block), output modes, gradients confined to the side network, the magnitude-pruning init, and a short training run.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { TextEncoder } from '../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema } from '../../src/backbones/text/config.js';
import type { ForwardCtx } from '../../src/nn/module.js';
import type { Param } from '../../src/nn/param.js';
import { AdamW } from '../../src/train/optim.js';
import { crossEntropy } from '../../src/train/losses.js';
import * as init from '../../src/nn/init.js';
import { LstConfigSchema, lstDefaultLayers, resolveLstLayers, buildTextLst, sideHeads, type LstConfig } from '../../src/petl/lst/index.js';
import { parseMethodConfig } from '../../src/petl/apply.js';
import { LST_METHOD } from '../../src/petl/lst/index.js';

const V = 50, H = 32, L = 2, F = 64;
const cfg = TextEncoderConfigSchema.parse({
  vocab_size: V, hidden_size: H, num_hidden_layers: L, num_attention_heads: 2, intermediate_size: F,
  hidden_dropout_prob: 0, attention_probs_dropout_prob: 0, max_position_embeddings: 64,
});
const B = 3, T = 5;
const ctx: ForwardCtx = { training: false, rng: new Rng(7) };
const lst = (c: Partial<LstConfig> & Record<string, unknown> = {}): LstConfig => LstConfigSchema.parse(c);

before(async () => { await initBackend('wasm'); });

/** The backbone's hidden states and mask, computed outside any gradient tape. */
function hidden(enc: TextEncoder): { hs: Tensor[]; mask: Tensor } {
  const ids = tf.tensor2d([[1, 5, 9, 2, 0], [1, 7, 3, 2, 0], [1, 4, 11, 19, 2]], [B, T], 'int32');
  const mask = tf.tensor2d([[1, 1, 1, 1, 0], [1, 1, 1, 1, 0], [1, 1, 1, 1, 1]], [B, T], 'float32');
  const out = tf.tidy(() => { const o = enc.forward({ ids, mask }, ctx); return [...o.hiddenStates, o.mask]; });
  ids.dispose(); mask.dispose();
  return { hs: out.slice(0, -1), mask: out[out.length - 1] };
}
const dispose = (ts: Tensor[]) => { for (const t of ts) t.dispose(); };
const maxDiff = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

test('layer dropping: LST\'s 12-layer list, and the every-4th-from-0 rule at other depths', () => {
  // LST T5-base scripts: encoder_side_layers = [1,2,3,5,6,7,9,10,11]
  assert.deepEqual(lstDefaultLayers(12), [1, 2, 3, 5, 6, 7, 9, 10, 11]);
  assert.deepEqual(lstDefaultLayers(2), [1]);
  assert.deepEqual(lstDefaultLayers(4), [1, 2, 3]);
  assert.deepEqual(lstDefaultLayers(6), [1, 2, 3, 5]);
  assert.deepEqual(lstDefaultLayers(1), [0]);
  assert.equal(lstDefaultLayers(24).length, 18);
  assert.deepEqual(resolveLstLayers('all', 3), [0, 1, 2]);
  assert.deepEqual(resolveLstLayers([2, 0], 3), [0, 2]);
  assert.throws(() => resolveLstLayers([1, 3], 3), /layers \[3\] do not exist in a 3-layer backbone/);
  assert.throws(() => resolveLstLayers([1, 1], 3), /lists a layer twice/);
});

test('side heads: same count when it divides the side width, else the largest that does', () => {
  assert.equal(sideHeads(96, 12), 12);   // BERT-base / T5-base at r = 8
  assert.equal(sideHeads(4, 2), 2);
  assert.equal(sideHeads(4, 3), 2);
  assert.equal(sideHeads(10, 4), 2);
  assert.equal(sideHeads(7, 4), 1);
});

test('parameter count of the side network matches the hand count; the backbone is frozen', () => {
  const enc = new TextEncoder(cfg, 1);
  const side = buildTextLst(enc, lst(), new Rng(2));
  // r = 8: side width 4, FFN 8; 2 layers keep [1]
  const lin = (i: number, o: number) => i * o + o;
  const block = 4 * lin(4, 4) + lin(4, 8) + lin(8, 4) + 2 * 2 * 4;
  const expected = lin(H, 4) /* first */ + lin(H, 4) /* downsample 1 */ + block + 1 /* gate */ + 2 * 4 /* final LN */ + lin(4, H) /* up */;
  const n = side.parameters().reduce((s, p) => s + p.size, 0);
  assert.equal(n, expected);
  assert.ok(side.parameters().every((p) => p.trainable));
  assert.ok(enc.parameters().every((p) => !p.trainable), 'LST freezes the backbone');
  assert.deepEqual(side.layers, [1]);
  assert.ok(side.namedParameters().some(([name]) => name === 'side_block.1.attention.self.query.weight'));
  const noBias = buildTextLst(enc, lst({ add_bias_sampling: false, final_layer_norm: false }), new Rng(2));
  assert.equal(noBias.parameters().reduce((s, p) => s + p.size, 0), expected - 4 - 4 - H - 2 * 4);
  side.dispose(); noBias.dispose(); enc.dispose();
});

test('gates start at sigmoid(0) = 0.5 and the forward pass is the LST ladder', () => {
  const enc = new TextEncoder(cfg, 1);
  const side = buildTextLst(enc, lst({ layers: 'all' }), new Rng(2));
  for (const i of side.layers) assert.deepEqual(Array.from(side.gate(i).value.dataSync()), [0]);
  const { hs, mask } = hidden(enc);
  // a reference written from the LST update rule with explicit gate values
  const reference = (mu: number[]) => tf.tidy(() => {
    const flat = (x: Tensor) => tf.reshape(x, [B * T, H]);
    const maskAdd = tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [B, 1, 1, T]);
    let h = side.side_first_downsample.forward(flat(hs[0]), ctx);
    side.layers.forEach((i, k) => {
      h = tf.add(tf.mul(h, mu[k]), tf.mul(side.side_downsamples.get(String(i))!.forward(flat(hs[i + 1]), ctx), 1 - mu[k]));
      h = side.side_block.get(String(i))!.forward(h, B, T, maskAdd, ctx);
    });
    return tf.reshape(side.side_final_upsample.forward(side.side_final_layer_norm!.forward(h), ctx), [B, T, H]);
  });
  const out = side.forward(hs, mask, ctx);
  assert.deepEqual(out.shape, [B, T, H]);
  const ref = reference([0.5, 0.5]);
  assert.ok(maxDiff(out, ref) < 1e-5);
  // alpha = T ln 3 gives mu = 0.75 (temperature T = 0.1); alpha = -T ln 3 gives 0.25
  side.gate(0).assign(tf.tensor1d([0.1 * Math.log(3)]));
  side.gate(1).assign(tf.tensor1d([-0.1 * Math.log(3)]));
  const out2 = side.forward(hs, mask, ctx);
  const ref2 = reference([0.75, 0.25]);
  assert.ok(maxDiff(out2, ref2) < 1e-5);
  assert.ok(maxDiff(out2, ref) > 1e-4, 'the gates matter');
  dispose([out, ref, out2, ref2, ...hs, mask]);
  side.dispose(); enc.dispose();
});

test('ladder wiring: a kept layer i reads the output of backbone layer i; dropped layers are not read', () => {
  const enc = new TextEncoder(cfg, 1);
  const side = buildTextLst(enc, lst({ layers: [1] }), new Rng(2));
  const { hs, mask } = hidden(enc);
  const base = side.forward(hs, mask, ctx);
  const bump = (k: number) => hs.map((h, j) => (j === k ? tf.add(h, 1) : h));
  const changed = (k: number) => { const hk = bump(k); const o = side.forward(hk, mask, ctx); const d = maxDiff(o, base); o.dispose(); hk[k].dispose(); return d; };
  assert.ok(changed(0) > 1e-4, 'the embeddings output feeds side_first_downsample');
  assert.equal(changed(1), 0, 'layer 0 has no side block, so its output is not read');
  assert.ok(changed(2) > 1e-4, 'the output of layer 1 feeds side block 1');
  dispose([base, ...hs, mask]);
  side.dispose(); enc.dispose();
});

test('output modes: add = backbone last hidden state + replace output', () => {
  const enc = new TextEncoder(cfg, 1);
  const rep = buildTextLst(enc, lst(), new Rng(2));
  const add = buildTextLst(enc, lst({ output: 'add' }), new Rng(2));
  const { hs, mask } = hidden(enc);
  const a = rep.forward(hs, mask, ctx), b = add.forward(hs, mask, ctx);
  const d = tf.tidy(() => tf.sub(b, a));
  assert.deepEqual(b.shape, [B, T, H]);
  assert.ok(maxDiff(d, hs[L]) < 1e-5);
  dispose([a, b, d, ...hs, mask]);
  rep.dispose(); add.dispose(); enc.dispose();
});

test('gradients reach only side parameters, and a few AdamW steps reduce a toy loss', () => {
  const enc = new TextEncoder(cfg, 1);
  const side = buildTextLst(enc, lst({ layers: 'all' }), new Rng(2));
  const { hs, mask } = hidden(enc);
  const head = init.normal([H, 2], 0.3, new Rng(5));
  const labels = tf.tensor1d([0, 1, 1], 'int32');
  const all: [string, Param][] = [...enc.namedParameters().map(([n, p]) => [`backbone.${n}`, p] as [string, Param]), ...side.namedParameters('lst.')];
  const frozenBefore = new Map(enc.namedParameters().map(([n, p]) => [n, p.value.dataSync().slice()]));
  const lossFn = () => {
    const out = side.forward(hs, mask, ctx);
    return crossEntropy(tf.matMul(tf.reshape(tf.slice(out, [0, 0, 0], [B, 1, H]), [B, H]), head), labels) as tf.Scalar;
  };
  const opt = new AdamW(side.parameters(), { lr: 3e-3 });
  const losses: number[] = [];
  for (let step = 0; step < 6; step++) {
    const { value, grads } = tf.variableGrads(lossFn, all.map(([, p]) => p.variable));
    losses.push(value.dataSync()[0]);
    if (step === 0) {
      for (const [n, p] of all) {
        if (n.startsWith('backbone.')) assert.ok(grads[p.variable.name] == null, `${n} must get no gradient`);
        else assert.ok(grads[p.variable.name] != null, `${n} must get a gradient`);
      }
    }
    opt.apply(grads as Record<string, Tensor>);
    value.dispose();
    for (const g of Object.values(grads)) g?.dispose();
  }
  assert.ok(losses[losses.length - 1] < losses[0] - 1e-3, `loss must fall (${losses.map((l) => l.toFixed(4)).join(' -> ')})`);
  for (const [n, p] of enc.namedParameters()) assert.deepEqual(p.value.dataSync(), frozenBefore.get(n), `${n} changed`);
  assert.ok(side.gate(0).value.dataSync()[0] !== 0, 'the gates train');
  opt.dispose(); head.dispose(); labels.dispose(); dispose([...hs, mask]);
  side.dispose(); enc.dispose();
});

// ---- pruning init: an independent reference on plain arrays ----
type M = number[][];
const arr = (p: Param) => p.value.arraySync() as M;
const vec = (p: Param) => Array.from(p.value.dataSync());
/** Top-k column ids (by L1 of the elementwise product of |W_j| over the given rows), ascending. */
function refKeep(ws: M[], rows: number[], k: number): number[] {
  const cols = ws[0][0].length;
  const score = Array.from({ length: cols }, (_, c) => rows.reduce((s, r) => s + ws.reduce((prod, w) => prod * Math.abs(w[r][c]), 1), 0));
  return Array.from({ length: cols }, (_, c) => c).sort((a, b) => score[b] - score[a] || a - b).slice(0, k).sort((a, b) => a - b);
}
const sub = (w: M, rows: number[], cols: number[]) => rows.map((r) => cols.map((c) => w[r][c]));
const pick = (v: number[], cols: number[]) => cols.map((c) => v[c]);
function close(a: M | number[], b: M | number[], what: string): void {
  const fa = (a as (number | number[])[]).flat(), fb = (b as (number | number[])[]).flat();
  assert.equal(fa.length, fb.length, what);
  for (let i = 0; i < fa.length; i++) assert.ok(Math.abs(fa[i] - fb[i]) < 1e-7, `${what}[${i}]: ${fa[i]} vs ${fb[i]}`);
}

test('pruning init keeps the largest-norm channels and copies those weights into the side blocks', () => {
  const enc = new TextEncoder(cfg, 1);
  // plant strong channels: embedding channels {3, 17, 20, 30} and query columns {1, 5, 9, 13} of layer 0 are 10x
  const scaleCols = (p: Param, cols: number[]) => {
    const w = arr(p);
    for (const row of w) for (const c of cols) row[c] *= 10;
    p.assign(tf.tensor2d(w));
  };
  scaleCols(enc.embeddings.word_embeddings.weight, [3, 17, 20, 30]);
  scaleCols(enc.encoder.layer.at(0).attention.self.query.weight, [1, 5, 9, 13]);
  const side = buildTextLst(enc, lst({ layers: 'all' }), new Rng(2));
  const plan = side.plan!;
  assert.deepEqual(plan.embed, [3, 17, 20, 30]);
  assert.deepEqual(plan.layers[0].qkv, [1, 5, 9, 13]);
  // every selection and copied weight against the plain-array reference
  // embedding channels: column L1 of the [V, H] table over the whole vocabulary
  let prev = refKeep([arr(enc.embeddings.word_embeddings.weight)], [...Array(V).keys()], 4);
  assert.deepEqual(prev, plan.embed);
  for (let i = 0; i < L; i++) {
    const src = enc.encoder.layer.at(i), dst = side.side_block.get(String(i))!;
    const q = arr(src.attention.self.query.weight), k = arr(src.attention.self.key.weight), v = arr(src.attention.self.value.weight);
    const qkv = refKeep([q, k, v], prev, 4);
    const ao = refKeep([arr(src.attention.output.dense.weight)], qkv, 4);
    const mid = refKeep([arr(src.intermediate.dense.weight)], ao, 8);
    const out = refKeep([arr(src.output.dense.weight)], mid, 4);
    assert.deepEqual(plan.layers[i], { qkv, attnOut: ao, inter: mid, out });
    close(arr(dst.attention.self.query.weight), sub(q, prev, qkv), `layer ${i} query`);
    close(arr(dst.attention.self.key.weight), sub(k, prev, qkv), `layer ${i} key`);
    close(arr(dst.attention.self.value.weight), sub(v, prev, qkv), `layer ${i} value`);
    close(vec(dst.attention.self.value.bias!), pick(vec(src.attention.self.value.bias!), qkv), `layer ${i} value bias`);
    close(arr(dst.attention.output.dense.weight), sub(arr(src.attention.output.dense.weight), qkv, ao), `layer ${i} attention.output.dense`);
    close(vec(dst.attention.output.LayerNorm.weight), pick(vec(src.attention.output.LayerNorm.weight), ao), `layer ${i} LN1`);
    close(arr(dst.intermediate.dense.weight), sub(arr(src.intermediate.dense.weight), ao, mid), `layer ${i} intermediate`);
    close(vec(dst.intermediate.dense.bias!), pick(vec(src.intermediate.dense.bias!), mid), `layer ${i} intermediate bias`);
    close(arr(dst.output.dense.weight), sub(arr(src.output.dense.weight), mid, out), `layer ${i} output.dense`);
    close(vec(dst.output.LayerNorm.bias), pick(vec(src.output.LayerNorm.bias), out), `layer ${i} LN2 beta`);
    prev = out;
  }
  side.dispose(); enc.dispose();
});

test('random init leaves the side blocks as fresh BERT layers (no pruning plan)', () => {
  const enc = new TextEncoder(cfg, 1);
  const side = buildTextLst(enc, lst({ init: 'random' }), new Rng(2));
  assert.equal(side.plan, null);
  const b = side.side_block.get('1')!;
  assert.deepEqual(vec(b.output.LayerNorm.weight), [1, 1, 1, 1]);
  assert.deepEqual(vec(b.attention.self.query.bias!), [0, 0, 0, 0]);
  side.dispose(); enc.dispose();
});

test('config: defaults follow LST; unknown keys and impossible widths are errors naming the key', () => {
  const c = parseMethodConfig(LST_METHOD, {});
  assert.equal(c.r, 8); assert.equal(c.gate_T, 0.1); assert.equal(c.gate_alpha, 0);
  assert.equal(c.add_bias_sampling, true); assert.equal(c.init, 'prune-magnitude'); assert.equal(c.output, 'replace');
  assert.throws(() => parseMethodConfig(LST_METHOD, { r: 8, gateT: 0.1 }), /method "lst".*unknown key "gateT"/);
  assert.throws(() => parseMethodConfig(LST_METHOD, { init: 'fisher' }), /init/);
  const enc = new TextEncoder(cfg, 1);
  assert.throws(() => buildTextLst(enc, lst({ r: 64 }), new Rng(2)), /r = 64 leaves no side width/);
  const side = buildTextLst(enc, lst({ layers: [0, 1] }), new Rng(2));
  const { hs, mask } = hidden(enc);
  assert.throws(() => side.forward(hs.slice(1), mask, ctx), /expected 3 hidden states/);
  dispose([...hs, mask]); side.dispose(); enc.dispose();
});
