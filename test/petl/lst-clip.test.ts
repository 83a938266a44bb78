// LST on CLIP: side widths and heads, layer dropping, the ladder/gate wiring, the frozen head path (with a zero
// upsample and output 'add' the side network reproduces CLIP's own embeddings), the pruning init (side weights are
// the kept sub-matrices of the backbone), and gradients that stay in the side network.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { ClipModel, ClipConfigSchema, eotPositions } from '../../src/backbones/clip/index.js';
import { ClipLst, clipSideDims } from '../../src/petl/lst-clip/index.js';
import { LstConfigSchema, type LstConfig } from '../../src/petl/lst/index.js';

before(async () => { await initBackend('wasm'); });

const CFG = ClipConfigSchema.parse({
  model_type: 'clip', projection_dim: 8,
  text_config: { vocab_size: 40, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 4, num_attention_heads: 4, max_position_embeddings: 12 },
  vision_config: { hidden_size: 12, intermediate_size: 24, num_hidden_layers: 3, num_attention_heads: 3, image_size: 8, patch_size: 4 },
});
const EVAL = { training: false, rng: new Rng(0) };
const lst = (c: Record<string, unknown> = {}): LstConfig => LstConfigSchema.parse(c);
const maxDiff = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

function frozenOutputs(m: ClipModel) {
  const pixels = tf.randomNormal([3, 8, 8, 3], 0, 1, 'float32', 11);
  const rows = [38, 4, 5, 39, 0, 38, 7, 39, 0, 0, 38, 1, 2, 3, 39];
  const ids = tf.tensor2d(rows, [3, 5], 'int32');
  const eot = eotPositions(rows, 3, 5);
  const img = m.encodeImage(pixels, EVAL), txt = m.encodeText({ ids, mask: tf.notEqual(ids, 0), eot }, EVAL);
  return { img, txt, eot };
}

test('side dimensions, heads and LST\'s layer dropping per tower', () => {
  const m = new ClipModel(CFG, 1);
  const s = new ClipLst(m, lst({ r: 2, init: 'random' }), new Rng(1));
  assert.deepEqual([s.vision.side.hidden_size, s.vision.side.intermediate_size, s.vision.side.num_attention_heads], [6, 12, 3]);
  assert.deepEqual([s.text.side.hidden_size, s.text.side.num_attention_heads], [8, 4]);
  assert.deepEqual(s.vision.layers, [1, 2]);        // 3 layers: drop layer 0
  assert.deepEqual(s.text.layers, [1, 2, 3]);
  assert.ok(m.parameters().every((p) => !p.trainable), 'CLIP frozen');
  assert.deepEqual(clipSideDims(CFG.vision_config, 4), { ...CFG.vision_config, hidden_size: 3, intermediate_size: 6, num_attention_heads: 3 });
  assert.throws(() => new ClipLst(m, lst({ layers: [5] }), new Rng(1)), /layers \[5\] do not exist/);
  m.dispose(); s.dispose();
});

test('with a zero upsample and output "add", the side path reproduces CLIP\'s embeddings (frozen norm + projection)', () => {
  const m = new ClipModel(CFG, 2);
  const s = new ClipLst(m, lst({ r: 2, output: 'add', init: 'random' }), new Rng(2));
  for (const side of [s.vision, s.text]) {
    side.side_final_upsample.weight.assign(tf.zerosLike(side.side_final_upsample.weight.value));
    side.side_final_upsample.bias!.assign(tf.zerosLike(side.side_final_upsample.bias!.value));
  }
  tf.tidy(() => {
    const { img, txt, eot } = frozenOutputs(m);
    assert.ok(maxDiff(s.image(img.hiddenStates, EVAL), img.embedding) < 1e-5);
    assert.ok(maxDiff(s.textEmbedding(txt.hiddenStates, eot, EVAL), txt.embedding) < 1e-5);
  });
  m.dispose(); s.dispose();
});

test('gates: with mu = 0 a kept layer reads only its ladder, so the transformer input stops mattering', () => {
  const m = new ClipModel(CFG, 3);
  const closed = new ClipLst(m, lst({ r: 2, gate_alpha: -1e4, init: 'random' }), new Rng(3));
  const open = new ClipLst(m, lst({ r: 2, gate_alpha: 0, init: 'random' }), new Rng(3));
  tf.tidy(() => {
    const { img } = frozenOutputs(m);
    const moved = [tf.add(img.hiddenStates[0], 1), ...img.hiddenStates.slice(1)];
    assert.ok(maxDiff(closed.image(img.hiddenStates, EVAL), closed.image(moved, EVAL)) < 1e-6);
    assert.ok(maxDiff(open.image(img.hiddenStates, EVAL), open.image(moved, EVAL)) > 1e-4);
    // and the last backbone block's output feeds the last side block through its ladder
    const last = [...img.hiddenStates.slice(0, 3), tf.add(img.hiddenStates[3], 1)];
    assert.ok(maxDiff(closed.image(img.hiddenStates, EVAL), closed.image(last, EVAL)) > 1e-4);
  });
  m.dispose(); closed.dispose(); open.dispose();
});

test('pruning init copies the kept rows and columns of the backbone blocks', () => {
  const m = new ClipModel(CFG, 4);
  const s = new ClipLst(m, lst({ r: 2 }), new Rng(4));
  const plan = s.plans!.text;
  assert.equal(plan.layers.length, 4);
  for (const i of s.text.layers) {
    const ch = plan.layers[i], src = m.text_model.encoder.layers.at(i), dst = s.text.block(i);
    assert.deepEqual(ch.input, i === 0 ? plan.seed : plan.layers[i - 1].out);
    const want = tf.tidy(() => tf.gather(tf.gather(src.self_attn.q_proj.weight.value, ch.input, 0), ch.qkv, 1));
    assert.ok(maxDiff(dst.self_attn.q_proj.weight.value, want) < 1e-7);
    const fc2 = tf.tidy(() => tf.gather(tf.gather(src.mlp.fc2.weight.value, ch.inter, 0), ch.out, 1));
    assert.ok(maxDiff(dst.mlp.fc2.weight.value, fc2) < 1e-7);
    const ln = tf.tidy(() => tf.gather(src.layer_norm1.weight.value, ch.input));
    assert.ok(maxDiff(dst.layer_norm1.weight.value, ln) < 1e-7);
    assert.ok([ch.qkv, ch.out].every((a) => a.length === 8 && a.every((x, k) => k === 0 || x > a[k - 1])));
  }
  m.dispose(); s.dispose();
});

test('gradients reach every side parameter and nothing else', () => {
  const m = new ClipModel(CFG, 5);
  const s = new ClipLst(m, lst({ r: 2 }), new Rng(5));
  const { img, txt, eot } = frozenOutputs(m);
  const ctx = { training: true, rng: new Rng(1) };
  const side = s.parameters();
  const { value, grads } = tf.variableGrads(() => tf.add(tf.sum(tf.square(s.image(img.hiddenStates, ctx))), tf.sum(tf.square(s.textEmbedding(txt.hiddenStates, eot, ctx)))) as tf.Scalar, side.map((p) => p.variable));
  for (const [n, p] of s.namedParameters()) {
    const g = grads[p.variable.name];
    assert.ok(g, `no gradient for ${n}`);
    // every side tensor takes part; gate scalars and block weights get a non-zero gradient
    if (/side_gate_params|q_proj\.weight|fc1\.weight/.test(n)) assert.ok(tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0]) > 0, n);
  }
  assert.ok(m.parameters().every((p) => !p.trainable));
  tf.dispose([value, ...Object.values(grads)]);
  m.dispose(); s.dispose();
});
