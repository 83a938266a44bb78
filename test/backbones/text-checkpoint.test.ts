import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import type { Module } from '../../src/nn/module.js';
import { TextEncoder } from '../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema, type TextEncoderConfig } from '../../src/backbones/text/config.js';
import { MlmHead } from '../../src/backbones/text/mlm-head.js';
import { saveTextEncoder, loadTextEncoder, textEncoderTensors, textEncoderConfigJson } from '../../src/backbones/text/checkpoint.js';
import { readSafetensors, writeSafetensors, type TensorToWrite } from '../../src/backbones/hf/safetensors.js';
import { mlmLogits } from '../../src/backbones/text/pretrain.js';

before(async () => { await initBackend('wasm'); });

const BERT: TextEncoderConfig = TextEncoderConfigSchema.parse({
  model_type: 'bert', vocab_size: 30, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32,
  max_position_embeddings: 16, type_vocab_size: 2, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0,
});
const ROBERTA: TextEncoderConfig = TextEncoderConfigSchema.parse({
  model_type: 'roberta', vocab_size: 30, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 24,
  max_position_embeddings: 12, type_vocab_size: 1, pad_token_id: 1, layer_norm_eps: 1e-5, hidden_dropout_prob: 0, attention_probs_dropout_prob: 0,
});
const EVAL = { training: false, rng: new Rng(0) };

function tmp(): string { return mkdtempSync(join(tmpdir(), 'ckpt-')); }

function values(m: Module): Map<string, number[]> {
  return new Map(m.namedParameters().map(([n, p]) => [n, Array.from(p.value.dataSync())]));
}

/** Makes every parameter distinct from its seeded init (LayerNorms and biases start at 1/0). */
function scramble(m: Module, seed: number): void {
  const rng = new Rng(seed);
  for (const [, p] of m.namedParameters()) {
    tf.tidy(() => p.assign(tf.tensor(Float32Array.from({ length: p.size }, () => rng.normal()), p.shape)));
  }
}

function batch(cfg: TextEncoderConfig): { ids: tf.Tensor; mask: tf.Tensor } {
  const pad = cfg.pad_token_id;
  return {
    ids: tf.tensor2d([[2, 7, 9, 11, 3, pad], [2, 5, 3, pad, pad, pad]], [2, 6], 'int32'),
    mask: tf.tensor2d([[1, 1, 1, 1, 1, 0], [1, 1, 1, 0, 0, 0]], [2, 6], 'int32'),
  };
}

function hidden(enc: TextEncoder, cfg: TextEncoderConfig): number[][] {
  const b = batch(cfg);
  const out = tf.tidy(() => enc.forward(b, EVAL).hiddenStates.map((h) => Array.from(h.dataSync())));
  tf.dispose([b.ids, b.mask]);
  return out;
}

function logits(enc: TextEncoder, head: MlmHead, cfg: TextEncoderConfig): number[] {
  const b = batch(cfg);
  const positions = tf.tensor1d([1, 3, 7], 'int32');
  const out = tf.tidy(() => Array.from(mlmLogits(enc, head, { ids: b.ids, mask: b.mask, typeIds: null, positions }, EVAL).dataSync()));
  tf.dispose([b.ids, b.mask, positions]);
  return out;
}

/** Writes a checkpoint by hand from a tensor map (for the naming variants). */
function writeCheckpoint(dir: string, cfg: TextEncoderConfig, tensors: Record<string, TensorToWrite>, configPatch: Record<string, unknown> = {}): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...textEncoderConfigJson(cfg, false), ...configPatch }));
  writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
}

function renamed(t: Record<string, TensorToWrite>, f: (k: string) => string | null): Record<string, TensorToWrite> {
  const out: Record<string, TensorToWrite> = {};
  for (const [k, v] of Object.entries(t)) { const n = f(k); if (n) out[n] = v; }
  return out;
}

