// Span corruption (T5's objective) and the mini T5 tokenizer: noise/span counts from the definition, the corrupted
// pair reconstructs the original, the tokenizer's layout (specials first, sentinels on top), its tokenizer.json read
// back by us and by @huggingface/transformers with the same ids, and pretraining that is deterministic from its seed
// and lowers the held-out loss.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { randomSegmentation, randomSpansNoiseMask, spanCorrupt } from '../../src/backbones/t5/span-corruption.js';
import { WordLevelT5Tokenizer, buildMiniT5Tokenizer, loadT5Tokenizer, T5_GLUE_WORDS } from '../../src/backbones/t5/tokenizer.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { pretrainT5, miniT5Tokenizer, spanBatch, corpusSentenceSource, T5_MINI_PRETRAIN, T5_MINI_PRETRAIN_VERSION } from '../../src/backbones/t5/pretrain.js';
import { readT5Config } from '../../src/backbones/t5/checkpoint.js';
import { t5PresetConfig } from '../../src/backbones/t5/config.js';
import { languageVocabulary } from '../../src/data/language/index.js';

before(async () => { await initBackend('wasm'); });

test('random segmentation: k non-empty segments summing to n', () => {
  const rng = new Rng(1);
  for (const [n, k] of [[6, 2], [10, 10], [7, 1], [40, 5]]) {
    const s = randomSegmentation(n, k, rng);
    assert.equal(s.length, k);
    assert.equal(s.reduce((a, b) => a + b, 0), n);
    assert.ok(s.every((x) => x >= 1));
  }
  assert.throws(() => randomSegmentation(3, 4, rng), /cannot cut 3 items into 4/);
});

test('noise mask: round(15% of L) noise tokens in round(noise / 3) spans, kept tokens first', () => {
  const rng = new Rng(2);
  // L = 40: 6 noise tokens in 2 spans; L = 100: 15 in 5; L = 5: 1 in 1 (at least one)
  for (const [L, noise, spans] of [[40, 6, 2], [100, 15, 5], [5, 1, 1]]) {
    for (let rep = 0; rep < 5; rep++) {
      const m = randomSpansNoiseMask(L, rng);
      assert.equal(m.length, L);
      assert.equal(m.filter(Boolean).length, noise, `L=${L}`);
      let runs = 0;
      m.forEach((v, i) => { if (v && (i === 0 || !m[i - 1])) runs++; });
      assert.equal(runs, spans, `L=${L}`);
      assert.equal(m[0], false);
    }
  }
});

test('a corrupted pair reconstructs the original: each input sentinel expands to its target span', () => {
  const rng = new Rng(3);
  const sentinel = (i: number) => 1000 - i;
  for (let rep = 0; rep < 20; rep++) {
    const tokens = Array.from({ length: 10 + rng.int(50) }, () => 2 + rng.int(500));
    const { input, target, spans } = spanCorrupt(tokens, rng, sentinel, 50, 1);
    assert.equal(input[input.length - 1], 1);
    assert.equal(target[target.length - 1], 1);
    assert.equal(target[0], sentinel(0));
    const spanOf = new Map<number, number[]>();
    let cur: number[] | null = null;
    for (const t of target.slice(0, -1)) {
      if (t > 950) { cur = []; spanOf.set(t, cur); } else cur!.push(t);
    }
    assert.equal(spanOf.size, spans);
    const rebuilt = input.slice(0, -1).flatMap((t) => (t > 950 ? spanOf.get(t)! : [t]));
    assert.deepEqual(rebuilt, tokens);
  }
});

