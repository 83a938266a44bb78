// --loadLXMERTQA: the fine-tuning head starts from the pretraining QA head, answers mapped by name, unknown answers
// zeroed; the QA head round-trips through a checkpoint folder (answer_head.* + qa_answers.json) and a head without
// its answer table is an error naming the file.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import { AnswerHead } from '../../src/backbones/clip-vil/heads.js';
import { loadClipVil, loadPretrainedAnswerHead, saveClipVil, QA_ANSWERS_FILE } from '../../src/backbones/clip-vil/checkpoint.js';
import { loadLxmertQa } from '../../src/tasks/vqa/lxmert-qa.js';
import { writeTinyClipVil } from './vqa-support/tiny-checkpoint.js';

before(async () => { await initBackend('wasm'); });

const rows = (t: { value: { arraySync(): unknown } }) => t.value.arraySync() as number[][];
const col = (w: number[][], j: number) => w.map((r) => r[j]);

test('loadLxmertQa copies logit_fc.0/.2 whole and the last layer per answer name; unknown answers get zeros', () => {
  const src = new AnswerHead(6, 3, new Rng(1));
  const dst = new AnswerHead(6, 4, new Rng(2));
  const out = loadLxmertQa(dst, { head: src, answers: ['yes', 'no', 'red'] }, ['red', 'blue', 'yes', 'no']);
  assert.deepEqual(out, { loaded: 3, unloaded: 1 });
  assert.deepEqual(rows(dst.logit_fc.fc1.weight), rows(src.logit_fc.fc1.weight));
  const sw = rows(src.logit_fc.fc2.weight), dw = rows(dst.logit_fc.fc2.weight);   // [in, answers]
  assert.deepEqual(col(dw, 0), col(sw, 2));   // red
  assert.deepEqual(col(dw, 2), col(sw, 0));   // yes
  assert.deepEqual(col(dw, 3), col(sw, 1));   // no
  assert.ok(col(dw, 1).every((v) => v === 0), 'blue is not in the pretraining table: zero weights');
  const sb = src.logit_fc.fc2.bias!.value.arraySync() as number[], db = dst.logit_fc.fc2.bias!.value.arraySync() as number[];
  assert.deepEqual(db, [sb[2], 0, sb[0], sb[1]]);
  assert.throws(() => loadLxmertQa(dst, { head: src, answers: ['yes', 'no', 'red'] }, ['red']), /1 answers for a head of 4/);
  src.dispose(); dst.dispose();
});

test('the pretraining QA head round-trips through a checkpoint folder; missing qa_answers.json names the file', () => {
  const tiny = writeTinyClipVil('vit');
  const out = mkdtempSync(join(tmpdir(), 'clipvil-qa-'));
  try {
    const { model, tower } = loadClipVil(tiny, { seed: 0, heads: false });
    assert.equal(loadPretrainedAnswerHead(tiny, model.hiddenSize, 0), null, 'no QA head in a plain checkpoint');
    const head = new AnswerHead(model.hiddenSize, 2, new Rng(3));
    saveClipVil(out, model, tower, { qa: { head, answers: ['yes', 'no'] } });
    const back = loadPretrainedAnswerHead(out, model.hiddenSize, 0);
    assert.ok(back);
    assert.deepEqual(back.answers, ['yes', 'no']);
    assert.deepEqual(rows(back.head.logit_fc.fc2.weight), rows(head.logit_fc.fc2.weight));
    // the backbone loader skips the task head
    const again = loadClipVil(out, { seed: 0, heads: false });
    assert.ok(again.report.ignored.some((n) => n.startsWith('answer_head.')));
    again.model.dispose(); again.tower.dispose(); back.head.dispose();
    unlinkSync(join(out, QA_ANSWERS_FILE));
    assert.throws(() => loadPretrainedAnswerHead(out, model.hiddenSize, 0), new RegExp(`no ${QA_ANSWERS_FILE.replace('.', '\\.')}`));
    head.dispose(); model.dispose(); tower.dispose();
  } finally {
    rmSync(out, { recursive: true, force: true });
    rmSync(tiny, { recursive: true, force: true });
  }
});
