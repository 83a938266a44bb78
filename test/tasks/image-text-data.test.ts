// The real image-text format (VSE∞/SCAN split files + id_mapping.json + images) on the fixture folders written by
// scripts/make-image-text-fixtures.mjs, every malformed variant's error, and the mini dataset's shape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadItrData, itrDataFingerprint, ImageCache, miniItrData, MINI_ITR_SIZES, resolveItrRoot } from '../../src/tasks/image-text/data/index.js';

const FIX = fileURLToPath(new URL('../../../datasets/fixtures/image-text/', import.meta.url));
const real = (p: string) => ({ source: 'real' as const, path: join(FIX, p) });

test('Flickr30K fixture: 5 captions per image, images found under flickr30k-images/', () => {
  const d = loadItrData('itr-flickr30k', real('f30k'));
  assert.deepEqual([d.train.images.length, d.validation.images.length, d.test.images.length], [4, 2, 2]);
  assert.equal(d.train.captions.length, 20);
  assert.deepEqual(Array.from(d.test.captionImage), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]);
  assert.equal(d.train.captions[0], 'A red square next to a green circle.');
  const first = d.train.images[0];
  assert.ok(first.kind === 'file' && first.path.endsWith(join('flickr30k-images', '36979.jpg')));
  assert.equal(d.source, 'real');
});

test('MSCOCO fixture: one id per caption is folded to one image per 5 captions; testall is the test split', () => {
  const d = loadItrData('itr-coco-1k', real('coco'));
  assert.equal(d.train.images.length, 3);
  assert.equal(d.train.captions.length, 15);
  assert.equal(d.test.images.length, 5);
  const img = d.test.images[4];
  assert.ok(img.kind === 'file' && img.path.endsWith(join('images', 'val2014', 'COCO_val2014_000000000141.jpg')));
  // the registry's folder layout: the data root with a coco/ sub-folder also works
  assert.equal(resolveItrRoot(FIX, 'coco'), join(FIX, 'coco'));
  assert.match(itrDataFingerprint('itr-coco-5k', real('coco')), /^scan:coco:[0-9a-f]{16}$/);
  assert.equal(itrDataFingerprint('itr-coco-5k', real('coco')), itrDataFingerprint('itr-coco-1k', real('coco')));
  assert.notEqual(itrDataFingerprint('itr-flickr30k', real('f30k')), itrDataFingerprint('itr-coco-1k', real('coco')));
});

test('malformed folders: errors name the file, the line or key, and the fix', async () => {
  const cases: [string, RegExp][] = [
    ['caps-count', /train_caps\.txt has 13 captions but .*train_ids\.txt has 4 image ids: expected 5 captions per image \(20\)/],
    ['bad-id', /dev_ids\.txt line 2: "abc" is not an integer image id/],
    ['missing-mapping', /id_mapping\.json has no entry for image id 99999 \(.*test_ids\.txt line 2\)/],
    ['missing-image', /image .*gone\.jpg \(id 1002, .*train_ids\.txt line 3\) does not exist/],
    ['mixed-ids', /dev_ids\.txt line 8: image id 1002 differs from line 6 \(1001\)/],
    ['bad-json', /id_mapping\.json is not valid JSON/],
    ['empty-caption', /test_caps\.txt line 8: empty caption/],
  ];
  for (const [name, re] of cases) assert.throws(() => loadItrData('itr-flickr30k', real(join('malformed', name))), re, name);
  // an undecodable image fails when the pixels are read, naming the file
  const d = loadItrData('itr-flickr30k', real(join('malformed', 'not-an-image')));
  await assert.rejects(ImageCache.build(d.train.images, 8), /cannot decode image .*36979\.jpg/);
  assert.throws(() => loadItrData('itr-flickr30k', real('nowhere')), /does not exist/);
  assert.throws(() => loadItrData('itr-flickr30k', real('malformed')), /no precomp\/ folder/);
});

test('decoded fixture images: squashed to S x S, RGB in [0, 255], colours where they were drawn', async () => {
  const d = loadItrData('itr-flickr30k', real('f30k'));
  const cache = await ImageCache.build(d.train.images.slice(0, 1), 24);
  const px = cache.batch([0], 'none', null);
  // image 0: red square at x 2..9, y 3..10 of a 24 x 20 image -> squashed to 24 x 24 (y * 1.2)
  const at = (x: number, y: number) => [0, 1, 2].map((c) => px[(y * 24 + x) * 3 + c]);
  const red = at(5, 8), gray = at(12, 1);
  assert.ok(red[0] > 0.7 && red[1] < 0.3 && red[2] < 0.3, `${red}`);
  assert.ok(Math.abs(gray[0] - 120 / 255) < 0.05 && Math.abs(gray[2] - 120 / 255) < 0.05, `${gray}`);
});

test('mini datasets: sizes, 5 captions per image, COCO test a multiple of 5 folds, deterministic', () => {
  for (const ds of ['f30k', 'coco'] as const) {
    const d = miniItrData(ds);
    const n = MINI_ITR_SIZES[ds];
    assert.deepEqual([d.train.images.length, d.validation.images.length, d.test.images.length], [n.train, n.validation, n.test]);
    assert.equal(d.test.captions.length, 5 * n.test);
    assert.ok(d.train.images.every((im) => im.kind === 'scene'));
  }
  assert.equal(MINI_ITR_SIZES.coco.test % 5, 0);
  assert.deepEqual(miniItrData('f30k').test.captions.slice(0, 10), miniItrData('f30k').test.captions.slice(0, 10));
  assert.notDeepEqual(miniItrData('f30k').test.captions.slice(0, 10), miniItrData('coco').test.captions.slice(0, 10));
});