test('mini T5 tokenizer: <pad> 0, </s> 1, <unk> 2, sentinels on top; JSON round trip; same ids through transformers.js', async () => {
  const tok = miniT5Tokenizer();
  assert.equal(tok.token(0), '<pad>');
  assert.equal(tok.token(1), '</s>');
  assert.equal(tok.token(2), '<unk>');
  assert.equal(tok.sentinelId(0), tok.vocabSize - 1);
  assert.equal(tok.token(tok.sentinelId(3)), '<extra_id_3>');
  for (const w of T5_GLUE_WORDS) assert.ok(tok.has(w), w);
  assert.equal(tok.vocabSize, 3 + new Set([...languageVocabulary(), ...T5_GLUE_WORDS]).size + 32);
  const s = 'stsb sentence1: The red fruit, 3.4? mnli hypothesis Zzqx.';
  const ids = tok.encode(s);
  assert.equal(ids[ids.length - 2], tok.unkId);          // "zzqx" is not a word of the language
  assert.equal(tok.decode(tok.encode('the red fruit , 3.4 ?')), 'the red fruit, 3.4?');
  assert.equal(tok.decode([tok.sentinelId(0), ...tok.encode('1'), tok.eosId, 0, 0]), '1');
  const back = WordLevelT5Tokenizer.fromJson(JSON.parse(JSON.stringify(tok.toJson())), 'tokenizer.json');
  assert.deepEqual(back.encode(s), ids);
  assert.equal(back.numSentinels, 32);
  const hf = await import('@huggingface/transformers') as unknown as { PreTrainedTokenizer: new (j: unknown, c: unknown) => { encode(t: string): number[]; decode(i: number[], o: unknown): string } };
  const ht = new hf.PreTrainedTokenizer(tok.toJson(), tok.configJson());
  assert.deepEqual(ht.encode(s), [...ids, tok.eosId]);
  assert.equal(ht.decode(tok.encode('the red fruit , 3.4 ?'), { skip_special_tokens: true }), 'the red fruit, 3.4?');
  assert.throws(() => buildMiniT5Tokenizer(['two words']), /not a single token/);
});

test('pretraining is deterministic from its seed and lowers the held-out loss', () => {
  const tok = miniT5Tokenizer();
  const cfg = t5PresetConfig('t5-mini', { vocab_size: tok.vocabSize, d_model: 16, d_kv: 4, d_ff: 32, num_layers: 1, num_decoder_layers: 1, dropout_rate: 0 });
  const sample = corpusSentenceSource();
  const run = () => pretrainT5({ config: cfg, tokenizer: tok, sample, seed: 9, steps: 25, batchSize: 8, rawLength: 24, lr: 1e-2, warmup: 5, evalBatches: 2 });
  const a = run(), b = run();
  assert.deepEqual(a.losses, b.losses);
  assert.ok(a.heldoutLoss < a.initialHeldoutLoss - 1, `held-out loss ${a.initialHeldoutLoss} -> ${a.heldoutLoss}`);
  assert.deepEqual(Array.from(a.model.shared.weight.value.dataSync()), Array.from(b.model.shared.weight.value.dataSync()));
  // batches: inputs end with </s>, targets start with <extra_id_0>
  const sb = spanBatch(tok, sample, new Rng(1), 4, 24);
  for (let r = 0; r < 4; r++) assert.equal(sb.labels[r * sb.Td], tok.sentinelId(0));
  a.model.dispose(); b.model.dispose();
});

test('a supervised mixture: rows are text-to-text pairs at its share, held out separately, deterministic', () => {
  const tok = miniT5Tokenizer();
  const cfg = t5PresetConfig('t5-mini', { vocab_size: tok.vocabSize, d_model: 16, d_kv: 4, d_ff: 32, num_layers: 1, num_decoder_layers: 1, dropout_rate: 0 });
  const sample = corpusSentenceSource();
  const rows = [{ source: 'sst2 sentence: the red fruit .', target: '1' }, { source: 'sst2 sentence: the fruit , 3.4 ?', target: '0' }];
  const mixture = { share: 0.5, sample: (rng: Rng) => rng.pick(rows), maxSourceLength: 5 };
  // share 1: every row is a supervised pair, its source cut to 4 tokens + </s>, its target + </s>
  const all = spanBatch(tok, sample, new Rng(2), 6, 24, undefined, { ...mixture, share: 1 });
  for (let r = 0; r < 6; r++) {
    const target = Array.from(all.labels.subarray(r * all.Td, r * all.Td + 2));
    assert.ok([[tok.encode('1')[0], tok.eosId], [tok.encode('0')[0], tok.eosId]].some((t) => t[0] === target[0] && t[1] === target[1]), `row ${r}: ${target}`);
    const src = Array.from(all.ids.subarray(r * all.Ts, (r + 1) * all.Ts)).filter((_, i) => all.mask[r * all.Ts + i]);
    assert.deepEqual(src, [...tok.encode('sst2 sentence: the').slice(0, 4), tok.eosId]);
  }
  // share 0.5: both kinds of rows (sentinel-led span targets and label targets)
  const mixed = spanBatch(tok, sample, new Rng(3), 32, 24, undefined, mixture);
  const firsts = Array.from({ length: 32 }, (_, r) => mixed.labels[r * mixed.Td]);
  const supervised = firsts.filter((t) => t !== tok.sentinelId(0)).length;
  assert.ok(supervised > 4 && supervised < 28, `${supervised} of 32 rows supervised`);
  const run = () => pretrainT5({ config: cfg, tokenizer: tok, sample, seed: 9, steps: 25, batchSize: 8, rawLength: 24, lr: 1e-2, warmup: 5, evalBatches: 2, mixture });
  const a = run(), b = run();
  assert.deepEqual(a.losses, b.losses);
  assert.ok(a.heldoutSupervised && a.heldoutSupervised.lossAfter < a.heldoutSupervised.lossBefore - 1, JSON.stringify(a.heldoutSupervised));
  a.model.dispose(); b.model.dispose();
});

