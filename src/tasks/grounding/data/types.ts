// What the grounding family trains and evaluates on, for mini and real data alike: expressions on images, each with
// the boxes its phrases name (one for a referring expression; several for modulated-detection pretraining).
import type { Box } from '../boxes.js';

export interface GroundingTargetSpec {
  /** Normalised (cx, cy, w, h) relative to the image. */
  box: Box;
  /** Character spans of the caption naming this box (empty: the whole caption). */
  spans: [number, number][];
}

export interface GroundingItem {
  caption: string;
  /** Index of the image in its split's ImageSet. */
  image: number;
  targets: GroundingTargetSpec[];
  /** The referred box in pixels of the original image, corners (x0, y0, x1, y1): what Precision@k compares to. */
  evalBox: Box;
  /** Original image size (predicted normalised boxes are scaled by it for evaluation). */
  width: number;
  height: number;
}

/** Images of a split at the model's input size: size x size x 3, HWC, normalised. */
export interface ImageSet {
  size: number;
  count: number;
  pixels(i: number): Float32Array;
}

export interface GroundingSplit {
  /** 'train', 'val', 'testA', 'testB', 'test'. */
  name: string;
  items: GroundingItem[];
  images: ImageSet;
}

export interface GroundingData {
  train: GroundingSplit;
  /** Evaluation splits by name; 'val' first. */
  evals: GroundingSplit[];
}

/** A uniform ImageSet over one Float32Array holding `count` images back to back. */
export function packedImages(data: Float32Array, size: number): ImageSet {
  const n = size * size * 3;
  if (data.length % n !== 0) throw new Error(`packedImages: ${data.length} values is not a whole number of ${size}x${size}x3 images`);
  return { size, count: data.length / n, pixels: (i) => data.subarray(i * n, (i + 1) * n) };
}
