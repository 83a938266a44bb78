// CLIP unit checks: Hugging Face parameter names, the patch matmul against a real strided convolution, the causal
// mask (a token never sees later ones), end-of-text pooling, the mini tokenizer (CLIP's specials as the largest ids,
// truncation keeps <|endoftext|>), prompt insertion after CLS / SOT, and a contrastive step that learns.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import {
  ClipModel, ClipConfigSchema, patchify, eotPositions, writeClipWordTokenizer, encodeClipText, symmetricInfoNce, l2normalize,
  CLIP_SOT, CLIP_EOT, loadClipTokenizer, type ClipConfig,
} from '../../src/backbones/clip/index.js';
import { loadTokenizer } from '../../src/data/tokenizer/index.js';
import { applyClipThroughBackbone, clipHost } from '../../src/petl/hosts/clip.js';
import { AdamW } from '../../src/train/optim.js';

before(async () => { await initBackend('wasm'); });

const EVAL = { training: false, rng: new Rng(0) };
export const TINY: ClipConfig = ClipConfigSchema.parse({
  model_type: 'clip', projection_dim: 8,
  text_config: { vocab_size: 40, hidden_size: 16, intermediate_size: 32, num_hidden_layers: 2, num_attention_heads: 2, max_position_embeddings: 12 },
  vision_config: { hidden_size: 12, intermediate_size: 24, num_hidden_layers: 2, num_attention_heads: 3, image_size: 8, patch_size: 4 },
});
const maxDiff = (a: Tensor, b: Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

test('parameter names are Hugging Face CLIPModel\'s', () => {
  const m = new ClipModel(TINY, 1);
  const names = new Set(m.namedParameters().map(([n]) => n));
  for (const n of [
    'vision_model.embeddings.patch_embedding.weight', 'vision_model.embeddings.class_embedding', 'vision_model.embeddings.position_embedding.weight',
    'vision_model.pre_layrnorm.weight', 'vision_model.encoder.layers.1.self_attn.k_proj.bias', 'vision_model.encoder.layers.0.mlp.fc2.weight',
    'vision_model.post_layernorm.bias', 'text_model.embeddings.token_embedding.weight', 'text_model.embeddings.position_embedding.weight',
    'text_model.encoder.layers.0.self_attn.q_proj.weight', 'text_model.encoder.layers.1.layer_norm2.weight', 'text_model.final_layer_norm.weight',
    'visual_projection.weight', 'text_projection.weight', 'logit_scale',
  ]) assert.ok(names.has(n), n);
  // vision: 3 embedding tensors + pre/post norms (4) + 2 blocks x 16; text: 2 embeddings + final norm (2) + 2 x 16; + 2 projections + scale
  assert.equal(names.size, (3 + 4 + 32) + (2 + 2 + 32) + 3);
  assert.ok(!names.has('visual_projection.bias') && !names.has('vision_model.embeddings.patch_embedding.bias'));
  m.dispose();
});

test('patchify + matmul equals a stride-p convolution with the same filter', () => {
  const x = tf.randomNormal([2, 8, 12, 3], 0, 1, 'float32', 3);
  const W = tf.randomNormal([4, 4, 3, 5], 0, 1, 'float32', 4);
  const conv = tf.conv2d(x as tf.Tensor4D, W as tf.Tensor4D, 4, 'valid');   // [2, 2, 3, 5]
  const mm = tf.matMul(patchify(x, 4) as tf.Tensor2D, tf.reshape(W, [48, 5]) as tf.Tensor2D);
  assert.ok(maxDiff(tf.reshape(conv, [12, 5]), mm) < 1e-4);
});

test('causal text mask: changing a later token leaves every earlier position unchanged', () => {
  const m = new ClipModel(TINY, 2);
  const run = (ids: number[]) => tf.tidy(() => {
    const t = tf.tensor2d(ids, [1, ids.length], 'int32');
    return m.encodeText({ ids: t, mask: tf.onesLike(t), eot: eotPositions(ids, 1, ids.length) }, EVAL).hiddenStates[2];
  });
  const a = run([38, 5, 6, 7, 39, 0]), b = run([38, 5, 6, 9, 39, 0]);
  assert.ok(maxDiff(tf.slice(a, [0, 0, 0], [1, 3, 16]), tf.slice(b, [0, 0, 0], [1, 3, 16])) < 1e-6, 'positions 0..2 unchanged');
  assert.ok(maxDiff(tf.slice(a, [0, 3, 0], [1, 1, 16]), tf.slice(b, [0, 3, 0], [1, 1, 16])) > 1e-3, 'position 3 changed');
  m.dispose();
});

test('text pooling reads the end-of-text token: padding after it changes nothing', () => {
  const m = new ClipModel(TINY, 3);
  const emb = (ids: number[]) => tf.tidy(() => {
    const t = tf.tensor2d(ids, [1, ids.length], 'int32');
    return m.encodeText({ ids: t, mask: tf.notEqual(t, 0), eot: eotPositions(ids, 1, ids.length) }, EVAL).embedding;
  });
  assert.ok(maxDiff(emb([38, 4, 39]), emb([38, 4, 39, 0, 0, 0])) < 1e-5);
  assert.ok(maxDiff(emb([38, 4, 39]), emb([38, 5, 39])) > 1e-4);
  m.dispose();
});

test('mini tokenizer: <|startoftext|> words <|endoftext|>, specials the two largest ids, truncation keeps the end token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clip-tok-'));
  try {
    const { vocabSize, sot, eot } = writeClipWordTokenizer(dir, ['a', 'red', 'circle', 'moves', 'left', '.']);
    assert.deepEqual([sot, eot, vocabSize], [8, 9, 10]);
    const tok = await loadTokenizer(dir);
    assert.equal(tok.tokenToId(CLIP_SOT), 8); assert.equal(tok.tokenToId(CLIP_EOT), 9);
    const enc = encodeClipText(tok, ['a red circle moves left .', 'a circle', 'A RED zebra'], 6);
    assert.deepEqual([...enc.ids.slice(0, 6)], [8, 2, 3, 4, 5, 9]);   // truncated to 6: the end token survives
    assert.deepEqual([...enc.ids.slice(6, 12)], [8, 2, 4, 9, 0, 0]);  // padded with [PAD] = 0
    assert.deepEqual([...enc.ids.slice(12, 18)], [8, 2, 3, 1, 9, 0]); // lowercased; unknown word -> [UNK] = 1
    assert.deepEqual(enc.eot, [5, 3, 4]);
    assert.deepEqual([...enc.mask.slice(6, 12)], [1, 1, 1, 1, 0, 0]);
    const cfg = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8'));
    assert.equal(cfg.eos_token, CLIP_EOT);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('prompt tuning inserts tokens after CLS (vision) and after SOT (text); pooling follows them', () => {
  const m = new ClipModel(TINY, 4);
  const pixels = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 5);
  const ids = tf.tensor2d([[38, 4, 5, 39], [38, 6, 39, 0]], [2, 4], 'int32');
  const eot = eotPositions([38, 4, 5, 39, 38, 6, 39, 0], 2, 4);
  const before = tf.tidy(() => m.encodeText({ ids, mask: tf.notEqual(ids, 0), eot }, EVAL).embedding);
  const sotState = tf.tidy(() => tf.slice(m.encodeText({ ids, mask: ids, eot }, EVAL).hiddenStates[2], [0, 0, 0], [2, 1, 16]));
  const applied = applyClipThroughBackbone('prompt', m, { tokens: 3, init: 'uniform' }, new Rng(1));
  assert.deepEqual(Object.keys(applied.modules).sort(), ['prompt_text', 'prompt_vision']);
  const img = m.encodeImage(pixels, EVAL);
  assert.deepEqual(img.hiddenStates[0].shape, [2, 1 + 3 + 4, 12]);
  const txt = m.encodeText({ ids, mask: tf.notEqual(ids, 0), eot }, EVAL);
  assert.deepEqual(txt.hiddenStates[0].shape, [2, 7, 16]);
  assert.deepEqual(txt.eot, [6, 5]);
  assert.deepEqual([...txt.mask.dataSync()], [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  // the start token's state is untouched by prompts that come after it (causal), the pooled one is not
  assert.ok(maxDiff(tf.slice(txt.hiddenStates[2], [0, 0, 0], [2, 1, 16]), sotState) < 1e-6);
  assert.ok(maxDiff(before, txt.embedding) > 1e-4);
  assert.equal(m.logit_scale.trainable, false);
  assert.ok(m.parameters().filter((p) => p.trainable).length === 0, 'backbone frozen under prompt tuning');
  applied.detach();
  const after = tf.tidy(() => m.encodeText({ ids, mask: tf.notEqual(ids, 0), eot }, EVAL).embedding);
  assert.ok(maxDiff(before, after) < 1e-6, 'detach restores the plain model');
  assert.throws(() => applyClipThroughBackbone('prompt', m, { position: 'after-first' }, new Rng(1)), /position must be "prepend"/);
  m.dispose();
});

test('host: LoRA on q_proj/v_proj and adapters after attention and MLP, in both towers', () => {
  const m = new ClipModel(TINY, 5);
  const h = clipHost(m);
  assert.equal(h.adapterSites.length, 2 * 2 * 2);
  assert.deepEqual(h.adapterSites.filter((s) => s.site.startsWith('vision_model')).map((s) => s.width), [12, 12, 12, 12]);
  const lora = applyClipThroughBackbone('lora', m, { r: 2 }, new Rng(2));
  const names = (lora.modules.lora.namedParameters()).map(([n]) => n);
  assert.ok(names.includes('vision_model.encoder.layers.1.self_attn.q_proj.lora_A'));
  assert.ok(names.includes('text_model.encoder.layers.0.self_attn.v_proj.lora_B'));
  assert.ok(!names.some((n) => n.includes('k_proj')));
  assert.equal(m.logit_scale.trainable, false);
  lora.detach();
  const full = applyClipThroughBackbone('full', m, {}, new Rng(2));
  assert.equal(m.logit_scale.trainable, false);
  assert.ok(m.visual_projection.weight.trainable && m.text_model.embeddings.token_embedding.weight.trainable);
  full.detach();
  m.dispose();
});

test('a few contrastive steps raise the diagonal of the similarity matrix', () => {
  const m = new ClipModel(TINY, 6);
  const pixels = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 9);
  const rows = [[38, 2, 39], [38, 3, 39], [38, 4, 39], [38, 5, 39]];
  const ids = tf.tensor2d(rows, [4, 3], 'int32');
  const eot = eotPositions(rows.flat(), 4, 3);
  const ctx = { training: true, rng: new Rng(1) };
  const loss = () => {
    const v = l2normalize(m.encodeImage(pixels, ctx).embedding), t = l2normalize(m.encodeText({ ids, mask: ids, eot }, ctx).embedding);
    return symmetricInfoNce(tf.mul(tf.matMul(t, tf.transpose(v)), 10)) as tf.Scalar;
  };
  const params = m.parameters();
  const opt = new AdamW(params, { lr: 3e-3 });
  const first = tf.tidy(() => loss().dataSync()[0]);
  for (let i = 0; i < 25; i++) {
    const { value, grads } = tf.variableGrads(loss, params.map((p) => p.variable));
    opt.apply(grads); tf.dispose([value, ...Object.values(grads)]);
  }
  const last = tf.tidy(() => loss().dataSync()[0]);
  assert.ok(last < first * 0.5, `loss ${first} -> ${last}`);
  opt.dispose(); m.dispose();
});

/** A CLIP-style byte-level BPE tokenizer.json (the structure of openai/clip-vit-base-patch32's, tiny vocabulary). */
function writeClipBpe(dir: string): void {
  const vocab: Record<string, number> = {};
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  for (const c of letters) vocab[c] = Object.keys(vocab).length;
  for (const c of letters) vocab[`${c}</w>`] = Object.keys(vocab).length;
  const merges = ['r e', 're d</w>', 'c i', 'ci r', 'cir c', 'circ l', 'circl e</w>', 'b l', 'bl u', 'blu e</w>'];
  for (const m of merges) vocab[m.replace(' ', '')] = Object.keys(vocab).length;
  vocab['<|startoftext|>'] = Object.keys(vocab).length;
  vocab['<|endoftext|>'] = Object.keys(vocab).length;
  const added = (t: string, normalized: boolean) => ({ id: vocab[t], content: t, single_word: false, lstrip: false, rstrip: false, normalized, special: true });
  const json = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [added('<|startoftext|>', true), added('<|endoftext|>', false)],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }] },
    pre_tokenizer: { type: 'Sequence', pretokenizers: [
      { type: 'Split', pattern: { Regex: "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+" }, behavior: 'Removed', invert: true },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false }] },
    post_processor: { type: 'RobertaProcessing', sep: ['<|endoftext|>', vocab['<|endoftext|>']], cls: ['<|startoftext|>', vocab['<|startoftext|>']], trim_offsets: false, add_prefix_space: false },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '</w>', fuse_unk: false, byte_fallback: false, vocab, merges },
  };
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
  writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'CLIPTokenizer', bos_token: '<|startoftext|>', eos_token: '<|endoftext|>', pad_token: '<|endoftext|>', unk_token: '<|endoftext|>', model_max_length: 77, do_lower_case: true }));
}

test('a CLIP byte-level BPE tokenizer folder loads offline and encodes <|startoftext|> pieces <|endoftext|>', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'clip-bpe-'));
  try {
    writeClipBpe(dir);
    const tok = await loadClipTokenizer(dir);
    assert.equal(tok.vocabSize, 64);
    const enc = encodeClipText(tok, ['A red  circle', 'blue'], 8);
    // a</w> = 26, red</w> = 53, circle</w> = 58, blue</w> = 61; SOT 62, EOT 63 (also the pad token, as in HF's CLIP)
    assert.deepEqual([...enc.ids.slice(0, 8)], [62, 26, 53, 58, 63, 63, 63, 63]);
    assert.deepEqual([...enc.ids.slice(8, 11)], [62, 61, 63]);
    assert.deepEqual(enc.eot, [4, 2]);
    assert.deepEqual([...enc.mask.slice(0, 8)], [1, 1, 1, 1, 1, 0, 0, 0]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
