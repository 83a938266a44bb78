// The mini VQA data: deterministic, in LXMERT's schema, every word known to the scene tokenizer, every answer in the
// answer vocabulary, soft VQA scores / one exact GQA answer, compositional answers right on a hand-built scene, and
// no answer so frequent that predicting it would look like learning.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import { makeScene, sceneTokenizerVocabulary, ANSWER_VOCABULARY, type SceneObject } from '../../src/data/scenes/index.js';
import { RELATION_GAP } from '../../src/data/scenes/describe.js';
import { generateMiniVqa, compositionalQuestion, MINI_VQA_SIZES, miniVqaFingerprint } from '../../src/tasks/vqa/data/mini.js';
import { goldAnswer } from '../../src/tasks/vqa/metrics.js';

const vocab = new Set(sceneTokenizerVocabulary());

for (const task of ['vqa-vqav2', 'vqa-gqa'] as const) {
  test(`${task} mini: deterministic, LXMERT schema, known words and answers, sizes`, async () => {
    const a = generateMiniVqa({ task, imageSize: 16 }), b = generateMiniVqa({ task, imageSize: 16 });
    assert.deepEqual(a.train, b.train);
    assert.deepEqual(a.validation, b.validation);
    assert.deepEqual(await a.images.pixels(3), await b.images.pixels(3));
    const S = MINI_VQA_SIZES;
    assert.equal(a.train.length, S.images.train * S.questionsPerImage);
    assert.equal(a.validation.length, S.images.validation * S.questionsPerImage);
    assert.equal(a.test.length, S.images.test * S.questionsPerImage);
    // splits use disjoint images
    const imgs = (xs: typeof a.train) => new Set(xs.map((x) => x.imgId));
    for (const id of imgs(a.validation)) assert.ok(!imgs(a.train).has(id) && !imgs(a.test).has(id));
    for (const ex of [...a.train, ...a.validation, ...a.test]) {
      for (const w of ex.sent.split(' ')) assert.ok(vocab.has(w), `"${w}" in "${ex.sent}" is not in the scene tokenizer`);
      for (const [ans, s] of Object.entries(ex.label!)) {
        assert.ok(ANSWER_VOCABULARY.includes(ans), `answer ${ans}`);
        if (task === 'vqa-gqa') assert.equal(s, 1);
        else assert.ok([1 / 3, 2 / 3, 1].some((v) => Math.abs(v - s) < 1e-9), `soft score ${s}`);
      }
      if (task === 'vqa-gqa') assert.equal(Object.keys(ex.label!).length, 1);
    }
    assert.equal(a.answers.label2ans.length, 27);
    // the best prior (always the most frequent training answer) stays far from solving the task
    const counts = new Map<string, number>();
    for (const ex of a.train) { const g = goldAnswer(ex.label!)!; counts.set(g, (counts.get(g) ?? 0) + 1); }
    const top = [...counts.entries()].sort((x, y) => y[1] - x[1])[0][0];
    // pooled over train and validation (the evaluation splits alone are small, so their share is noisy)
    const pool = [...a.train, ...a.validation];
    const prior = pool.filter((ex) => goldAnswer(ex.label!) === top).length / pool.length;
    assert.ok(prior < 0.35, `majority answer "${top}" covers ${(100 * prior).toFixed(1)}% of train + validation`);
    assert.notEqual(miniVqaFingerprint(task), miniVqaFingerprint(task === 'vqa-gqa' ? 'vqa-vqav2' : 'vqa-gqa'));
  });
}

/** Independent answers for the compositional templates, from the objects' coordinates. */
function oracle(objs: SceneObject[], question: string): string | null {
  const holds = (rel: string, a: SceneObject, b: SceneObject) => (rel === 'left of' ? b.x - a.x : rel === 'right of' ? a.x - b.x : rel === 'above' ? b.y - a.y : a.y - b.y) >= RELATION_GAP;
  const find = (np: string) => {
    const w = np.split(' ');
    const hits = objs.filter((o) => o.shape === w[w.length - 1] && w.slice(1, -1).every((x) => x === o.color || x === o.size));
    assert.equal(hits.length, 1, `"${np}" must name one object`);
    return hits[0];
  };
  let m = /^what (color|shape) is the object (left of|right of|above|below) (the .+) \?$/.exec(question);
  if (m) {
    const anchor = find(m[3]);
    const t = objs.filter((o) => o !== anchor && holds(m![2], o, anchor));
    assert.equal(t.length, 1);
    return m[1] === 'color' ? t[0].color : t[0].shape;
  }
  m = /^how many objects are (left of|right of|above|below) (the .+) \?$/.exec(question);
  if (m) {
    const anchor = find(m[2]);
    return ['zero', 'one', 'two', 'three'][objs.filter((o) => o !== anchor && holds(m![1], o, anchor)).length];
  }
  m = /^are (the .+) and (the .+) the same (color|size|shape) \?$/.exec(question);
  if (m) { const a = find(m[1]), b = find(m[2]); const k = m[3] as 'color' | 'size' | 'shape'; return a[k] === b[k] ? 'yes' : 'no'; }
  m = /^is there a (\w+) (\w+) and a (\w+) (\w+) \?$/.exec(question);
  if (m) { const has = (c: string, s: string) => objs.some((o) => o.color === c && o.shape === s); return has(m[1], m[2]) && has(m[3], m[4]) ? 'yes' : 'no'; }
  m = /^is (the .+) (left of|right of|above|below) (the .+) \?$/.exec(question);
  if (m) return holds(m[2], find(m[1]), find(m[3])) ? 'yes' : 'no';
  return null;
}

test('compositional (GQA-style) questions are answered correctly on a hand-built scene', () => {
  const ob = (shape: SceneObject['shape'], color: SceneObject['color'], size: SceneObject['size'], x: number, y: number) =>
    ({ shape, color, size, pattern: 'solid' as const, x, y, r: size === 'small' ? 0.085 : 0.15, shade: 1 });
  const scene = makeScene([ob('circle', 'red', 'small', 0.2, 0.5), ob('square', 'blue', 'large', 0.55, 0.5), ob('star', 'green', 'small', 0.85, 0.15), ob('circle', 'yellow', 'large', 0.6, 0.85)]);
  const kinds = new Set<string>();
  for (let s = 0; s < 300; s++) {
    const q = compositionalQuestion(scene, new Rng(s));
    if (!q) continue;
    kinds.add(q.kind);
    const want = oracle(scene.objects, q.question);
    assert.notEqual(want, null, `unparsed question "${q.question}"`);
    assert.equal(q.answer, want, q.question);
  }
  assert.deepEqual([...kinds].sort(), ['and-exist', 'relate-color', 'relate-count', 'relate-shape', 'relation', 'same-attr']);
});
