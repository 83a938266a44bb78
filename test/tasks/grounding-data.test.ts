// Grounding data: MDETR's refexp JSON on the fixture files (both folder layouts), images decoded at the model's size,
// errors naming the file and the entry for malformed files, character spans to token positions and positive maps,
// and the mini RefCOCO / RefCOCO+ / RefCOCOg generators.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { readRefexpJson, loadRealRefexp, refexpDataset, refexpFingerprint, spanTokenPositions, positiveMapRow, miniRefexpData } from '../../src/tasks/grounding/data/index.js';
import { buildTargets } from '../../src/tasks/grounding/batches.js';
import { writeSceneTokenizer } from '../../src/data/scenes/index.js';
import { loadTokenizer, type TextTokenizer } from '../../src/data/tokenizer/index.js';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../src/data/images/index.js';

const FIX = join(process.cwd(), 'datasets', 'fixtures', 'grounding');
let tok: TextTokenizer;
const tmp = mkdtempSync(join(tmpdir(), 'grounding-tok-'));
before(async () => { await initBackend('wasm'); writeSceneTokenizer(tmp); tok = await loadTokenizer(tmp); });

test('refexp JSON: one example per expression, box, spans', () => {
  const ex = readRefexpJson(join(FIX, 'refcoco', 'mdetr_annotations', 'finetune_refcoco_train.json'));
  assert.equal(ex.length, 4);
  assert.deepEqual(ex[0], { id: 1, fileName: 'COCO_train2014_000000009001.jpg', width: 40, height: 30, caption: 'the red box on the left', bbox: [2, 4, 12, 10], tokensPositive: [[0, 11]] });
  assert.equal(ex[3].caption, 'the yellow box on the right');
});

test('real loader: both layouts, images decoded at the model size, boxes normalised to the image', async () => {
  const data = await loadRealRefexp(join(FIX, 'refcoco'), refexpDataset('vg-refcoco'), 16);
  assert.deepEqual(data.evals.map((s) => s.name), ['val', 'testA', 'testB']);
  assert.equal(data.train.items.length, 4);
  assert.equal(data.train.images.count, 2, 'each image decoded once');
  const it = data.train.items[0];
  // [2, 4, 12, 10] in a 40 x 30 image: centre (8, 9) -> (0.2, 0.3), size (0.3, 1/3)
  [0.2, 0.3, 0.3, 1 / 3].forEach((v, i) => assert.ok(Math.abs(it.targets[0].box[i] - v) < 1e-9));
  assert.deepEqual(it.evalBox, [2, 4, 14, 14]);
  assert.equal(it.width, 40);
  // the red rectangle's centre pixel is red after undoing the normalisation
  const px = data.train.images.pixels(it.image);
  const S = 16, x = Math.floor(0.2 * S), y = Math.floor(0.3 * S);
  const rgb = [0, 1, 2].map((c) => px[(y * S + x) * 3 + c] * IMAGENET_STD[c] + IMAGENET_MEAN[c]);
  assert.ok(rgb[0] > 0.7 && rgb[1] < 0.35 && rgb[2] < 0.35, `expected red, got ${rgb.map((v) => v.toFixed(2))}`);
  const g = await loadRealRefexp(join(FIX, 'refcocog'), refexpDataset('vg-refcocog'), 8);
  assert.deepEqual(g.evals.map((s) => s.name), ['val', 'test']);
  assert.equal(g.evals[1].items.length, 2);
  // a training subset decodes only its images
  const sub = await loadRealRefexp(join(FIX, 'refcoco'), refexpDataset('vg-refcoco'), 8, () => [0]);
  assert.equal(sub.train.items.length, 1);
  assert.equal(sub.train.images.count, 1);
  assert.match(refexpFingerprint(join(FIX, 'refcoco'), refexpDataset('vg-refcoco')), /^[0-9a-f]{16}$/);
});

test('malformed files: errors name the file, the entry and the fix', async () => {
  const m = (name: string) => join(FIX, 'malformed', `${name}.json`);
  const cases: [string, RegExp][] = [
    ['no-annotations', /no-annotations\.json: key "annotations" is missing/],
    ['bbox-short', /bbox-short\.json: annotations\[1\] \(id 102\): bbox/],
    ['bbox-empty', /bbox-empty\.json: annotations\[0\] \(image_id 1\): bbox \[1,2,0,5\] has a non-positive width/],
    ['bbox-outside', /bbox-outside\.json: images\[1\] \(id 2\): its box \[30,20,30,30\] lies outside the 40x30 image/],
    ['caption-missing', /caption-missing\.json: images\[1\] \(id 2\): caption/],
    ['two-boxes', /two-boxes\.json: images\[0\] \(id 1\): 2 annotations have image_id 1/],
    ['no-box', /no-box\.json: images\[0\] \(id 1\): 0 annotations/],
    ['span-outside', /span-outside\.json: images\[0\] \(id 1\): tokens_positive span \[0, 99\]/],
    ['duplicate-id', /duplicate-id\.json: images\[1\] \(id 1\): the id is used by an earlier entry/],
    ['not-json', /not-json\.json is not valid JSON/],
  ];
  for (const [name, re] of cases) assert.throws(() => readRefexpJson(m(name)), re, name);
  await assert.rejects(loadRealRefexp(join(FIX, 'nowhere'), refexpDataset('vg-refcoco'), 8), /does not exist or is not a folder.*zenodo/);
  await assert.rejects(loadRealRefexp(join(FIX, 'refcocog'), refexpDataset('vg-refcoco'), 8), /no finetune_refcoco_train\.json in/);
});

