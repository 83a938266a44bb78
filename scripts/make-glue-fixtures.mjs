// Writes the small GLUE fixture files under datasets/fixtures/glue/ (commit-ready, deterministic):
//   tsv/<GLUE dir>/...          the GLUE distribution's TSV layout, every task
//   msr/MRPC/...                MRPC as the raw Microsoft files + dev_ids.tsv (input of GLUE's download script)
//   parquet/<hf config>/...     the Hugging Face glue dataset's Parquet layout, every task (same rows as tsv/)
//   malformed/<case>/...        broken files for the loaders' error tests
// The texts are written for these fixtures (no GLUE text is copied). Usage: node scripts/make-glue-fixtures.mjs
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetWriteFile } from 'hyparquet-writer';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'datasets', 'fixtures', 'glue');

// ---- rows (shared by both layouts) ------------------------------------------------------------------------
const people = ['Ana', 'Bo', 'Chen', 'Dara', 'Eli', 'Fay', 'Gus', 'Hana', 'Ivo', 'Jun'];
const things = ['the report', 'a bicycle', 'the old map', 'two tickets', 'the "blue" kettle', 'a lamp', 'the garden hose', 'three apples', 'a letter', 'the chess set'];
const verbs = [['bought', 'purchased'], ['found', 'discovered'], ['fixed', 'repaired'], ['sold', 'traded away'], ['painted', 'coloured']];
const pick = (xs, i) => xs[i % xs.length];

function cola(n, off) {
  const good = (i) => `${pick(people, i + off)} ${pick(verbs, i + off)[0]} ${pick(things, i + 2 * off)}.`;
  const bad = (i) => `${pick(people, i + off)} ${pick(things, i + 2 * off)} ${pick(verbs, i + off)[0]} the.`;
  return Array.from({ length: n }, (_, i) => (i % 3 === 2 ? { sentence: bad(i), label: 0 } : { sentence: good(i), label: 1 }));
}
function sst2(n, off) {
  const pos = ['a warm, funny and "generous" film', 'the best thing I saw this year', 'beautifully acted', 'it works, and it works well'];
  const neg = ['a dull mess', 'not worth the ticket', 'flat, loud and far too long', "the plot doesn't hold together"];
  return Array.from({ length: n }, (_, i) => (i % 2 ? { sentence: pick(neg, i + off), label: 0 } : { sentence: pick(pos, i + off), label: 1 }));
}
function pairFacts(n, off, positive) {
  return Array.from({ length: n }, (_, i) => {
    const p = pick(people, i + off), t = pick(things, i + off), [v, v2] = pick(verbs, i + off);
    const s1 = `${p} ${v} ${t} on Monday.`;
    const same = positive(i);
    const s2 = same ? `On Monday, ${p} ${v2} ${t}.` : `${pick(people, i + off + 1)} ${v} ${t} on Friday.`;
    return { s1, s2, same };
  });
}
const mrpc = (n, off) => pairFacts(n, off, (i) => i % 3 !== 2).map((r) => ({ sentence1: r.s1, sentence2: r.s2, label: r.same ? 1 : 0 }));
const qqp = (n, off) => pairFacts(n, off, (i) => i % 3 === 0).map((r) => ({ question1: `Why ${r.s1.replace(/\.$/, '')}?`, question2: `Why ${r.s2.replace(/\.$/, '')}?`, label: r.same ? 1 : 0 }));
const stsbScores = [5, 4.75, 3.8, 0.6, 2.4, 1, 4.2, 3, 0, 2.75, 3.5, 1.6];
const stsb = (n, off) => pairFacts(n, off, (i) => i % 2 === 0).map((r, i) => ({ sentence1: r.s1, sentence2: r.s2, label: pick(stsbScores, i + off) }));
const MNLI_LABELS = ['entailment', 'neutral', 'contradiction'];
function mnli(n, off) {
  return Array.from({ length: n }, (_, i) => {
    const p = pick(people, i + off), t = pick(things, i + off), [v] = pick(verbs, i + off);
    const label = i % 3;
    const hypothesis = [`Someone ${v} ${t}.`, `${p} ${v} ${t} because it was cheap.`, `${p} never ${v} ${t}.`][label];
    return { premise: `${p} ${v} ${t} at the market.`, hypothesis, label };
  });
}
const ENT2 = ['entailment', 'not_entailment'];
function qnli(n, off) {
  return Array.from({ length: n }, (_, i) => {
    const p = pick(people, i + off), t = pick(things, i + off), [v] = pick(verbs, i + off);
    const label = i % 2;
    return { question: `Who ${v} ${t}?`, sentence: label === 0 ? `${p} ${v} ${t} last week.` : `${t[0].toUpperCase()}${t.slice(1)} was on the table.`, label };
  });
}
function rte(n, off) {
  return Array.from({ length: n }, (_, i) => {
    const p = pick(people, i + off), t = pick(things, i + off), [v] = pick(verbs, i + off);
    const label = i % 2;
    return { sentence1: `${p}, who lives near the station, ${v} ${t} yesterday.`, sentence2: label === 0 ? `${p} ${v} ${t}.` : `${p} lives far from the station.`, label };
  });
}

