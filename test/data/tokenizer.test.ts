// The WordLevel tokenizer: written as Hugging Face files, loaded through @huggingface/transformers' AutoTokenizer
// with remote loading off, and batch-encoded with truncation that keeps [SEP]. Expected ids are hand-computed from
// the vocabulary order ([PAD]=0 [UNK]=1 [CLS]=2 [SEP]=3 [MASK]=4, then the words in order).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@huggingface/transformers';
import { encodeBatch, loadTokenizer, longestFirst, writeLanguageTokenizer, writeTokenizer, TOKENIZER_FILES } from '../../src/data/tokenizer/index.js';
import { languageVocabulary } from '../../src/data/language/index.js';
import { generateMiniRaw, type GlueExampleOf } from '../../src/tasks/glue/data/index.js';

const tmp = mkdtempSync(join(tmpdir(), 'unipt-tok-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const small = join(tmp, 'small');
// the=5 kelpo=6 was=7 good=8 .=9 ,=10 a=11
writeTokenizer(small, ['the', 'kelpo', 'was', 'good', '.', ',', 'a', 'The']);

const row = (b: { ids: Int32Array; shape: [number, number] }, i: number, key: 'ids' = 'ids') => Array.from(b[key].slice(i * b.shape[1], (i + 1) * b.shape[1]));

test('writeTokenizer writes the three Hugging Face files with BERT special tokens', () => {
  for (const f of TOKENIZER_FILES) assert.ok(existsSync(join(small, f)), f);
  const tj = JSON.parse(readFileSync(join(small, 'tokenizer.json'), 'utf8'));
  assert.equal(tj.model.type, 'WordLevel');
  assert.deepEqual(Object.entries(tj.model.vocab).slice(0, 6), [['[PAD]', 0], ['[UNK]', 1], ['[CLS]', 2], ['[SEP]', 3], ['[MASK]', 4], ['the', 5]]);
  assert.equal(Object.keys(tj.model.vocab).length, 12, '"The" lowercases to the existing "the"');
  assert.equal(tj.normalizer.type, 'Lowercase');
  assert.equal(tj.post_processor.type, 'TemplateProcessing');
});

test('loads offline through AutoTokenizer: ids, pairs with token types, [UNK], special ids, vocabulary size', async () => {
  const tok = await loadTokenizer(small);
  assert.equal(env.allowRemoteModels, false, 'remote loading must be off');
  assert.equal(tok.vocabSize, 12);
  assert.deepEqual(tok.specialIds, { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 });
  assert.deepEqual(tok.hf.encode('The kelpo was GOOD.'), [2, 5, 6, 7, 8, 9, 3]);
  assert.equal(tok.hf.decode([2, 5, 6, 7, 8, 9, 3], { skip_special_tokens: true }), 'the kelpo was good .');
  const b = encodeBatch(tok, ['The kelpo was GOOD.', 'the zorb, was good'], 10);
  assert.deepEqual(b.shape, [2, 10]);
  assert.deepEqual(row(b, 0), [2, 5, 6, 7, 8, 9, 3, 0, 0, 0]);
  assert.deepEqual(row(b, 1), [2, 5, 1, 10, 7, 8, 3, 0, 0, 0], 'unknown word -> [UNK]=1, punctuation split off');
  assert.deepEqual(Array.from(b.mask.slice(0, 10)), [1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(b.lengths), [7, 7]);
  const p = encodeBatch(tok, [['The kelpo', 'was good.']], 10);
  assert.deepEqual(row(p, 0), [2, 5, 6, 3, 7, 8, 9, 3, 0, 0]);
  assert.deepEqual(Array.from(p.typeIds), [0, 0, 0, 0, 1, 1, 1, 1, 0, 0]);
  const l = encodeBatch(tok, [['The kelpo', 'was good.'], ['a', 'kelpo']], 10, { padding: 'longest' });
  assert.deepEqual(l.shape, [2, 8]);
  assert.deepEqual(row(l, 1), [2, 11, 3, 6, 3, 0, 0, 0]);
});

test('truncation is longest-first on the texts and keeps the final [SEP]', async () => {
  assert.deepEqual(longestFirst(7, 2, 5), [3, 2]);
  assert.deepEqual(longestFirst(4, 4, 5), [3, 2], 'ties shorten the second text first');
  assert.deepEqual(longestFirst(2, 9, 6), [2, 4]);
  const tok = await loadTokenizer(small);
  const b = encodeBatch(tok, [['the kelpo was good , the kelpo', 'a kelpo']], 8);
  assert.deepEqual(row(b, 0), [2, 5, 6, 7, 3, 11, 6, 3]);
  assert.deepEqual(Array.from(b.typeIds), [0, 0, 0, 0, 0, 1, 1, 1]);
  assert.equal(b.truncated, 1);
  const s = encodeBatch(tok, ['the kelpo was good , the kelpo'], 5);
  assert.deepEqual(row(s, 0), [2, 5, 6, 7, 3]);
  assert.throws(() => encodeBatch(tok, [['a', 'a']], 4), /no room/);
});

test('missing files and folders are clear errors naming the folder and the file', async () => {
  const broken = join(tmp, 'broken');
  writeTokenizer(broken, ['a']);
  rmSync(join(broken, 'tokenizer_config.json'));
  await assert.rejects(loadTokenizer(broken), (e: Error) => e.name === 'InputError' && e.message.includes(broken) && e.message.includes('tokenizer_config.json'));
  rmSync(join(broken, 'tokenizer.json'));
  await assert.rejects(loadTokenizer(broken), (e: Error) => e.message.includes('tokenizer.json'));
  await assert.rejects(loadTokenizer(join(tmp, 'bert-base-uncased')), (e: Error) => e.name === 'InputError' && /does not exist/.test(e.message));
});

test('the language tokenizer agrees with the library on mini GLUE pairs and sentences (no truncation needed)', async () => {
  const dir = join(tmp, 'lang');
  const { vocabSize } = writeLanguageTokenizer(dir);
  assert.equal(vocabSize, languageVocabulary().length + 5);
  const tok = await loadTokenizer(dir);
  const mnli = generateMiniRaw('glue-mnli', 5, { train: 60, dev_matched: 10, dev_mismatched: 10 }).train as GlueExampleOf<'glue-mnli'>[];
  const pairs = mnli.map((x) => [x.premise, x.hypothesis] as const);
  const b = encodeBatch(tok, pairs, 40);
  assert.equal(b.truncated, 0);
  pairs.forEach(([a, c], i) => {
    const ref = tok.hf._call(a, { text_pair: c, return_tensor: false, return_token_type_ids: true }) as unknown as { input_ids: number[]; token_type_ids: number[] };
    const n = b.lengths[i];
    assert.deepEqual(Array.from(b.ids.slice(i * 40, i * 40 + n)), ref.input_ids);
    assert.deepEqual(Array.from(b.typeIds.slice(i * 40, i * 40 + n)), ref.token_type_ids);
    assert.ok(!ref.input_ids.includes(tok.specialIds.unk), `[UNK] in mini data: ${a} / ${c}`);
  });
});
