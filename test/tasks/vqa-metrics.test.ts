// VQA soft accuracy, GQA exact match, VQA soft labels and the LXMERT BCE reduction against hand-computed cases.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { vqaAccuracy, gqaAccuracy, goldAnswer, computeVqaMetrics } from '../../src/tasks/vqa/metrics.js';
import { vqaBce } from '../../src/tasks/vqa/loss.js';
import { softLabel } from '../../src/tasks/vqa/data/mini.js';
import { targetMatrix } from '../../src/tasks/vqa/data/lxmert.js';

before(async () => { await initBackend('wasm'); });

test('VQA soft accuracy: the label score of the predicted answer, averaged, in percent', () => {
  const labels: Record<string, number>[] = [
    { red: 1, blue: 0.3 },          // predicted red -> 1
    { yes: 0.6, no: 0.6 },          // predicted no -> 0.6
    { '2': 1, '3': 0.3 },           // predicted 3 -> 0.3
    { green: 0.9 },                 // predicted blue -> 0 (not in the dict)
  ];
  const got = vqaAccuracy(['red', 'no', '3', 'blue'], labels);
  assert.ok(Math.abs(got - (100 * (1 + 0.6 + 0.3 + 0)) / 4) < 1e-9, `got ${got}`);
  assert.equal(computeVqaMetrics('vqa-vqav2', ['red'], [{ red: 1 }]).vqa_accuracy, 100);
  assert.throws(() => vqaAccuracy(['a'], [null]), /no label/);
  assert.throws(() => vqaAccuracy(['a', 'b'], [{ a: 1 }]), /2 predictions for 1 questions/);
});

test('GQA accuracy: exact match with the one answer of each question, in percent', () => {
  const labels: Record<string, number>[] = [{ yes: 1 }, { left: 1 }, { red: 1 }];
  assert.equal(gqaAccuracy(['yes', 'right', 'red'], labels), (100 * 2) / 3);
  assert.equal(goldAnswer({ blue: 0.3, red: 1 }), 'red');
  assert.deepEqual(computeVqaMetrics('vqa-gqa', ['no'], [{ yes: 1 }]), { accuracy: 0 });
});

test('soft labels from ten annotators are min(1, count / 3)', () => {
  const l = softLabel(['red', 'red', 'red', 'red', 'red', 'red', 'red', 'blue', 'blue', 'green']);
  assert.deepEqual(l, { red: 1, blue: 2 / 3, green: 1 / 3 });
  assert.deepEqual(softLabel(['yes', 'yes', 'yes']), { yes: 1 });
});

test('targets: soft scores at the answers\' label indices; out-of-vocabulary answers are dropped and counted', () => {
  const vocab = { label2ans: ['yes', 'no', 'red'], ans2label: new Map([['yes', 0], ['no', 1], ['red', 2]]) };
  const { targets, dropped } = targetMatrix([
    { questionId: '1', imgId: 'a', sent: 'q', label: { red: 0.9, purple: 0.3 } },
    { questionId: '2', imgId: 'a', sent: 'q', label: { yes: 1, no: 0.3 } },
  ], vocab);
  assert.deepEqual([...targets].map((x) => Math.round(x * 100) / 100), [0, 0, 0.9, 1, 0.3, 0]);
  assert.equal(dropped, 1);
});

test('the loss is LXMERT\'s: BCE-with-logits mean over every entry times the number of answers', () => {
  const logits = [[0, 2, -1], [1.5, -0.5, 0.25]];
  const targets = [[1, 0.3, 0], [0, 1, 0.6]];
  // per entry: log(1 + e^x) - x t
  let sum = 0;
  for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) sum += Math.log1p(Math.exp(logits[i][j])) - logits[i][j] * targets[i][j];
  const expected = sum / (2 * 3) * 3;   // = sum over answers, mean over the batch
  const got = tf.tidy(() => vqaBce(tf.tensor2d(logits), tf.tensor2d(targets)).dataSync()[0]);
  assert.ok(Math.abs(got - expected) < 1e-5, `got ${got}, expected ${expected}`);
  assert.throws(() => tf.tidy(() => vqaBce(tf.zeros([2, 3]), tf.zeros([2, 4]))), /differ/);
});