// task: [GLUE dir, HF config, rows(train), rows(dev sets), TSV writer]
const TASKS = {
  cola: { dir: 'CoLA', train: cola(12, 0), dev: cola(8, 5) },
  sst2: { dir: 'SST-2', train: sst2(12, 0), dev: sst2(8, 1) },
  mrpc: { dir: 'MRPC', train: mrpc(12, 0), dev: mrpc(8, 4) },
  qqp: { dir: 'QQP', train: qqp(12, 0), dev: qqp(8, 3) },
  stsb: { dir: 'STS-B', train: stsb(12, 0), dev: stsb(8, 5) },
  mnli: { dir: 'MNLI', train: mnli(12, 0), dev_matched: mnli(9, 2), dev_mismatched: mnli(9, 7) },
  qnli: { dir: 'QNLI', train: qnli(12, 0), dev: qnli(8, 3) },
  rte: { dir: 'RTE', train: rte(12, 0), dev: rte(8, 6) },
};

// ---- TSV writers in GLUE's own column layouts ----------------------------------------------------------------
const tsv = (rows) => rows.map((r) => r.join('\t')).join('\n') + '\n';
const TSV = {
  cola: (rows) => tsv(rows.map((r, i) => [`src${i % 3}`, r.label, r.label ? '' : '*', r.sentence])),
  sst2: (rows) => tsv([['sentence', 'label'], ...rows.map((r) => [r.sentence, r.label])]),
  mrpc: (rows) => tsv([['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'], ...rows.map((r, i) => [r.label, 1000 + 2 * i, 1001 + 2 * i, r.sentence1, r.sentence2])]),
  qqp: (rows) => tsv([['id', 'qid1', 'qid2', 'question1', 'question2', 'is_duplicate'], ...rows.map((r, i) => [i, 2 * i + 1, 2 * i + 2, r.question1, r.question2, r.label])]),
  stsb: (rows) => tsv([['index', 'genre', 'filename', 'year', 'old_index', 'source1', 'source2', 'sentence1', 'sentence2', 'score'],
    ...rows.map((r, i) => [i, 'main-news', 'fixture', '2024', i, 'none', 'none', r.sentence1, r.sentence2, r.label.toFixed(3)])]),
  mnli: (rows, dev) => {
    const labelCols = dev ? ['label1', 'label2', 'label3', 'label4', 'label5'] : ['label1'];
    const head = ['index', 'promptID', 'pairID', 'genre', 'sentence1_binary_parse', 'sentence2_binary_parse', 'sentence1_parse', 'sentence2_parse', 'sentence1', 'sentence2', ...labelCols, 'gold_label'];
    return tsv([head, ...rows.map((r, i) => [i, 100 + i, `${100 + i}e`, 'fiction', '( x )', '( y )', '(ROOT x)', '(ROOT y)', r.premise, r.hypothesis, ...labelCols.map(() => MNLI_LABELS[r.label]), MNLI_LABELS[r.label]])]);
  },
  qnli: (rows) => tsv([['index', 'question', 'sentence', 'label'], ...rows.map((r, i) => [i, r.question, r.sentence, ENT2[r.label]])]),
  rte: (rows) => tsv([['index', 'sentence1', 'sentence2', 'label'], ...rows.map((r, i) => [i, r.sentence1, r.sentence2, ENT2[r.label]])]),
};
const FIELDS = { cola: ['sentence'], sst2: ['sentence'], mrpc: ['sentence1', 'sentence2'], qqp: ['question1', 'question2'], stsb: ['sentence1', 'sentence2'], mnli: ['premise', 'hypothesis'], qnli: ['question', 'sentence'], rte: ['sentence1', 'sentence2'] };

