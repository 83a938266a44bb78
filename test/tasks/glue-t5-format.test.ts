// GLUE as text-to-text (LST's seq2seq/data/tasks.py): source and target strings, STS-B rounding against values
// NumPy gives for LST's np.round((x * 5) / 5, decimals=1), and metrics on decoded strings where invalid strings count
// as wrong (hand-computed cases) and never throw. Also: every mini example tokenises without <unk> under the mini T5
// tokenizer, and each label string is one token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { t5Source, t5Target, t5LabelStrings, roundStsbTarget, t5GlueMetrics, parsePrediction, isValidPrediction } from '../../src/tasks/glue-t5/format.js';
import { loadGlue, GLUE_TASK_IDS, type GlueExample } from '../../src/tasks/glue/data/index.js';
import { miniT5Tokenizer } from '../../src/backbones/t5/pretrain.js';
import { encodeExample, maxTargetTokens } from '../../src/tasks/glue-t5/run.js';

const ex = (o: Record<string, unknown>) => ({ idx: 0, label: 0, ...o }) as unknown as GlueExample;

test('sources follow LST\'s prefixes and field names exactly (MNLI\'s "hypothesis" has no colon)', () => {
  assert.equal(t5Source('glue-cola', ex({ sentence: 'A b.' })), 'cola sentence: A b.');
  assert.equal(t5Source('glue-sst2', ex({ sentence: 'Nice.' })), 'sst2 sentence: Nice.');
  assert.equal(t5Source('glue-mrpc', ex({ sentence1: 'A.', sentence2: 'B.' })), 'mrpc sentence1: A. sentence2: B.');
  assert.equal(t5Source('glue-qqp', ex({ question1: 'A?', question2: 'B?' })), 'qqp question1: A? question2: B?');
  assert.equal(t5Source('glue-stsb', ex({ sentence1: 'A.', sentence2: 'B.' })), 'stsb sentence1: A. sentence2: B.');
  assert.equal(t5Source('glue-mnli', ex({ premise: 'P.', hypothesis: 'H.' })), 'mnli premise: P. hypothesis H.');
  assert.equal(t5Source('glue-qnli', ex({ question: 'Q?', sentence: 'S.' })), 'qnli question: Q? sentence: S.');
  assert.equal(t5Source('glue-rte', ex({ sentence1: 'A.', sentence2: 'B.' })), 'rte sentence1: A. sentence2: B.');
  assert.throws(() => t5Source('glue-rte', ex({ sentence1: 'A.' })), /field "sentence2" is missing/);
});

test('targets are str(label); STS-B rounds as NumPy does for LST (one decimal, half to even)', () => {
  assert.equal(t5Target('glue-cola', 1), '1');
  assert.equal(t5Target('glue-mnli', 2), '2');
  assert.throws(() => t5Target('glue-sst2', 2), /not a class id/);
  // reference values printed by NumPy 1.24 for str(np.round((x * 5) / 5, decimals=1))
  const numpy: [number, string][] = [[3.45, '3.4'], [2.25, '2.2'], [0.05, '0.0'], [5, '5.0'], [1.6666, '1.7'], [3.42, '3.4'], [0.5, '0.5'], [2.35, '2.4'], [4.15, '4.2'], [0.15, '0.2']];
  for (const [x, want] of numpy) assert.equal(t5Target('glue-stsb', x), want, `stsb ${x}`);
  assert.equal(roundStsbTarget(0.25), 0.2);
  assert.deepEqual(t5LabelStrings('glue-mnli'), ['0', '1', '2']);
  assert.equal(t5LabelStrings('glue-stsb').length, 51);
});

