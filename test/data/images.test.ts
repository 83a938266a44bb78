// Decoding real images with sharp: pixel values, crops, normalisation, frame folders and their errors.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '../../src/engine/rng.js';
import { loadImage, loadFrames, uniformFrameIndices, listImages, normalizeInPlace, flipHorizontal, IMAGENET_MEAN, IMAGENET_STD } from '../../src/data/images/index.js';

let work = '';
/** Writes a w x h RGB PNG whose pixel (x, y) is f(x, y). */
async function png(path: string, w: number, h: number, f: (x: number, y: number) => [number, number, number]): Promise<void> {
  const buf = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) buf.set(f(x, y), 3 * (y * w + x));
  await sharp(buf, { raw: { width: w, height: h, channels: 3 } }).png().toFile(path);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'images-test-'));
  // left half red, right half blue, 8 x 4: centre crop to 4 x 4 keeps columns 2..5 (2 red, 2 blue)
  await png(join(work, 'halves.png'), 8, 4, (x) => (x < 4 ? [255, 0, 0] : [0, 0, 255]));
  await png(join(work, 'gray.png'), 6, 6, () => [128, 128, 128]);
  mkdirSync(join(work, 'frames'));
  for (let i = 1; i <= 10; i++) await png(join(work, 'frames', `${i}.png`), 4, 4, () => [i * 20, 0, 0]);
  writeFileSync(join(work, 'frames', 'notes.txt'), 'not a frame');
  mkdirSync(join(work, 'empty'));
  writeFileSync(join(work, 'broken.jpg'), 'this is not a jpeg');
});
process.on('exit', () => { if (work) rmSync(work, { recursive: true, force: true }); });

test('centre crop of a wide image keeps the middle square; values are RGB in [0, 1] before normalisation', async () => {
  const px = await loadImage(join(work, 'halves.png'), 4, { crop: 'center', normalize: 'none' });
  assert.equal(px.length, 4 * 4 * 3);
  for (let y = 0; y < 4; y++) {
    for (let x = 0; x < 4; x++) {
      const p = Array.from(px.slice(3 * (y * 4 + x), 3 * (y * 4 + x) + 3));
      assert.deepEqual(p, x < 2 ? [1, 0, 0] : [0, 0, 1], `pixel (${x},${y})`);
    }
  }
  // 'resize' squashes the whole image: 8 -> 4 columns, still 2 red then 2 blue
  const sq = await loadImage(join(work, 'halves.png'), 4, { crop: 'resize', normalize: 'none' });
  assert.ok(sq[0] > 0.9 && sq[2] < 0.1 && sq[3 * 3 + 2] > 0.9);
});

test('ImageNet normalisation is (x - mean) / std per channel', async () => {
  const px = await loadImage(join(work, 'gray.png'), 6, { normalize: 'imagenet' });
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(px[c] - (128 / 255 - IMAGENET_MEAN[c]) / IMAGENET_STD[c]) < 1e-5);
  const a = normalizeInPlace(new Float32Array([0.5, 0.5, 0.5]), 'clip');
  assert.ok(Math.abs(a[0] - (0.5 - 0.48145466) / 0.26862954) < 1e-6);
  assert.deepEqual(Array.from(flipHorizontal(new Float32Array([1, 1, 1, 2, 2, 2]), 2)), [2, 2, 2, 1, 1, 1]);
});

test('random crops are reproducible from the seed and stay inside the image', async () => {
  const a = await loadImage(join(work, 'halves.png'), 4, { crop: 'random', rng: new Rng(3), normalize: 'none', scale: [0.5, 1] });
  const b = await loadImage(join(work, 'halves.png'), 4, { crop: 'random', rng: new Rng(3), normalize: 'none', scale: [0.5, 1] });
  assert.deepEqual(a, b);
  await assert.rejects(loadImage(join(work, 'halves.png'), 4, { crop: 'random' }), /need an rng/);
});

test('frames: uniform sampling as np.linspace(0, n-1, count, dtype=int), natural file order', async () => {
  assert.deepEqual(uniformFrameIndices(10, 4), [0, 3, 6, 9]);
  assert.deepEqual(uniformFrameIndices(12, 5), [0, 2, 5, 8, 11]);
  assert.deepEqual(uniformFrameIndices(3, 5), [0, 1, 2]);
  assert.deepEqual(listImages(join(work, 'frames')).slice(0, 3), ['1.png', '2.png', '3.png']);
  const { frames, files } = await loadFrames(join(work, 'frames'), 4, { size: 2, normalize: 'none' });
  assert.deepEqual(files, ['1.png', '4.png', '7.png', '10.png']);
  assert.deepEqual(frames.map((f) => Math.round(f[0] * 255)), [20, 80, 140, 200]);
});

test('errors name the missing folder, the empty folder and the undecodable file', async () => {
  await assert.rejects(loadFrames(join(work, 'nope'), 4, { size: 2 }), (e: Error) => e.message.includes(join(work, 'nope')) && /does not exist/.test(e.message));
  await assert.rejects(loadFrames(join(work, 'empty'), 4, { size: 2 }), (e: Error) => e.message.includes(join(work, 'empty')) && /no image files/.test(e.message));
  await assert.rejects(loadImage(join(work, 'broken.jpg'), 4), (e: Error) => e.message.includes('broken.jpg') && /cannot decode/.test(e.message));
  await assert.rejects(loadImage(join(work, 'missing.jpg'), 4), /missing\.jpg does not exist/);
});