function write(path, text) { mkdirSync(dirname(path), { recursive: true }); writeFileSync(path, text); }
function parquet(path, task, rows, { labelType, nullAt, dropColumn, labelOverride } = {}) {
  mkdirSync(dirname(path), { recursive: true });
  const columnData = [
    ...FIELDS[task].filter((f) => f !== dropColumn).map((f) => ({ name: f, type: 'STRING', data: rows.map((r, i) => (nullAt === i ? null : r[f])) })),
    task === 'stsb'
      ? { name: 'label', type: 'FLOAT', data: rows.map((r) => r.label) }
      : { name: 'label', type: labelType ?? 'INT64', data: rows.map((r, i) => BigInt(labelOverride?.[i] ?? r.label)) },
    { name: 'idx', type: 'INT32', data: rows.map((_, i) => i) },
  ];
  parquetWriteFile({ filename: path, columnData });
}

rmSync(root, { recursive: true, force: true });
for (const [task, t] of Object.entries(TASKS)) {
  if (task === 'mnli') {
    write(join(root, 'tsv', t.dir, 'train.tsv'), TSV.mnli(t.train, false));
    write(join(root, 'tsv', t.dir, 'dev_matched.tsv'), TSV.mnli(t.dev_matched, true));
    write(join(root, 'tsv', t.dir, 'dev_mismatched.tsv'), TSV.mnli(t.dev_mismatched, true));
    parquet(join(root, 'parquet', task, 'train-00000-of-00001.parquet'), task, t.train);
    parquet(join(root, 'parquet', task, 'validation_matched-00000-of-00001.parquet'), task, t.dev_matched);
    parquet(join(root, 'parquet', task, 'validation_mismatched-00000-of-00001.parquet'), task, t.dev_mismatched);
  } else {
    write(join(root, 'tsv', t.dir, 'train.tsv'), TSV[task](t.train));
    write(join(root, 'tsv', t.dir, 'dev.tsv'), TSV[task](t.dev));
    parquet(join(root, 'parquet', task, 'train-00000-of-00001.parquet'), task, t.train);
    parquet(join(root, 'parquet', task, 'validation-00000-of-00001.parquet'), task, t.dev);
  }
}

// MRPC as Microsoft's files: train + dev rows in one file (with a byte-order mark, as the original), dev ids apart
{
  const all = [...TASKS.mrpc.train.map((r, i) => ({ ...r, id1: 1000 + 2 * i, id2: 1001 + 2 * i })), ...TASKS.mrpc.dev.map((r, i) => ({ ...r, id1: 5000 + 2 * i, id2: 5001 + 2 * i }))];
  const order = all.map((_, i) => i).sort((a, b) => ((a * 7) % all.length) - ((b * 7) % all.length));
  write(join(root, 'msr', 'MRPC', 'msr_paraphrase_train.txt'), '\ufeff' + tsv([['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'], ...order.map((i) => [all[i].label, all[i].id1, all[i].id2, all[i].sentence1, all[i].sentence2])]));
  write(join(root, 'msr', 'MRPC', 'dev_ids.tsv'), tsv(TASKS.mrpc.dev.map((_, i) => [5000 + 2 * i, 5001 + 2 * i])));
  write(join(root, 'malformed', 'mrpc-msr-no-dev-ids', 'MRPC', 'msr_paraphrase_train.txt'), tsv([['Quality', '#1 ID', '#2 ID', '#1 String', '#2 String'], [1, 1, 2, 'A b.', 'B a.']]));
}

