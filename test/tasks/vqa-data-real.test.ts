// The LXMERT-format loaders on the fixture datasets (datasets/fixtures/vqa, written by scripts/make-vqa-fixtures.mjs):
// splits as CLIP-ViL's scripts use them, the answer vocabulary, soft targets, images resolved (COCO sub-folders
// included) and decoded; malformed files fail naming the file, the entry and the key.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { loadRealVqa, realDataFingerprint } from '../../src/tasks/vqa/data/real.js';
import { readQuestionFile, targetMatrix } from '../../src/tasks/vqa/data/lxmert.js';

const FIX = fileURLToPath(new URL('../../../datasets/fixtures/vqa/', import.meta.url));
const tmp: string[] = [];
process.on('exit', () => { for (const d of tmp) rmSync(d, { recursive: true, force: true }); });

before(async () => { await initBackend('wasm'); });

test('VQAv2: train = train + nominival, validation = test = minival; vocabulary and soft targets as in the files', async () => {
  const s = loadRealVqa('vqa-vqav2', join(FIX, 'vqa'), { imageSize: 16 });
  assert.deepEqual(s.train.map((x) => x.questionId), ['9000', '9001', '25000', '25001', '42000', '42001']);
  assert.deepEqual(s.validation.map((x) => x.questionId), ['42002', '9002', '25002']);
  assert.deepEqual(s.test.map((x) => x.questionId), s.validation.map((x) => x.questionId));
  assert.deepEqual(s.answers.label2ans, ['yes', 'no', 'red', 'blue', 'green', '1', '2']);
  assert.equal(s.answers.ans2label.get('green'), 4);
  assert.equal(s.train[2].sent, 'What color is the square?');
  const { targets } = targetMatrix(s.train, s.answers);
  // 25000: blue 0.9, green 0.3
  assert.deepEqual([...targets.subarray(2 * 7, 3 * 7)].map((x) => Math.round(x * 10) / 10), [0, 0, 0, 0.9, 0.3, 0, 0]);
  // images: three distinct ids, the val2014 one found in its sub-folder; decoded to 16x16 RGB in [0, 1]
  assert.deepEqual([...s.images.ids].sort(), ['COCO_train2014_000000000009', 'COCO_train2014_000000000025', 'COCO_val2014_000000000042']);
  const red = await s.images.pixels(s.images.ids.indexOf('COCO_train2014_000000000009'));
  assert.equal(red.length, 16 * 16 * 3);
  // the red square sits at the top left (rows/cols 2..9 of 24 -> about 1..5 of 16)
  const px = (y: number, x: number) => [0, 1, 2].map((c) => red[(y * 16 + x) * 3 + c]);
  assert.ok(px(3, 3)[0] > 0.7 && px(3, 3)[2] < 0.3, `top-left pixel ${px(3, 3)}`);
  assert.ok(Math.abs(px(12, 12)[0] - 0.5) < 0.05, `background pixel ${px(12, 12)}`);
});

test('GQA: train = train + valid, validation = test = testdev; PNG and JPEG images', async () => {
  const s = loadRealVqa('vqa-gqa', join(FIX, 'gqa'), { imageSize: 8 });
  assert.equal(s.train.length, 4);
  assert.deepEqual(s.validation.map((x) => x.questionId), ['201307251', '201307252']);
  assert.equal(s.train[0].questionId, '02930152', 'GQA question ids stay strings (leading zero kept)');
  assert.deepEqual(s.validation[1].label, { maybe: 1 });
  assert.equal(s.unknownAnswers, 0);
  const { dropped } = targetMatrix(s.validation, s.answers);
  assert.equal(dropped, 1, '"maybe" is not in the answer vocabulary');
  for (let i = 0; i < s.images.ids.length; i++) assert.equal((await s.images.pixels(i)).length, 8 * 8 * 3);
});

test('test.json without labels is readable as an unlabelled split, but not as a training split', () => {
  const f = join(FIX, 'vqa', 'test.json');
  assert.equal(readQuestionFile(f, false)[0].label, null);
  assert.throws(() => readQuestionFile(f, true), /test\.json: entry 0 \(question_id 1000\): key "label" is missing/);
});

test('malformed files fail naming the file, the entry and the key', () => {
  const M = (c: string) => join(FIX, 'malformed', c);
  const load = (c: string) => () => loadRealVqa('vqa-vqav2', M(c), { imageSize: 8 });
  assert.throws(load('vqa-bad-score'), /vqa-bad-score\/train\.json: entry 1 \(question_id 8\): key "label\.red" must be a score in \[0, 1\], got 1\.5/);
  assert.throws(load('vqa-missing-sent'), /nominival\.json: entry 0 \(question_id 3\): key "sent" \(the question\) must be a non-empty string/);
  assert.throws(load('vqa-missing-image'), /minival\.json: question_id 77 refers to img_id "COCO_val2014_000000999999", but there is no .*COCO_val2014_000000999999\.jpg/);
  assert.throws(load('vqa-duplicate-qid'), /train\.json: entry 1 \(question_id 5\): question_id 5 already used by entry 0/);
  assert.throws(load('vqa-bad-json'), /minival\.json is not valid JSON at line 2/);
  assert.throws(load('vqa-vocab-mismatch'), /trainval_ans2label\.json: key "red" maps to label 3, but entry 3 of .*trainval_label2ans\.json is "blue"/);
  assert.throws(load('vqa-not-a-list'), /vqa-not-a-list\/train\.json: expected a JSON list of question entries, got object/);
  assert.throws(load('vqa-missing-label'), /minival\.json: entry 0 \(question_id 11\): key "label" is missing/);
  assert.throws(load('vqa-missing-file'), /vqa-missing-file lacks nominival\.json/);
  assert.throws(() => loadRealVqa('vqa-gqa', join(FIX, 'vqa'), { imageSize: 8 }), /lacks valid\.json, testdev\.json/);
});

test('the data fingerprint follows the question files\' content', () => {
  const d = mkdtempSync(join(tmpdir(), 'vqa-fp-'));
  tmp.push(d);
  cpSync(join(FIX, 'gqa'), d, { recursive: true });
  const a = realDataFingerprint('vqa-gqa', d);
  assert.equal(realDataFingerprint('vqa-gqa', d), a);
  const f = join(d, 'valid.json');
  writeFileSync(f, readFileSync(f, 'utf8').replace('Is the square red?', 'Is the square blue?'));
  assert.notEqual(realDataFingerprint('vqa-gqa', d), a);
});
