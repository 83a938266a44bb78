// Writes the small grounding fixture files under datasets/fixtures/grounding/ (commit-ready, deterministic):
//   refcoco/mdetr_annotations/finetune_refcoco_{train,val,testA,testB}.json   MDETR's COCO-style refexp format
//   refcocog/finetune_refcocog_{train,val,test}.json                           (annotations at the folder's top)
//   refcoco/images/, refcocog/train2014/   tiny JPEGs (COCO file names) of coloured rectangles on gray, drawn with sharp
//   malformed/<case>.json                  broken annotation files for the loader's error tests
// The expressions are written for these fixtures (no RefCOCO text is copied). Usage: node scripts/make-grounding-fixtures.mjs
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'datasets', 'fixtures', 'grounding');

/** Images: width x height, two rectangles each [x, y, w, h, rgb]. */
const IMAGES = [
  { id: 9001, w: 40, h: 30, rects: [[2, 4, 12, 10, [220, 30, 30]], [24, 14, 12, 12, [30, 60, 220]]] },
  { id: 9002, w: 32, h: 32, rects: [[4, 4, 10, 20, [30, 170, 50]], [18, 6, 10, 10, [240, 220, 30]]] },
  { id: 9003, w: 36, h: 28, rects: [[1, 1, 14, 12, [20, 20, 20]], [20, 12, 14, 14, [240, 240, 240]]] },
  { id: 9004, w: 30, h: 40, rects: [[3, 2, 20, 12, [140, 80, 30]], [6, 22, 16, 14, [220, 30, 30]]] },
];
const fileName = (id) => `COCO_train2014_${String(id).padStart(12, '0')}.jpg`;
const COLOR = { '220,30,30': 'red', '30,60,220': 'blue', '30,170,50': 'green', '240,220,30': 'yellow', '20,20,20': 'black', '240,240,240': 'white', '140,80,30': 'brown' };

async function writeImage(dir, im) {
  const px = Buffer.alloc(im.w * im.h * 3, 128);
  for (const [x, y, w, h, rgb] of im.rects) {
    for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) { const o = (yy * im.w + xx) * 3; px[o] = rgb[0]; px[o + 1] = rgb[1]; px[o + 2] = rgb[2]; }
  }
  await sharp(px, { raw: { width: im.w, height: im.h, channels: 3 } }).jpeg({ quality: 95 }).toFile(join(dir, fileName(im.id)));
}

/** One expression per rectangle: "the <colour> box on the left|right" -> its box; tokens_positive = "the <colour> box". */
function split(images, dataset, startId) {
  const out = { info: { description: `unipt fixture in MDETR's ${dataset} format` }, licenses: [], images: [], annotations: [], categories: [{ supercategory: 'object', id: 1, name: 'object' }] };
  let id = startId;
  for (const im of images) {
    im.rects.forEach(([x, y, w, h, rgb], k) => {
      const head = `the ${COLOR[rgb.join(',')]} box`;
      const caption = `${head} on the ${k === 0 ? 'left' : 'right'}`;
      out.images.push({ file_name: fileName(im.id), height: im.h, width: im.w, id, original_id: im.id, caption, dataset_name: dataset, token_negative: [], sentence_id: 0, original_img_id: im.id, tokens_positive_eval: [[[0, head.length]]] });
      out.annotations.push({ area: w * h, iscrowd: 0, image_id: id, category_id: 1, id: id + 100, bbox: [x, y, w, h], tokens_positive: [[0, head.length]], original_id: id });
      id++;
    });
  }
  return out;
}

const write = (p, obj) => { mkdirSync(dirname(p), { recursive: true }); writeFileSync(p, `${JSON.stringify(obj, null, 1)}\n`); };

rmSync(root, { recursive: true, force: true });
// refcoco: annotations under mdetr_annotations/, images under images/
const rc = join(root, 'refcoco');
mkdirSync(join(rc, 'images'), { recursive: true });
for (const im of IMAGES) await writeImage(join(rc, 'images'), im);
const parts = { train: IMAGES.slice(0, 2), val: IMAGES.slice(2, 3), testA: IMAGES.slice(3, 4), testB: IMAGES.slice(0, 1) };
let next = 1;
for (const [s, ims] of Object.entries(parts)) { write(join(rc, 'mdetr_annotations', `finetune_refcoco_${s}.json`), split(ims, 'refcoco', next)); next += 10; }
// refcocog: annotations at the top level, images under train2014/
const rg = join(root, 'refcocog');
mkdirSync(join(rg, 'train2014'), { recursive: true });
for (const im of IMAGES) await writeImage(join(rg, 'train2014'), im);
next = 1;
for (const [s, ims] of Object.entries({ train: IMAGES.slice(0, 2), val: IMAGES.slice(2, 3), test: IMAGES.slice(3) })) { write(join(rg, `finetune_refcocog_${s}.json`), split(ims, 'refcocog', next)); next += 10; }

// malformed annotation files, each with one defect
const good = split(IMAGES.slice(0, 1), 'refcoco', 1);
const clone = () => JSON.parse(JSON.stringify(good));
const cases = {
  'no-annotations': (() => { const o = clone(); delete o.annotations; return o; })(),
  'bbox-short': (() => { const o = clone(); o.annotations[1].bbox = [1, 2, 3]; return o; })(),
  'bbox-empty': (() => { const o = clone(); o.annotations[0].bbox = [1, 2, 0, 5]; return o; })(),
  'bbox-outside': (() => { const o = clone(); o.annotations[1].bbox = [30, 20, 30, 30]; return o; })(),
  'caption-missing': (() => { const o = clone(); delete o.images[1].caption; return o; })(),
  'two-boxes': (() => { const o = clone(); o.annotations.push({ ...o.annotations[0], id: 999 }); return o; })(),
  'no-box': (() => { const o = clone(); o.annotations = o.annotations.slice(1); return o; })(),
  'span-outside': (() => { const o = clone(); o.annotations[0].tokens_positive = [[0, 99]]; return o; })(),
  'duplicate-id': (() => { const o = clone(); o.images[1].id = o.images[0].id; return o; })(),
};
for (const [name, obj] of Object.entries(cases)) write(join(root, 'malformed', `${name}.json`), obj);
writeFileSync(join(root, 'malformed', 'not-json.json'), '{"images": [ {"id": 1,, } ]');
console.log(`wrote fixtures under ${root}`);
