// Real RefCOCO / RefCOCO+ / RefCOCOg in MDETR's format: a folder holding the annotation files (in it or in its
// `mdetr_annotations/` sub-folder) and the COCO train2014 images (in `images/` or `train2014/`):
//   finetune_<name>_{train,val,testA,testB}.json  (RefCOCOg: finetune_refcocog_{train,val,test}.json)
// Images are decoded with sharp and resized to image_size x image_size without keeping the aspect ratio (boxes are
// predicted normalised to the image, so they map back to the original pixels exactly; MDETR instead resizes the
// short side and pads, which needs per-image masks). Each distinct image is decoded once per split and kept as
// bytes (uint8), normalised when a batch is built.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { InputError } from '../../../util/errors.js';
import { normalizeInPlace } from '../../../data/images/index.js';
import { xyxyToCxcywh, type Box } from '../boxes.js';
import { readRefexpJson, type RefexpExample } from './refexp-json.js';
import type { GroundingData, GroundingItem, GroundingSplit, ImageSet } from './types.js';

export interface RefexpDataset { name: 'refcoco' | 'refcoco+' | 'refcocog'; evalSplits: string[] }

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export function annotationFile(name: string, split: string): string { return `finetune_${name}_${split}.json`; }

export function resolveRefexpFolder(path: string, ds: RefexpDataset): { annDir: string; imageDir: string } {
  const want = annotationFile(ds.name, 'train');
  const hint = `expected ${want} (and the ${ds.evalSplits.join('/')} files) in ${path} or ${join(path, 'mdetr_annotations')}, and the COCO train2014 JPEGs in ${join(path, 'images')} or ${join(path, 'train2014')}; MDETR's annotations: https://zenodo.org/record/4729015 (mdetr_annotations.tar.gz), images: https://cocodataset.org`;
  if (!isDir(path)) throw new InputError(`the RefCOCO data folder ${path} does not exist or is not a folder; ${hint}`);
  const annDir = [path, join(path, 'mdetr_annotations')].find((d) => existsSync(join(d, want)));
  if (!annDir) throw new InputError(`no ${want} in ${path}; ${hint}`);
  const imageDir = [join(path, 'images'), join(path, 'train2014')].find(isDir);
  if (!imageDir) throw new InputError(`no image folder in ${path}; ${hint}`);
  return { annDir, imageDir };
}

/** sha256 (16 hex) of the dataset's annotation files (name, size, bytes), for the run identity. */
export function refexpFingerprint(path: string, ds: RefexpDataset): string {
  const { annDir } = resolveRefexpFolder(path, ds);
  const h = createHash('sha256');
  for (const split of ['train', ...ds.evalSplits]) {
    const f = join(annDir, annotationFile(ds.name, split));
    if (!existsSync(f)) throw new InputError(`${f} is missing (the ${ds.name} ${split} split)`);
    const bytes = readFileSync(f);
    h.update(`${annotationFile(ds.name, split)}\0${bytes.length}\0`).update(bytes);
  }
  return h.digest('hex').slice(0, 16);
}

/** Decodes one image to size x size RGB bytes (squashed, see above). */
async function decodeBytes(file: string, size: number, where: string): Promise<Uint8Array> {
  if (!existsSync(file)) throw new InputError(`${where}: image ${file} does not exist (file_name from the annotation file; are the COCO train2014 images in that folder?)`);
  try {
    const { data, info } = await sharp(file).rotate().removeAlpha().toColourspace('srgb').resize(size, size, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
    if (info.channels === 3) return new Uint8Array(data.buffer, data.byteOffset, data.length);
    const out = new Uint8Array(size * size * 3);
    for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) out[3 * i + c] = data[info.channels * i + (info.channels >= 3 ? c : 0)];
    return out;
  } catch (err) {
    throw new InputError(`${where}: cannot decode image ${file}: ${(err as Error).message}`);
  }
}

function byteImages(bytes: Uint8Array[], size: number): ImageSet {
  return {
    size, count: bytes.length,
    pixels: (i) => {
      const b = bytes[i], px = new Float32Array(b.length);
      for (let k = 0; k < b.length; k++) px[k] = b[k] / 255;
      return normalizeInPlace(px, 'imagenet');
    },
  };
}

/** One split: the expressions (optionally a subset) and their distinct images. */
export async function loadRefexpSplit(name: string, examples: RefexpExample[], imageDir: string, size: number, file: string): Promise<GroundingSplit> {
  const index = new Map<string, number>();
  const bytes: Uint8Array[] = [];
  const items: GroundingItem[] = [];
  for (const e of examples) {
    let img = index.get(e.fileName);
    if (img === undefined) {
      img = bytes.length;
      index.set(e.fileName, img);
      bytes.push(await decodeBytes(join(imageDir, e.fileName), size, `${file}: images entry id ${e.id}`));
    }
    const [x, y, w, h] = e.bbox;
    const corners: Box = [x, y, x + w, y + h];
    const norm = xyxyToCxcywh([x / e.width, y / e.height, (x + w) / e.width, (y + h) / e.height]);
    items.push({ caption: e.caption, image: img, targets: [{ box: norm, spans: e.tokensPositive }], evalBox: corners, width: e.width, height: e.height });
  }
  return { name, items, images: byteImages(bytes, size) };
}

/**
 * Loads a refexp dataset. `pickTrain` chooses the training expressions to keep (a seeded subset for
 * maxTrainExamples), so only their images are decoded.
 */
export async function loadRealRefexp(path: string, ds: RefexpDataset, size: number, pickTrain: (n: number) => number[] | null = () => null): Promise<GroundingData> {
  const { annDir, imageDir } = resolveRefexpFolder(path, ds);
  const read = (split: string) => { const f = join(annDir, annotationFile(ds.name, split)); return { f, ex: readRefexpJson(f) }; };
  const tr = read('train');
  const keep = pickTrain(tr.ex.length);
  const train = await loadRefexpSplit('train', keep ? keep.map((i) => tr.ex[i]) : tr.ex, imageDir, size, tr.f);
  const evals: GroundingSplit[] = [];
  for (const s of ds.evalSplits) { const r = read(s); evals.push(await loadRefexpSplit(s, r.ex, imageDir, size, r.f)); }
  return { train, evals };
}
