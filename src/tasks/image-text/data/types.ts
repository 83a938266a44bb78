// The image-text data model: per split, images and captions (5 per image in the real datasets and the mini one),
// with caption j belonging to image captionImage[j]. Images are either procedural scenes (mini) or files (real).
import type { Scene } from '../../../data/scenes/index.js';

export type ItrImage = { kind: 'scene'; scene: Scene } | { kind: 'file'; path: string };

export interface ItrSplit {
  images: ItrImage[];
  captions: string[];
  /** captionImage[j] = index into `images` of caption j's image. */
  captionImage: Int32Array;
}

export type ItrSplitName = 'train' | 'validation' | 'test';

export interface ItrData {
  train: ItrSplit;
  validation: ItrSplit;
  test: ItrSplit;
  source: 'mini' | 'real';
}

export const ITR_TASK_IDS = ['itr-flickr30k', 'itr-coco-1k', 'itr-coco-5k'] as const;
export type ItrTaskId = (typeof ITR_TASK_IDS)[number];

/** Which dataset a task reads (the two COCO tasks are two evaluations of one training, on one dataset). */
export function datasetOf(task: string): 'f30k' | 'coco' {
  if (task === 'itr-flickr30k') return 'f30k';
  if (task === 'itr-coco-1k' || task === 'itr-coco-5k') return 'coco';
  throw new Error(`"${task}" is not an image-text retrieval task (known: ${ITR_TASK_IDS.join(', ')})`);
}

/** Checks the split's invariants (every caption points to an existing image, every image has a caption). */
export function checkSplit(s: ItrSplit, where: string): void {
  if (s.captions.length !== s.captionImage.length) throw new Error(`${where}: ${s.captions.length} captions but ${s.captionImage.length} caption-image links`);
  const seen = new Uint8Array(s.images.length);
  s.captionImage.forEach((i, j) => {
    if (i < 0 || i >= s.images.length) throw new Error(`${where}: caption ${j} points to image ${i}, outside 0..${s.images.length - 1}`);
    seen[i] = 1;
  });
  const lonely = seen.indexOf(0);
  if (lonely >= 0) throw new Error(`${where}: image ${lonely} has no caption`);
}
