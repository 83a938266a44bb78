// Loading a task's data: the mini procedural dataset, or the real one from a SCAN/VSE∞-layout folder.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from '../../../train/spec.js';
import { InputError } from '../../../util/errors.js';
import { miniItrData, miniItrFingerprint } from './mini.js';
import { readScanData } from './scan.js';
import { datasetOf, checkSplit, type ItrData } from './types.js';

export * from './types.js';
export { miniItrData, miniItrFingerprint, MINI_ITR_SIZES, MINI_ITR_VERSION, MINI_SCENES } from './mini.js';
export { readScanData, readScanSplit, readIdMapping, imageFolder, SCAN_SPLITS } from './scan.js';
export { ImageCache, imageCacheLimitMb } from './pixels.js';
export { tokenizeCaptions, augmentCaption, padRows, type CaptionIds } from './text.js';

/** The dataset root: the given folder, or its f30k/ or coco/ sub-folder (the registry's folder names). */
export function resolveItrRoot(path: string, dataset: 'f30k' | 'coco'): string {
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new InputError(`the image-text data folder ${path} does not exist; expected precomp/, id_mapping.json and the images in it (or in its ${dataset}/ sub-folder)`);
  if (existsSync(join(path, 'precomp'))) return path;
  if (existsSync(join(path, dataset, 'precomp'))) return join(path, dataset);
  throw new InputError(`no precomp/ folder in ${path} or ${join(path, dataset)}: the SCAN/VSE∞ split files ({train,dev,${dataset === 'coco' ? 'testall' : 'test'}}_ids.txt and _caps.txt) go in <data folder>/precomp/`);
}

export function loadItrData(task: string, source: DataSource): ItrData {
  const dataset = datasetOf(task);
  const data = source.source === 'mini' ? miniItrData(dataset) : readScanData(resolveItrRoot(source.path, dataset), dataset);
  for (const s of ['train', 'validation', 'test'] as const) checkSplit(data[s], `${task} ${s} split`);
  return data;
}

/** Mini: generator version, seed and sizes; real: sha256 of the split files and id_mapping.json (not the images). */
export function itrDataFingerprint(task: string, source: DataSource): string {
  const dataset = datasetOf(task);
  if (source.source === 'mini') return miniItrFingerprint(dataset);
  const root = resolveItrRoot(source.path, dataset);
  const h = createHash('sha256');
  for (const f of readdirSync(join(root, 'precomp')).filter((f) => f.endsWith('.txt')).sort()) h.update(`${f}\n`).update(readFileSync(join(root, 'precomp', f)));
  h.update('id_mapping.json\n').update(existsSync(join(root, 'id_mapping.json')) ? readFileSync(join(root, 'id_mapping.json')) : '');
  return `scan:${dataset}:${h.digest('hex').slice(0, 16)}`;
}