test('invalid strings are wrong, never errors: accuracy, MRPC F1 (LST f1_score_with_invalid), CoLA MCC, STS-B', () => {
  // SST-2: "x" is wrong -> 2 of 4
  assert.equal(t5GlueMetrics('glue-sst2', ['1', '0', 'x', '1'], [1, 0, 1, 0]).accuracy, 50);
  assert.equal(t5GlueMetrics('glue-sst2', ['1', '0', 'x', '1'], [1, 0, 1, 0]).invalid, 25);
  // MRPC: the invalid "?" at a gold-0 example becomes "1": TP 2, FP 1, FN 1 -> F1 = 4/6; accuracy 2/4
  const m = t5GlueMetrics('glue-mrpc', ['1', '?', '0', '1'], [1, 0, 1, 1]);
  assert.ok(Math.abs(m.f1 - 400 / 6) < 1e-9, `f1 ${m.f1}`);
  assert.equal(m.accuracy, 50);
  assert.ok(Math.abs(m.average - (400 / 6 + 50) / 2) < 1e-9);
  // CoLA: the invalid string is its own class (sklearn on the raw strings): classes {-1, 0, 1},
  // gold counts 0:2 1:2, predicted -1:1 0:1 1:2, 3 correct of 4 -> (3*4 - 6) / sqrt((16 - 6)(16 - 8)) = 6 / sqrt(80)
  const c = t5GlueMetrics('glue-cola', ['1', '1', '0', 'garbage'], [1, 1, 0, 0]);
  assert.ok(Math.abs(c.matthews_correlation - 100 * 6 / Math.sqrt(80)) < 1e-9, `mcc ${c.matthews_correlation}`);
  // "2" is not a CoLA label but is an MNLI one
  assert.equal(isValidPrediction('glue-cola', '2'), false);
  assert.equal(isValidPrediction('glue-mnli', '2'), true);
  // STS-B: unparsable -> -1; gold is the rounded target
  assert.equal(parsePrediction('glue-stsb', 'oops'), -1);
  assert.equal(parsePrediction('glue-stsb', '1.2.3'), -1);
  assert.equal(parsePrediction('glue-stsb', 'nan'), -1);
  assert.equal(parsePrediction('glue-stsb', ' 3.4 '), 3.4);
  const s = t5GlueMetrics('glue-stsb', ['3.4', 'oops', '1.0'], [3.42, 0.5, 1.0]);
  // x = [3.4, -1, 1.0] vs y = [3.4, 0.5, 1.0]: both rank orders are (3.4 > 1.0 > other) -> Spearman 100
  assert.ok(Math.abs(s.spearmanr - 100) < 1e-9);
  assert.ok(s.pearson < 100 && s.pearson > 0);
  assert.equal(s.invalid, 100 / 3);
  // garbage everywhere never throws
  for (const t of GLUE_TASK_IDS) {
    const r = t5GlueMetrics(t, ['', '  ', 'banana', '1e999', '-', '<unk>'], [0, 1, 0, 1, 0, 1].map((v) => (t === 'glue-stsb' ? v * 2.5 : v)));
    for (const [k, v] of Object.entries(r)) assert.ok(Number.isFinite(v), `${t} ${k} = ${v}`);
    assert.equal(r.invalid, 100);
  }
});

test('the mini T5 tokenizer covers every mini GLUE source and target; labels are one token + </s>', async () => {
  const tok = miniT5Tokenizer();
  for (const task of GLUE_TASK_IDS) {
    const data = await loadGlue(task, { source: 'mini' }, 42, { miniSizes: { train: 60, dev: 40, dev_matched: 30, dev_mismatched: 30 }, largeValidationSize: 20 });
    for (const x of [...data.train, ...data.validation, ...data.test]) {
      const e = encodeExample(tok, task, x);
      assert.ok(!e.source.includes(tok.unkId), `${task}: <unk> in "${t5Source(task, x)}"`);
      assert.equal(e.source[e.source.length - 1], tok.eosId);
      assert.equal(e.target.length, 2, `${task}: target "${t5Target(task, x.label)}"`);
      assert.equal(tok.decode(e.target), t5Target(task, x.label));
    }
    assert.equal(maxTargetTokens(tok, task), 2);
  }
});

test('sources are truncated to 128 tokens ending with </s>', () => {
  const tok = miniT5Tokenizer();
  const long = Array.from({ length: 300 }, () => 'the').join(' ');
  const e = encodeExample(tok, 'glue-sst2', ex({ sentence: long }));
  assert.equal(e.source.length, 128);
  assert.equal(e.source[127], tok.eosId);
});
