// The mini image-text datasets: procedural scenes with 5 generated captions each, in the real datasets' shape
// (Flickr30K: train / dev / test; MSCOCO: train / dev / testall, the test split a multiple of 5 folds). The data
// seed is fixed per dataset (not the run's seed), so every method sees the same data.
import { Rng } from '../../../engine/rng.js';
import { sampleScene, captionOf, type CaptionKind, type Scene, type SceneOptions } from '../../../data/scenes/index.js';
import type { ItrData, ItrSplit } from './types.js';

/** Bump when the generator changes anything (it enters the data fingerprint). */
export const MINI_ITR_VERSION = 'mini-itr-2';
export const MINI_ITR_SEED = 20240701;
export const CAPTIONS_PER_IMAGE = 5;

export const MINI_ITR_SIZES = {
  f30k: { train: 160, validation: 32, test: 50 },
  coco: { train: 160, validation: 32, test: 100 },   // test = 5 folds of 20 ("1K") and all 100 ("5K")
} as const;

export const MINI_SCENES: SceneOptions = { minObjects: 1, maxObjects: 2 };

/**
 * The kinds of the 5 captions of each mini image (shuffled per image): two full descriptions, an object with its
 * position, a relation and a partial relation. The shared generator's "count" kind ("there are two shapes , a circle
 * and a square .") is left out: it fits a large share of the images, so with hardest-negative mining (VSE++) its
 * hardest "negative" is nearly always another true match, which stalls training at mini scale.
 */
export const MINI_CAPTION_KINDS: readonly CaptionKind[] = ['full', 'full', 'position', 'relation', 'partial'];

/** n distinct-where-possible captions of one scene, one per kind of MINI_CAPTION_KINDS in a random order. */
export function miniCaptions(scene: Scene, rng: Rng, n = CAPTIONS_PER_IMAGE): string[] {
  const out: string[] = [];
  let kinds: CaptionKind[] = [];
  while (out.length < n) {
    if (!kinds.length) kinds = rng.shuffle([...MINI_CAPTION_KINDS]);
    const kind = kinds.pop()!;
    let c = captionOf(kind, scene, rng);
    for (let t = 0; t < 4 && out.includes(c); t++) c = captionOf(rng.pick(MINI_CAPTION_KINDS), scene, rng);
    out.push(c);
  }
  return out;
}

function split(rng: Rng, n: number): ItrSplit {
  const images: ItrSplit['images'] = [], captions: string[] = [], link: number[] = [];
  for (let i = 0; i < n; i++) {
    const scene = sampleScene(rng, MINI_SCENES);
    images.push({ kind: 'scene', scene });
    for (const c of miniCaptions(scene, rng)) { captions.push(c); link.push(i); }
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