test('character spans -> token positions ([CLS] first) -> soft positive maps', () => {
  const cap = 'the red box on the left';
  assert.deepEqual(spanTokenPositions(tok, cap, [[0, 11]], 32), [1, 2, 3]);
  assert.deepEqual(spanTokenPositions(tok, cap, [[4, 7], [19, 23]], 32), [2, 6]);
  assert.deepEqual(spanTokenPositions(tok, cap, [], 32), [1, 2, 3, 4, 5, 6], 'no span: the whole caption');
  assert.deepEqual(spanTokenPositions(tok, cap, [[0, 11]], 3), [1, 2], 'truncated tokens are dropped');
  assert.throws(() => spanTokenPositions(tok, cap, [[5, 40]], 32), /does not fit/);
  const row = positiveMapRow([1, 2, 3], 7);
  assert.deepEqual(Array.from(row), [0, 1 / 3, 1 / 3, 1 / 3, 0, 0, 0, 0].map(Math.fround));
  // targets of a batch: positive map over num_classes + 1, token mask over the batch's T
  const [t] = buildTargets([{ caption: cap, image: 0, targets: [{ box: [0.5, 0.5, 0.2, 0.2], spans: [[0, 11]] }], evalBox: [0, 0, 1, 1], width: 1, height: 1 }], { tok, maxLength: 10, numClasses: 7 }, 8);
  assert.equal(t.positiveMap.length, 8);
  assert.deepEqual(Array.from(t.tokenPositive), [0, 1, 1, 1, 0, 0, 0, 0]);
});

test('mini refexp data: deterministic, split sizes, styles (RefCOCO+ has no location words), heads and boxes', () => {
  const a = miniRefexpData('refcoco+', 42);
  const b = miniRefexpData('refcoco+', 42);
  assert.deepEqual(a.train.items.slice(0, 20).map((i) => i.caption), b.train.items.slice(0, 20).map((i) => i.caption));
  assert.equal(a.train.items.length, 320);
  assert.deepEqual(a.evals.map((s) => [s.name, s.items.length]), [['val', 64], ['testA', 64], ['testB', 64]]);
  const location = /\b(left|right|above|below|top|bottom|middle|side)\b/;
  assert.ok(a.train.items.every((i) => !location.test(i.caption)), 'RefCOCO+ style: appearance only');
  const c = miniRefexpData('refcoco', 42);
  assert.ok(c.train.items.some((i) => location.test(i.caption)), 'RefCOCO style uses location words');
  const round = new Set(['circle', 'square', 'triangle']);
  // the head span ends with the target's shape word
  const shapeOf = (it: (typeof c.train.items)[number]) => it.caption.slice(...it.targets[0].spans[0]).split(' ').pop()!;
  assert.ok(c.evals[1].items.every((i) => round.has(shapeOf(i))), 'testA: circles, squares, triangles');
  assert.ok(c.evals[2].items.every((i) => !round.has(shapeOf(i))), 'testB: the other shapes');
  for (const it of c.train.items) {
    const [s, e] = it.targets[0].spans[0];
    assert.equal(s, 0);
    assert.match(it.caption.slice(s, e), /^the( \w+)* (circle|square|triangle|diamond|cross|star)$/);
    const [cx, cy, w, h] = it.targets[0].box;
    assert.ok(cx - w / 2 >= -1e-9 && cy - h / 2 >= -1e-9 && cx + w / 2 <= 1 + 1e-9 && cy + h / 2 <= 1 + 1e-9);
  }
  const g = miniRefexpData('refcocog', 42);
  const words = (d: typeof g) => d.train.items.reduce((n, i) => n + i.caption.split(' ').length, 0) / d.train.items.length;
  assert.ok(words(g) > words(c) + 2, 'RefCOCOg style is longer');
  assert.deepEqual(g.evals.map((s) => s.name), ['val', 'test']);
  rmSync(tmp, { recursive: true, force: true });
});
