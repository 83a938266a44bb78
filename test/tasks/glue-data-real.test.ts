// Real-format GLUE loaders on the fixture files (datasets/fixtures/glue, made by scripts/make-glue-fixtures.mjs):
// both layouts, folder resolution, quoting, MRPC's raw Microsoft files, malformed files, and the LST splits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GLUE_SCHEMAS, GLUE_TASK_IDS, loadGlue, lstSplits, type GlueExample, type GlueTaskId } from '../../src/tasks/glue/data/index.js';
import { readTsv } from '../../src/tasks/glue/data/tsv.js';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const F = join(process.cwd(), 'datasets', 'fixtures', 'glue');
const small = { largeValidationSize: 4 };
const isInputError = (parts: string[]) => (e: Error) => {
  assert.equal(e.name, 'InputError', e.message);
  for (const p of parts) assert.ok(e.message.includes(p), `"${e.message}" should mention "${p}"`);
  return true;
};
const sortKey = (xs: GlueExample[]) => xs.map((x) => JSON.stringify({ ...x, idx: 0 })).sort();

test('both layouts load every task to identical examples, from the GLUE root or the task folder', async () => {
  for (const t of GLUE_TASK_IDS) {
    const s = GLUE_SCHEMAS[t];
    const tsv = await loadGlue(t, { source: 'real', path: join(F, 'tsv') }, 42, small);
    const pq = await loadGlue(t, { source: 'real', path: join(F, 'parquet') }, 42, small);
    const direct = await loadGlue(t, { source: 'real', path: join(F, 'tsv', s.glueDir) }, 42, small);
    const directPq = await loadGlue(t, { source: 'real', path: join(F, 'parquet', s.hfConfig) }, 42, small);
    assert.equal(tsv.meta.layout, 'tsv'); assert.equal(pq.meta.layout, 'parquet');
    for (const split of ['train', 'validation', 'test'] as const) {
      assert.deepEqual(pq[split], tsv[split], `${t} ${split}: parquet vs tsv`);
      assert.deepEqual(direct[split], tsv[split]);
      assert.deepEqual(directPq[split], tsv[split]);
    }
    assert.equal(pq.meta.fingerprint, tsv.meta.fingerprint, 'same examples, same fingerprint');
    assert.ok(tsv.meta.files!.every((f) => f.startsWith(join(F, 'tsv', s.glueDir))));
  }
});

test('values come through as written: labels by name, scores, embedded quotes, the header-less CoLA file', async () => {
  const cola = await loadGlue('glue-cola', { source: 'real', path: join(F, 'tsv') });
  const all = [...cola.train].sort((a, b) => a.idx - b.idx);
  assert.deepEqual(all[2], { idx: 2, label: 0, sentence: 'Chen the old map fixed the.' });
  const mnli = await loadGlue('glue-mnli', { source: 'real', path: join(F, 'tsv') });
  // dev_matched row 2 (fixture): contradiction, with quotes that must survive (quotes are not special in GLUE TSVs)
  assert.deepEqual(mnli.test[2], { idx: 2, label: 2, premise: 'Eli painted the "blue" kettle at the market.', hypothesis: 'Eli never painted the "blue" kettle.' });
  assert.equal(mnli.validation.length, 9); assert.equal(mnli.test.length, 9);
  const stsb = await loadGlue('glue-stsb', { source: 'real', path: join(F, 'parquet') });
  const scores = [...stsb.validation, ...stsb.test].map((x) => x.label).sort((a, b) => a - b);
  // dev scores of the fixture: stsbScores[5..12] = 1, 4.2, 3, 0, 2.75, 3.5, 1.6, 5 (float32 noise removed)
  assert.deepEqual(scores, [0, 1, 1.6, 2.75, 3, 3.5, 4.2, 5]);
  const qnli = await loadGlue('glue-qnli', { source: 'real', path: join(F, 'tsv') }, 42, small);
  assert.deepEqual(qnli.test.map((x) => x.label), [0, 1, 0, 1, 0, 1, 0, 1]);
  assert.deepEqual(qnli.meta.labels, ['entailment', 'not_entailment']);
});

