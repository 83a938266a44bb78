// Writes the small image-text fixture folders under datasets/fixtures/image-text/ (commit-ready, deterministic):
//   f30k/   Flickr30K in VSE∞'s layout: precomp/{train,dev,test}_{ids,caps}.txt (one id per image, 5 captions
//           each), id_mapping.json, flickr30k-images/<name>.jpg
//   coco/   MSCOCO: precomp/{train,dev,testall}_... (train with one id per caption, the redundant SCAN variant;
//           testall 5 images = 5 folds of 1), id_mapping.json -> train2014/ and val2014/ COCO-style names, images/
//   malformed/<case>/  broken copies for the loader's error tests
// Images are tiny JPEGs of coloured shapes drawn here; captions are written for these fixtures (no dataset text is
// copied). Usage: node scripts/make-image-text-fixtures.mjs
import { mkdirSync, rmSync, writeFileSync, cpSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'datasets', 'fixtures', 'image-text');
const COLORS = { red: [220, 40, 40], blue: [40, 80, 230], green: [30, 170, 60], yellow: [240, 220, 30], white: [245, 245, 245] };
const NAMES = Object.keys(COLORS);

/** A 24 x 20 JPEG (not square, so crops matter): gray background, a coloured square and a coloured disc. */
async function drawImage(path, k) {
  const W = 24, H = 20, buf = Buffer.alloc(W * H * 3);
  const a = COLORS[NAMES[k % NAMES.length]], b = COLORS[NAMES[(k + 2) % NAMES.length]];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      let c = [120, 120, 120];
      if (x >= 2 + (k % 4) && x < 10 + (k % 4) && y >= 3 && y < 11) c = a;
      if ((x - 17) ** 2 + (y - 12 + (k % 3)) ** 2 <= 16) c = b;
      buf.set(c, 3 * (y * W + x));
    }
  }
  mkdirSync(dirname(path), { recursive: true });
  await sharp(buf, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 90 }).toFile(path);
}

function captions(k) {
  const a = NAMES[k % NAMES.length], b = NAMES[(k + 2) % NAMES.length];
  return [
    `A ${a} square next to a ${b} circle.`,
    `A ${b} circle on the right of a ${a} square.`,
    `Two shapes on a gray background.`,
    `A ${a} square.`,
    `There is a ${b} circle in the picture.`,
  ];
}

const write = (p, s) => { mkdirSync(dirname(p), { recursive: true }); writeFileSync(p, s); };

async function f30k(dir) {
  const mapping = {};
  let k = 0;
  const splits = { train: 4, dev: 2, test: 2 };
  for (const [split, n] of Object.entries(splits)) {
    const ids = [], caps = [];
    for (let i = 0; i < n; i++, k++) {
      const id = 1000 + k;
      const name = `${36979 + k * 7}.jpg`;
      mapping[id] = name;
      await drawImage(join(dir, 'flickr30k-images', name), k);
      ids.push(id); caps.push(...captions(k));
    }
    write(join(dir, 'precomp', `${split}_ids.txt`), `${ids.join('\n')}\n`);
    write(join(dir, 'precomp', `${split}_caps.txt`), `${caps.join('\n')}\n`);
  }
  write(join(dir, 'id_mapping.json'), `${JSON.stringify(mapping, null, 1)}\n`);
}

async function coco(dir) {
  const mapping = {};
  let k = 0;
  const splits = { train: 3, dev: 2, testall: 5 };
  for (const [split, n] of Object.entries(splits)) {
    const ids = [], caps = [];
    for (let i = 0; i < n; i++, k++) {
      const id = 42 + k * 11;
      const folder = split === 'train' ? 'train2014' : 'val2014';
      const name = `${folder}/COCO_${folder}_${String(id).padStart(12, '0')}.jpg`;
      mapping[id] = name;
      await drawImage(join(dir, 'images', name), k);
      // train uses the redundant variant: the image id repeated once per caption
      if (split === 'train') ids.push(id, id, id, id, id); else ids.push(id);
      caps.push(...captions(k));
    }
    write(join(dir, 'precomp', `${split}_ids.txt`), `${ids.join('\n')}\n`);
    write(join(dir, 'precomp', `${split}_caps.txt`), `${caps.join('\n')}\n`);
  }
  write(join(dir, 'id_mapping.json'), `${JSON.stringify(mapping, null, 1)}\n`);
}

async function malformed(base) {
  const good = join(root, 'f30k');
  const copy = (name) => { const d = join(base, name); cpSync(good, d, { recursive: true }); return d; };
  // 13 captions for 4 train images (expected 20, or one id per caption)
  let d = copy('caps-count');
  write(join(d, 'precomp', 'train_caps.txt'), `${Array.from({ length: 13 }, (_, i) => `caption ${i}`).join('\n')}\n`);
  d = copy('bad-id');
  write(join(d, 'precomp', 'dev_ids.txt'), '1004\nabc\n');
  d = copy('missing-mapping');
  write(join(d, 'precomp', 'test_ids.txt'), '1006\n99999\n');
  d = copy('missing-image');
  const m = JSON.parse(readFileSync(join(good, 'id_mapping.json'), 'utf8'));
  m[1002] = 'gone.jpg';
  write(join(d, 'id_mapping.json'), `${JSON.stringify(m, null, 1)}\n`);
  d = copy('mixed-ids');
  // one id per caption, but the second block of five switches image in its middle
  const ids = [1000, 1000, 1000, 1000, 1000, 1001, 1001, 1002, 1001, 1001];
  write(join(d, 'precomp', 'dev_ids.txt'), `${ids.join('\n')}\n`);
  d = copy('bad-json');
  write(join(d, 'id_mapping.json'), '{"1000": "36979.jpg",\n "1001": }\n');
  d = copy('empty-caption');
  write(join(d, 'precomp', 'test_caps.txt'), `${[...captions(6), ...captions(7)].map((c, i) => (i === 7 ? '   ' : c)).join('\n')}\n`);
  d = copy('not-an-image');
  write(join(d, 'flickr30k-images', '36979.jpg'), 'this file is not a JPEG\n');
}

rmSync(root, { recursive: true, force: true });
await f30k(join(root, 'f30k'));
await coco(join(root, 'coco'));
await malformed(join(root, 'malformed'));
console.log(`wrote ${root}`);
