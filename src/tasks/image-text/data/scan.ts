// The real datasets in VSE∞'s layout (lib/datasets/image_caption.py RawImageDataset): a folder with
//   precomp/{split}_ids.txt   one integer image id per line: one per image (5 captions each), or one per caption
//   precomp/{split}_caps.txt  one caption per line, the 5 captions of an image consecutive
//   id_mapping.json           {"<image id>": "<file name relative to the image folder>"}
//   images/ (COCO) or flickr30k-images/ (Flickr30K; images/ is accepted too)
// Splits: Flickr30K train / dev / test; MSCOCO train / dev / testall (5,000 test images: 5-fold 1K and 5K). As
// VSE∞, COCO's dev split is cut to its first 5,000 captions (1,000 images) for validation. Every problem is
// reported with the file, the line or key, and what to do.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../util/errors.js';
import type { ItrData, ItrSplit } from './types.js';

export const CAPTIONS_PER_IMAGE = 5;
const DEV_CAPTION_LIMIT = 5000;

export const SCAN_SPLITS = { f30k: { train: 'train', validation: 'dev', test: 'test' }, coco: { train: 'train', validation: 'dev', test: 'testall' } } as const;

function readLines(path: string, what: string): string[] {
  if (!existsSync(path)) throw new InputError(`missing ${path} (${what}); the SCAN/VSE∞ split files go in <data folder>/precomp/`);
  const text = readFileSync(path, 'utf8');
  const lines = text.split(/\r?\n/);
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The image folder of a dataset root: images/ or, for Flickr30K, flickr30k-images/. */
export function imageFolder(root: string, dataset: 'f30k' | 'coco'): string {
  const cands = dataset === 'f30k' ? ['flickr30k-images', 'images'] : ['images'];
  for (const c of cands) if (existsSync(join(root, c)) && statSync(join(root, c)).isDirectory()) return join(root, c);
  throw new InputError(`no image folder in ${root}: expected ${cands.join(' or ')}/ holding the ${dataset === 'f30k' ? 'Flickr30K' : 'COCO train2014/val2014'} JPEGs named as in id_mapping.json`);
}

export function readIdMapping(root: string): Map<string, string> {
  const path = join(root, 'id_mapping.json');
  if (!existsSync(path)) throw new InputError(`missing ${path} (image id -> file name, from the VSE∞ README)`);
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(path, 'utf8')); } catch (e) { throw new InputError(`${path} is not valid JSON: ${(e as Error).message}`); }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InputError(`${path} must be a JSON object of "<image id>": "<file name>"`);
  const m = new Map<string, string>();
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string' || !v) throw new InputError(`${path}: key "${k}" must map to a file name (a non-empty string), got ${JSON.stringify(v)}`);
    m.set(k, v);
  }
  return m;
}

/** Reads one split; `limitCaptions` keeps only the first captions (COCO dev). */
export function readScanSplit(root: string, dataset: 'f30k' | 'coco', split: string, mapping: Map<string, string>, imageDir: string, limitCaptions?: number): ItrSplit {
  const idsPath = join(root, 'precomp', `${split}_ids.txt`), capsPath = join(root, 'precomp', `${split}_caps.txt`);
  const idLines = readLines(idsPath, `image ids of the ${split} split`);
  const caps = readLines(capsPath, `captions of the ${split} split`);
  const ids = idLines.map((l, i) => {
    const t = l.trim();
    if (!/^\d+$/.test(t)) throw new InputError(`${idsPath} line ${i + 1}: ${JSON.stringify(l)} is not an integer image id`);
    return t;
  });
  caps.forEach((c, i) => { if (!c.trim()) throw new InputError(`${capsPath} line ${i + 1}: empty caption`); });
  let imageIds: string[];
  let idLineOf: number[];
  if (caps.length === ids.length * CAPTIONS_PER_IMAGE) {
    imageIds = ids; idLineOf = ids.map((_, i) => i + 1);
  } else if (caps.length === ids.length && ids.length % CAPTIONS_PER_IMAGE === 0) {
    // one id per caption (the redundant variant): each block of 5 must name one image
    imageIds = []; idLineOf = [];
    for (let b = 0; b < ids.length; b += CAPTIONS_PER_IMAGE) {
      for (let k = 1; k < CAPTIONS_PER_IMAGE; k++) {
        if (ids[b + k] !== ids[b]) throw new InputError(`${idsPath} line ${b + k + 1}: image id ${ids[b + k]} differs from line ${b + 1} (${ids[b]}); with one id per caption, each block of ${CAPTIONS_PER_IMAGE} lines must repeat one image id`);
      }
      imageIds.push(ids[b]); idLineOf.push(b + 1);
    }
  } else {
    throw new InputError(`${capsPath} has ${caps.length} captions but ${idsPath} has ${ids.length} image ids: expected ${CAPTIONS_PER_IMAGE} captions per image (${ids.length * CAPTIONS_PER_IMAGE}) or one id per caption; check that both files belong to the same split`);
  }
  let nImages = imageIds.length;
  if (limitCaptions !== undefined) nImages = Math.min(nImages, Math.floor(limitCaptions / CAPTIONS_PER_IMAGE));
  const images: ItrSplit['images'] = [];
  for (let i = 0; i < nImages; i++) {
    const file = mapping.get(imageIds[i]);
    if (file === undefined) throw new InputError(`${join(root, 'id_mapping.json')} has no entry for image id ${imageIds[i]} (${idsPath} line ${idLineOf[i]})`);
    const path = join(imageDir, file);
    if (!existsSync(path)) throw new InputError(`image ${path} (id ${imageIds[i]}, ${idsPath} line ${idLineOf[i]}) does not exist; put the ${dataset === 'f30k' ? 'Flickr30K' : 'COCO'} JPEGs in ${imageDir}`);
    images.push({ kind: 'file', path });
  }
  const n = nImages * CAPTIONS_PER_IMAGE;
  return { images, captions: caps.slice(0, n).map((c) => c.trim()), captionImage: Int32Array.from({ length: n }, (_, j) => Math.floor(j / CAPTIONS_PER_IMAGE)) };
}

/** Reads the three splits of a dataset folder. */
export function readScanData(root: string, dataset: 'f30k' | 'coco'): ItrData {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new InputError(`data folder ${root} does not exist; it must hold precomp/, id_mapping.json and the images (see \`unipt doctor\`)`);
  const mapping = readIdMapping(root);
  const imageDir = imageFolder(root, dataset);
  const s = SCAN_SPLITS[dataset];
  return {
    train: readScanSplit(root, dataset, s.train, mapping, imageDir),
    validation: readScanSplit(root, dataset, s.validation, mapping, imageDir, dataset === 'coco' ? DEV_CAPTION_LIMIT : undefined),
    test: readScanSplit(root, dataset, s.test, mapping, imageDir),
    source: 'real',
  };
}