test('MRPC from the raw Microsoft files: dev = the rows in dev_ids.tsv, the rest is train', async () => {
  const msr = await loadGlue('glue-mrpc', { source: 'real', path: join(F, 'msr') });
  const tsv = await loadGlue('glue-mrpc', { source: 'real', path: join(F, 'tsv') });
  assert.equal(msr.meta.layout, 'msr');
  assert.deepEqual(sortKey(msr.train), sortKey(tsv.train));
  assert.deepEqual(sortKey([...msr.validation, ...msr.test]), sortKey([...tsv.validation, ...tsv.test]));
  assert.ok(!msr.train[0].sentence1.startsWith('\ufeff'));
  await assert.rejects(loadGlue('glue-mrpc', { source: 'real', path: join(F, 'malformed', 'mrpc-msr-no-dev-ids') }), isInputError(['dev_ids.tsv']));
});

test('malformed files are errors naming the file and the line (TSV) or row (Parquet) and what is wrong', async () => {
  const M = (c: string) => join(F, 'malformed', c);
  const cases: [GlueTaskId, string, string[]][] = [
    ['glue-cola', 'cola-bad-label', [join(M('cola-bad-label'), 'CoLA', 'train.tsv') + ':3', 'label "2"']],
    ['glue-sst2', 'sst2-stray-tab', ['SST-2/train.tsv:5', 'expected 2 tab-separated fields, found 3']],
    ['glue-mnli', 'mnli-unknown-label', ['MNLI/train.tsv:4', 'unknown label "maybe"']],
    ['glue-stsb', 'stsb-bad-score', ['STS-B/train.tsv:7', '7.500']],
    ['glue-qqp', 'qqp-missing-column', ['QQP/train.tsv:1', '"is_duplicate"']],
    ['glue-rte', 'rte-missing-dev', ['dev.tsv is missing', 'gluebenchmark.com']],
    ['glue-cola', 'cola-null-sentence', ['cola/train-00000-of-00001.parquet', 'row 3', '"sentence"', 'null']],
    ['glue-rte', 'rte-test-labels', ['rte/train-00000-of-00001.parquet', 'row 2', 'label -1', 'test split']],
    ['glue-qnli', 'qnli-missing-column', ['qnli/train-00000-of-00001.parquet', 'no "sentence" column']],
    ['glue-sst2', 'not-parquet', ['sst2/train-00000-of-00001.parquet', 'Parquet']],
  ];
  for (const [t, c, parts] of cases) await assert.rejects(loadGlue(t, { source: 'real', path: M(c) }, 42, { largeValidationSize: 2 }), isInputError(parts), c);
});

test('missing folders say what is expected and where to get it', async () => {
  await assert.rejects(loadGlue('glue-rte', { source: 'real', path: join(F, 'nope') }), isInputError(['does not exist', 'RTE/{train.tsv, dev.tsv}', 'rte/{train-00000-of-00001.parquet', 'load_dataset("glue", "rte")']));
  await assert.rejects(loadGlue('glue-cola', { source: 'real', path: join(F, 'malformed', 'qqp-short-row') }), isInputError(['no CoLA data found', 'CoLA/{train.tsv, dev.tsv}']));
  await assert.rejects(loadGlue('glue-xyz', { source: 'mini' }), isInputError(['unknown GLUE task']));
});