// ---- malformed cases ---------------------------------------------------------------------------------------
const M = (...p) => join(root, 'malformed', ...p);
{
  const rows = cola(6, 0); rows[2] = { ...rows[2], label: 2 }; // line 3: label 2
  write(M('cola-bad-label', 'CoLA', 'train.tsv'), TSV.cola(rows));
  write(M('cola-bad-label', 'CoLA', 'dev.tsv'), TSV.cola(cola(4, 1)));
}
{
  const text = TSV.sst2(sst2(6, 0)).split('\n');
  text[4] = text[4].replace(' ', '\t'); // line 5: a stray tab inside the sentence
  write(M('sst2-stray-tab', 'SST-2', 'train.tsv'), text.join('\n'));
  write(M('sst2-stray-tab', 'SST-2', 'dev.tsv'), TSV.sst2(sst2(4, 1)));
}
{
  const text = TSV.mnli(mnli(6, 0), false).split('\n');
  text[3] = text[3].replace(/\t[a-z]+$/, '\tmaybe'); // line 4: gold_label "maybe"
  write(M('mnli-unknown-label', 'MNLI', 'train.tsv'), text.join('\n'));
  write(M('mnli-unknown-label', 'MNLI', 'dev_matched.tsv'), TSV.mnli(mnli(3, 1), true));
  write(M('mnli-unknown-label', 'MNLI', 'dev_mismatched.tsv'), TSV.mnli(mnli(3, 2), true));
}
{
  const text = TSV.stsb(stsb(6, 0)).split('\n');
  text[6] = text[6].replace(/\t[0-9.]+$/, '\t7.500'); // line 7: score outside [0, 5]
  write(M('stsb-bad-score', 'STS-B', 'train.tsv'), text.join('\n'));
  write(M('stsb-bad-score', 'STS-B', 'dev.tsv'), TSV.stsb(stsb(4, 1)));
}
write(M('rte-missing-dev', 'RTE', 'train.tsv'), TSV.rte(rte(6, 0)));
{
  const text = TSV.qqp(qqp(6, 0)).split('\n');
  text[0] = text[0].replace('is_duplicate', 'duplicate');
  write(M('qqp-missing-column', 'QQP', 'train.tsv'), text.join('\n'));
  write(M('qqp-missing-column', 'QQP', 'dev.tsv'), TSV.qqp(qqp(4, 1)));
}
{
  // GLUE's QQP train.tsv has a few rows cut short; they are dropped (as Hugging Face does), not fatal
  const text = TSV.qqp(qqp(8, 0)).split('\n');
  text.splice(4, 0, '9001\t17\t18\tHow do I fix a');
  write(M('qqp-short-row', 'QQP', 'train.tsv'), text.join('\n'));
  write(M('qqp-short-row', 'QQP', 'dev.tsv'), TSV.qqp(qqp(4, 1)));
}
parquet(M('cola-null-sentence', 'cola', 'train-00000-of-00001.parquet'), 'cola', cola(6, 0), { nullAt: 3 });
parquet(M('cola-null-sentence', 'cola', 'validation-00000-of-00001.parquet'), 'cola', cola(4, 1));
parquet(M('rte-test-labels', 'rte', 'train-00000-of-00001.parquet'), 'rte', rte(6, 0), { labelOverride: { 2: -1 } });
parquet(M('rte-test-labels', 'rte', 'validation-00000-of-00001.parquet'), 'rte', rte(4, 1));
parquet(M('qnli-missing-column', 'qnli', 'train-00000-of-00001.parquet'), 'qnli', qnli(6, 0), { dropColumn: 'sentence' });
parquet(M('qnli-missing-column', 'qnli', 'validation-00000-of-00001.parquet'), 'qnli', qnli(4, 1));
write(M('not-parquet', 'sst2', 'train-00000-of-00001.parquet'), 'this is not a parquet file\n');
write(M('not-parquet', 'sst2', 'validation-00000-of-00001.parquet'), 'this is not a parquet file\n');
console.log(`wrote GLUE fixtures under ${root}`);
