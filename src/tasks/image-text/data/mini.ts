// The mini image-text datasets: procedural scenes with 5 generated captions each, in the real datasets' shape
// (Flickr30K: train / dev / test; MSCOCO: train / dev / testall, the test split a multiple of 5 folds). The data
// seed is fixed per dataset (not the run's seed), so every method sees the same data.
import { Rng } from '../../../engine/rng.js';
import { sampleScene, sceneCaptions, type SceneOptions } from '../../../data/scenes/index.js';
import type { ItrData, ItrSplit } from './types.js';

/** Bump when the generator changes anything (it enters the data fingerprint). */
export const MINI_ITR_VERSION = 'mini-itr-1';
export const MINI_ITR_SEED = 20240701;
export const CAPTIONS_PER_IMAGE = 5;

export const MINI_ITR_SIZES = {
  f30k: { train: 320, validation: 60, test: 100 },
  coco: { train: 320, validation: 60, test: 250 },   // test = 5 folds of 50 ("1K") and all 250 ("5K")
} as const;

export const MINI_SCENES: SceneOptions = { minObjects: 2, maxObjects: 4 };

function split(rng: Rng, n: number): ItrSplit {
  const images: ItrSplit['images'] = [], captions: string[] = [], link: number[] = [];
  for (let i = 0; i < n; i++) {
    const scene = sampleScene(rng, MINI_SCENES);
    images.push({ kind: 'scene', scene });
    for (const c of sceneCaptions(scene, rng, CAPTIONS_PER_IMAGE)) { captions.push(c); link.push(i); }
  }
  return { images, captions, captionImage: Int32Array.from(link) };
}

export function miniItrData(dataset: 'f30k' | 'coco'): ItrData {
  const rng = new Rng(MINI_ITR_SEED).fork(dataset);
  const n = MINI_ITR_SIZES[dataset];
  return { train: split(rng.fork('train'), n.train), validation: split(rng.fork('validation'), n.validation), test: split(rng.fork('test'), n.test), source: 'mini' };
}

export function miniItrFingerprint(dataset: 'f30k' | 'coco'): string {
  const n = MINI_ITR_SIZES[dataset];
  return `${MINI_ITR_VERSION}:${dataset}:seed${MINI_ITR_SEED}:${n.train}/${n.validation}/${n.test}`;
}