test("QQP's cut-short rows are dropped and reported (as Hugging Face's loader does); an extra field is still an error", async () => {
  const d = await loadGlue('glue-qqp', { source: 'real', path: join(F, 'malformed', 'qqp-short-row') }, 42, { largeValidationSize: 2 });
  assert.equal(d.train.length + d.validation.length, 8);
  assert.equal(d.meta.skipped!.length, 1);
  assert.equal(d.meta.skipped![0].line, 5);
  // an extra field (a stray tab) in QQP is not a cut-short row: still an error
  const dir = mkdtempSync(join(tmpdir(), 'unipt-qqp-'));
  try {
    mkdirSync(join(dir, 'QQP'));
    const text = readFileSync(join(F, 'tsv', 'QQP', 'train.tsv'), 'utf8').split('\n');
    text[3] = text[3].replace(' ', '\t');
    writeFileSync(join(dir, 'QQP', 'train.tsv'), text.join('\n'));
    copyFileSync(join(F, 'tsv', 'QQP', 'dev.tsv'), join(dir, 'QQP', 'dev.tsv'));
    await assert.rejects(loadGlue('glue-qqp', { source: 'real', path: dir }, 42, small), isInputError(['QQP/train.tsv:4', 'found 7']));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('large tasks need more training rows than the validation size', async () => {
  await assert.rejects(loadGlue('glue-sst2', { source: 'real', path: join(F, 'tsv') }), isInputError(['12 examples', '1000 of them as validation']));
});

test('TSV reading: byte-order mark, CRLF line ends, trailing newlines; an empty line inside is an error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-tsv-'));
  try {
    const p = join(dir, 'x.tsv');
    writeFileSync(p, '\ufeffa\tb\r\n1\t"two" and \'three\'\r\n3\t4\n\n');
    const rows: string[][] = [];
    const f = readTsv(p, { header: true }, (_, r) => rows.push(r.fields));
    assert.deepEqual(f.header, ['a', 'b']);
    assert.deepEqual(rows, [['1', '"two" and \'three\''], ['3', '4']]);
    writeFileSync(p, 'a\tb\n1\t2\n\n3\t4\n');
    assert.throws(() => readTsv(p, { header: true }, () => {}), isInputError([`${p}:3`, 'empty line']));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('LST splits: seeded halves of dev, seeded 1,000-style validation from train, deterministic per seed', () => {
  const mk = (n: number, off = 0): GlueExample[] => Array.from({ length: n }, (_, i) => ({ idx: i + off, label: i % 2, sentence1: `s${i + off}`, sentence2: 'x' }) as GlueExample);
  const rte = GLUE_SCHEMAS['glue-rte'];
  const a = lstSplits(rte, { train: mk(10), dev: mk(9, 100) }, 42);
  assert.equal(a.validation.length, 4); assert.equal(a.test.length, 5);
  assert.deepEqual([...a.validation, ...a.test].map((x) => x.idx).sort((x, y) => x - y), mk(9, 100).map((x) => x.idx));
  assert.equal(a.train.length, 10);
  assert.deepEqual(lstSplits(rte, { train: mk(10), dev: mk(9, 100) }, 42), a);
  const seeds = new Set([1, 2, 3, 4, 5].map((s) => JSON.stringify(lstSplits(rte, { train: mk(10), dev: mk(40, 100) }, s).validation.map((x) => x.idx))));
  assert.ok(seeds.size > 1, 'the split seed changes the halves');
  const qnli = GLUE_SCHEMAS['glue-qnli'];
  const b = lstSplits(qnli, { train: mk(30), dev: mk(7, 100) }, 42, { largeValidationSize: 10 });
  assert.equal(b.validation.length, 10); assert.equal(b.train.length, 20); assert.equal(b.test.length, 7);
  const ids = new Set(b.validation.map((x) => x.idx));
  assert.ok(b.train.every((x) => !ids.has(x.idx)), 'validation examples leave the training set');
  assert.deepEqual(b.train.map((x) => x.idx), [...b.train.map((x) => x.idx)].sort((x, y) => x - y), 'train keeps file order');
  const mnli = GLUE_SCHEMAS['glue-mnli'];
  const c = lstSplits(mnli, { train: mk(3), dev_matched: mk(2, 10), dev_mismatched: mk(2, 20) }, 42);
  assert.deepEqual(c.validation.map((x) => x.idx), [20, 21]);
  assert.deepEqual(c.test.map((x) => x.idx), [10, 11]);
});