test('a SentencePiece (Unigram) tokenizer.json, as real T5 checkpoints have, loads through transformers.js', async () => {
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  const json = {
    version: '1.0', truncation: null, padding: null,
    added_tokens: [special(0, '<pad>'), special(1, '</s>'), special(2, '<unk>'), special(9, '<extra_id_0>'), special(8, '<extra_id_1>')],
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '\u2581', add_prefix_space: true, prepend_scheme: 'always', split: true },
    post_processor: null,
    decoder: { type: 'Metaspace', replacement: '\u2581', add_prefix_space: true, prepend_scheme: 'always', split: true },
    model: { type: 'Unigram', unk_id: 2, byte_fallback: false, vocab: [['<pad>', 0], ['</s>', 0], ['<unk>', 0], ['\u2581', -2], ['\u25813', -3], ['.', -3], ['4', -3], ['\u2581cola', -4], ['<extra_id_1>', 0], ['<extra_id_0>', 0]] },
  };
  const dir = mkdtempSync(join(tmpdir(), 't5-tok-'));
  try {
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(json));
    const t = await loadT5Tokenizer(dir);
    assert.deepEqual([t.vocabSize, t.padId, t.eosId, t.unkId, t.numSentinels, t.sentinelId(0), t.sentinelId(1)], [10, 0, 1, 2, 2, 9, 8]);
    const ids = t.encode('cola 3.4');
    assert.deepEqual(ids, [7, 4, 5, 6]);                               // ▁cola ▁3 . 4 (no </s>: the caller appends it)
    assert.equal(t.decode([9, ...ids, 1, 0]), 'cola 3.4');             // sentinels, </s> and <pad> skipped
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

// The committed checkpoint must be what `unipt pretrain t5-mini` makes now: recipe 1's tokenizer had drifted from the
// language (18 of today's words were <unk> to it) without any test noticing.
test('the committed t5-mini is the current recipe\'s: tokenizer, config (dropout 0) and pretraining.json', async () => {
  const dir = join(process.cwd(), 'models', 't5-mini');
  const tok = miniT5Tokenizer();
  const committed = await loadT5Tokenizer(dir);
  assert.equal(committed.vocabSize, tok.vocabSize);
  for (let i = 0; i < tok.vocabSize; i++) assert.equal(committed.token(i), tok.token(i), `token ${i}`);
  const cfg = readT5Config(dir);
  assert.deepEqual({ ...cfg }, { ...cfg, ...t5PresetConfig('t5-mini', { vocab_size: tok.vocabSize }) });
  assert.equal(cfg.dropout_rate, 0);
  const summary = JSON.parse(readFileSync(join(dir, 'pretraining.json'), 'utf8'));
  assert.deepEqual(summary.recipe, { version: T5_MINI_PRETRAIN_VERSION, ...T5_MINI_PRETRAIN });
  assert.ok(summary.heldout.accuracyAfter > 0.4 && summary.heldoutSupervised.accuracyAfter > 0.6, JSON.stringify(summary));
});