for (const [label, cfg] of [['BERT', BERT], ['RoBERTa', ROBERTA]] as const) {
  test(`${label}: save/load round trip is exact (every tensor, hidden states, MLM logits)`, () => {
    const dir = tmp();
    try {
      const enc = new TextEncoder(cfg, 1);
      const head = new MlmHead(cfg, 2);
      scramble(enc, 3); scramble(head, 4);
      const saved = saveTextEncoder(dir, enc, { mlmHead: head, extraFiles: { 'tokenizer.json': '{"model":{}}' } });
      assert.deepEqual(saved.files, ['model.safetensors', 'config.json', 'tokenizer.json']);
      assert.deepEqual(readdirSync(dir).sort(), ['config.json', 'model.safetensors', 'tokenizer.json'], 'no temporary files remain');
      const cfgJson = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
      assert.equal(cfgJson.model_type, cfg.model_type);
      assert.deepEqual(cfgJson.architectures, [cfg.model_type === 'bert' ? 'BertForMaskedLM' : 'RobertaForMaskedLM']);

      // Hugging Face names and PyTorch [out, in] layout in the file
      const file = readSafetensors(join(dir, 'model.safetensors'));
      const pre = cfg.model_type === 'bert' ? 'bert.' : 'roberta.';
      const headNames = cfg.model_type === 'bert'
        ? ['cls.predictions.bias', 'cls.predictions.transform.LayerNorm.bias', 'cls.predictions.transform.LayerNorm.weight', 'cls.predictions.transform.dense.bias', 'cls.predictions.transform.dense.weight']
        : ['lm_head.bias', 'lm_head.dense.bias', 'lm_head.dense.weight', 'lm_head.layer_norm.bias', 'lm_head.layer_norm.weight'];
      assert.deepEqual(file.names.filter((n) => !n.startsWith(pre)).sort(), headNames);
      assert.equal(file.names.filter((n) => n.startsWith(pre)).length, enc.namedParameters().length);
      const wFile = file.get(`${pre}encoder.layer.1.intermediate.dense.weight`);
      assert.deepEqual(wFile.shape, [cfg.intermediate_size, cfg.hidden_size]);
      const wProj = enc.getParam('encoder.layer.1.intermediate.dense.weight').value.dataSync();
      const [I, H] = [cfg.intermediate_size, cfg.hidden_size];
      for (const [o, i] of [[0, 0], [I - 1, 0], [3, H - 1], [I - 1, H - 1]]) assert.equal(wFile.data[o * H + i], wProj[i * I + o]);
      assert.deepEqual(file.get(`${pre}embeddings.word_embeddings.weight`).shape, [cfg.vocab_size, cfg.hidden_size]);

      const loaded = loadTextEncoder(dir, { seed: 99 });
      assert.ok(loaded.mlmHead, 'the head is loaded');
      assert.equal(loaded.report.prefix, pre);
      assert.deepEqual(loaded.report.ignored, []);
      assert.deepEqual(loaded.report.initialized, []);
      assert.deepEqual(values(loaded.encoder), values(enc));
      assert.deepEqual(values(loaded.mlmHead!), values(head));
      assert.deepEqual(hidden(loaded.encoder, cfg), hidden(enc, cfg));
      assert.deepEqual(logits(loaded.encoder, loaded.mlmHead!, cfg), logits(enc, head, cfg));
      const { architectures: _a, torch_dtype: _t, position_embedding_type: _p, ...rest } = loaded.config as Record<string, unknown>;
      assert.deepEqual(rest, { ...cfg });

      // saving again gives the same bytes
      const first = readFileSync(join(dir, 'model.safetensors'));
      const dir2 = join(dir, 'again');
      saveTextEncoder(dir2, loaded.encoder, { mlmHead: loaded.mlmHead });
      assert.ok(first.equals(readFileSync(join(dir2, 'model.safetensors'))));
      assert.equal(readFileSync(join(dir, 'config.json'), 'utf8'), readFileSync(join(dir2, 'config.json'), 'utf8'));
      for (const m of [enc, head, loaded.encoder, loaded.mlmHead!]) m.dispose();
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
}

test('loads bare BertModel names, legacy gamma/beta, buffers and heads of common checkpoints', () => {
  const dir = tmp();
  try {
    const enc = new TextEncoder(BERT, 1);
    scramble(enc, 5);
    const want = values(enc);
    const want0 = hidden(enc, BERT);
    const base = textEncoderTensors(enc, undefined, { prefix: false });

    // 1. bare names (BertModel.save_pretrained), no head
    writeCheckpoint(join(dir, 'bare'), BERT, base);
    const a = loadTextEncoder(join(dir, 'bare'), { seed: 7 });
    assert.equal(a.report.prefix, '');
    assert.equal(a.mlmHead, undefined);
    assert.deepEqual(values(a.encoder), want);
    assert.deepEqual(hidden(a.encoder, BERT), want0);

    // 2. `bert.` prefix, legacy LayerNorm gamma/beta, a position_ids buffer, NSP head, the tied decoder copies, no pooler
    const legacy = renamed(base, (k) => (k.startsWith('pooler.') ? null : `bert.${k.replace(/LayerNorm\.weight$/, 'LayerNorm.gamma').replace(/LayerNorm\.bias$/, 'LayerNorm.beta')}`));
    legacy['bert.embeddings.position_ids'] = { dtype: 'I64', shape: [1, 16], data: Array.from({ length: 16 }, (_, i) => i) };
    legacy['cls.seq_relationship.weight'] = { dtype: 'F32', shape: [2, 16], data: new Float32Array(32) };
    legacy['cls.seq_relationship.bias'] = { dtype: 'F32', shape: [2], data: [0, 0] };
    writeCheckpoint(join(dir, 'legacy'), BERT, legacy);
    const b = loadTextEncoder(join(dir, 'legacy'), { seed: 1 });
    assert.equal(b.report.prefix, 'bert.');
    assert.ok(b.report.renamed.some(([f, t]) => f === 'bert.encoder.layer.0.output.LayerNorm.gamma' && t === 'bert.encoder.layer.0.output.LayerNorm.weight'));
    assert.equal(b.report.renamed.length, 2 * (1 + 2 * BERT.num_hidden_layers));
    assert.deepEqual(b.report.ignored.sort(), [
      'bert.embeddings.position_ids (buffer, recomputed)',
      'cls.seq_relationship.bias (task head, not part of the encoder)', 'cls.seq_relationship.weight (task head, not part of the encoder)',
    ]);
    assert.deepEqual(b.report.initialized.sort(), ['pooler.dense.bias', 'pooler.dense.weight']);
    for (const [n, v] of values(b.encoder)) if (!n.startsWith('pooler.')) assert.deepEqual(v, want.get(n), n);
    assert.deepEqual(hidden(b.encoder, BERT), want0, 'the pooler does not enter the hidden states');

    // 3. RoBERTa-style lm_head with its tied decoder copies, into a BERT-named encoder
    const head = new MlmHead(BERT, 3);
    scramble(head, 6);
    const withHead = renamed(textEncoderTensors(enc, head), (k) => k);
    withHead['cls.predictions.decoder.weight'] = { ...withHead['bert.embeddings.word_embeddings.weight'] };
    withHead['cls.predictions.decoder.bias'] = { ...withHead['cls.predictions.bias'] };
    withHead['bert.embeddings.token_type_ids'] = { dtype: 'I64', shape: [1, 16], data: new Array(16).fill(0) };
    writeCheckpoint(join(dir, 'tied'), BERT, withHead);
    const c = loadTextEncoder(join(dir, 'tied'), { seed: 1 });
    assert.deepEqual(values(c.mlmHead!), values(head));
    assert.ok(c.report.ignored.includes('cls.predictions.decoder.weight (tied copy of the word embeddings)'));
    assert.ok(c.report.ignored.includes('bert.embeddings.token_type_ids (buffer, recomputed)'));
    const d = loadTextEncoder(join(dir, 'tied'), { seed: 1, mlmHead: false });
    assert.equal(d.mlmHead, undefined);
    assert.ok(d.report.ignored.includes('cls.predictions.transform.dense.weight (MLM head, not requested)'));

    // 4. an untied decoder cannot be loaded into the tied head
    const untied = { ...withHead, 'cls.predictions.decoder.weight': { dtype: 'F32' as const, shape: [30, 16], data: new Float32Array(480).fill(0.5) } };
    writeCheckpoint(join(dir, 'untied'), BERT, untied);
    assert.throws(() => loadTextEncoder(join(dir, 'untied'), { seed: 1 }), /"cls\.predictions\.decoder\.weight" differs from the word embeddings \(untied decoder\)/);
    assert.doesNotThrow(() => loadTextEncoder(join(dir, 'untied'), { seed: 1, mlmHead: false }).encoder.dispose());
    for (const m of [enc, head, a.encoder, b.encoder, c.encoder, c.mlmHead!, d.encoder]) m.dispose();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('sharded checkpoints (model.safetensors.index.json) load like a single file', () => {
  const dir = tmp();
  try {
    const enc = new TextEncoder(BERT, 1);
    scramble(enc, 8);
    const all = textEncoderTensors(enc);
    const names = Object.keys(all).sort();
    const shards = [names.slice(0, 10), names.slice(10)];
    const weightMap: Record<string, string> = {};
    shards.forEach((s, i) => {
      const f = `model-0000${i + 1}-of-00002.safetensors`;
      writeSafetensors(join(dir, f), Object.fromEntries(s.map((n) => [n, all[n]])));
      for (const n of s) weightMap[n] = f;
    });
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    writeFileSync(join(dir, 'config.json'), JSON.stringify(textEncoderConfigJson(BERT, false)));
    const l = loadTextEncoder(dir, { seed: 2 });
    assert.equal(l.report.files.length, 2);
    assert.deepEqual(values(l.encoder), values(enc));
    enc.dispose(); l.encoder.dispose();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('missing, unexpected and mis-shaped tensors are errors naming them', () => {
  const dir = tmp();
  try {
    const enc = new TextEncoder(BERT, 1);
    const base = textEncoderTensors(enc);
    const variant = (name: string, t: Record<string, TensorToWrite>, patch?: Record<string, unknown>): string => { writeCheckpoint(join(dir, name), BERT, t, patch); return join(dir, name); };

    const missing = variant('missing', renamed(base, (k) => (k.includes('layer.1.attention.self.key.') || k.endsWith('word_embeddings.weight') ? null : k)));
    assert.throws(() => loadTextEncoder(missing, { seed: 1 }), /missing encoder tensors: bert\.embeddings\.word_embeddings\.weight, bert\.encoder\.layer\.1\.attention\.self\.key\.weight, bert\.encoder\.layer\.1\.attention\.self\.key\.bias/);

    const extraLayer = variant('extra', { ...base, 'bert.encoder.layer.2.output.dense.bias': { dtype: 'F32', shape: [16], data: new Float32Array(16) } });
    assert.throws(() => loadTextEncoder(extraLayer, { seed: 1 }), /tensors with no matching parameter: bert\.encoder\.layer\.2\.output\.dense\.bias \(does config\.json's num_hidden_layers = 2 match/);

    const foreign = variant('foreign', { ...base, 'transformer.h.0.attn.weight': { dtype: 'F32', shape: [1], data: [0] }, 'vision.x': { dtype: 'F32', shape: [1], data: [0] } });
    assert.throws(() => loadTextEncoder(foreign, { seed: 1 }), /unexpected tensors that are neither bert encoder parameters nor a known head: transformer\.h\.0\.attn\.weight, vision\.x/);

    const shape = variant('shape', { ...base, 'bert.encoder.layer.0.intermediate.dense.weight': { dtype: 'F32', shape: [16, 32], data: new Float32Array(512) } });
    assert.throws(() => loadTextEncoder(shape, { seed: 1 }), /tensor "bert\.encoder\.layer\.0\.intermediate\.dense\.weight" has shape \[16,32\] but parameter "encoder\.layer\.0\.intermediate\.dense\.weight" of the model built from config\.json needs \[32,16\] \(PyTorch \[out, in\] layout\)/);

    const vocab = variant('vocab', base, { vocab_size: 31 });
    assert.throws(() => loadTextEncoder(vocab, { seed: 1 }), /"bert\.embeddings\.word_embeddings\.weight" has shape \[30,16\] but parameter "embeddings\.word_embeddings\.weight" .* needs \[31,16\]/);

    const mixed = variant('mixed', renamed(base, (k) => (k.startsWith('bert.pooler') ? k.slice(5) : k)));
    assert.throws(() => loadTextEncoder(mixed, { seed: 1 }), /encoder tensors use several prefixes/);

    const dup = variant('dup', { ...base, 'bert.embeddings.LayerNorm.gamma': base['bert.embeddings.LayerNorm.weight'] });
    assert.throws(() => loadTextEncoder(dup, { seed: 1 }), /tensors "bert\.embeddings\.LayerNorm\.gamma" and "bert\.embeddings\.LayerNorm\.weight" both map to parameter "embeddings\.LayerNorm\.weight"|tensors "bert\.embeddings\.LayerNorm\.weight" and "bert\.embeddings\.LayerNorm\.gamma" both map/);

    const noHead = variant('nohead', base);
    assert.throws(() => loadTextEncoder(noHead, { seed: 1, mlmHead: true }), /no MLM head \(cls\.predictions\.\* or lm_head\.\*\) in the checkpoint/);

    const rel = variant('relative', base, { position_embedding_type: 'relative_key' });
    assert.throws(() => loadTextEncoder(rel, { seed: 1 }), /key "position_embedding_type" is "relative_key"; only "absolute"/);
    enc.dispose();
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('missing config.json / model.safetensors and bad config keys name the folder, the file and the key', () => {
  const dir = tmp();
  try {
    const folder = join(dir, 'text-mini');
    const hint = 'run `unipt pretrain text-mini` or point --backbone at a folder with config.json, model.safetensors and tokenizer.json';
    assert.throws(() => loadTextEncoder(folder, { seed: 1, hint }), new RegExp(`checkpoint folder ${folder} does not exist`));
    mkdirSync(folder);
    assert.throws(() => loadTextEncoder(folder, { seed: 1, hint }), { message: `no config.json in ${folder} (the model configuration): ${hint}` });
    writeFileSync(join(folder, 'config.json'), JSON.stringify(textEncoderConfigJson(BERT, false)));
    assert.throws(() => loadTextEncoder(folder, { seed: 1, hint }), { message: `no model.safetensors in ${folder} (the model weights): ${hint}` });
    writeFileSync(join(folder, 'config.json'), JSON.stringify({ ...textEncoderConfigJson(BERT, false), num_attention_heads: 'two', hidden_act: 'swish' }));
    assert.throws(() => loadTextEncoder(folder, { seed: 1 }), (e: Error) => {
      assert.ok(e.message.startsWith(`${join(folder, 'config.json')} is not a valid configuration`), e.message);
      assert.match(e.message, /key "num_attention_heads": .*expected number/);
      assert.match(e.message, /key "hidden_act": .*"gelu"/);
      return true;
    });
    assert.ok(!existsSync(join(folder, 'model.safetensors')));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('RoBERTa position ids count real tokens from pad_token_id + 1, and the usable length is offset', () => {
  const enc = new TextEncoder(ROBERTA, 1);
  const mask = tf.tensor2d([[1, 1, 1, 0], [1, 1, 0, 0]], [2, 4], 'int32');
  // Hugging Face create_position_ids_from_input_ids: cumsum(mask) * mask + padding_idx (padding_idx = 1)
  const pos = enc.positionIds(mask);
  assert.equal(pos.dtype, 'int32', 'position ids index the position table (gather needs int32)');
  assert.deepEqual(pos.arraySync(), [[2, 3, 4, 1], [2, 3, 1, 1]]);
  assert.equal(enc.maxLength, ROBERTA.max_position_embeddings - ROBERTA.pad_token_id - 1);
  const T = enc.maxLength + 1;
  const ids = tf.zeros([1, T], 'int32'), m = tf.ones([1, T], 'int32');
  assert.throws(() => enc.forward({ ids, mask: m }, EVAL), /sequence length 11 exceeds the longest this encoder takes, 10/);
  const bert = new TextEncoder(BERT, 1);
  const bpos = bert.positionIds(mask);
  assert.deepEqual(bpos.arraySync(), [[0, 1, 2, 3], [0, 1, 2, 3]]);
  tf.dispose([mask, pos, bpos, ids, m]);
  enc.dispose(); bert.dispose();
});
