// Decoding real images with sharp: resize + crop to a square, to float RGB in [0, 1] (HWC), then normalised.
// Crops: 'center' (resize the short side to `size`, centre crop: CLIP / torchvision eval), 'random' (a random
// square crop of U(scale) of the short side at a random place, resized to `size`: VSE∞'s training augmentation
// with scale [0.6, 1.0]), 'resize' (squash the whole image to size x size, as VSE∞'s eval resize to 512 x 512).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import sharp, { type OutputInfo } from 'sharp';
import type { Rng } from '../../engine/rng.js';
import { InputError } from '../../util/errors.js';
import { flipHorizontal, normalizeInPlace, type Normalization } from './normalize.js';

export type CropMode = 'center' | 'random' | 'resize';

export interface LoadImageOptions {
  crop?: CropMode;
  normalize?: Normalization;
  /** For crop 'random': the crop side as a fraction of the short side, drawn uniformly (default [0.6, 1]). */
  scale?: [number, number];
  /** Probability of a horizontal flip (default 0); needs rng. */
  flip?: number;
  /** Needed for crop 'random' and flip > 0. */
  rng?: Rng;
}

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff'];

async function decodeMeta(path: string): Promise<{ width: number; height: number }> {
  if (!existsSync(path)) throw new InputError(`image ${path} does not exist`);
  try {
    const m = await sharp(path).metadata();
    if (!m.width || !m.height) throw new Error('no width/height in the image header');
    return { width: m.width, height: m.height };
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot decode image ${path}: ${(err as Error).message} (is it a JPEG/PNG/WebP file?)`);
  }
}

/**
 * Loads one image as a size x size x 3 Float32Array (HWC), RGB (alpha dropped, gray expanded), normalised as asked
 * (default ImageNet), with the chosen crop.
 */
export async function loadImage(path: string, size: number, opts: LoadImageOptions = {}): Promise<Float32Array> {
  if (!Number.isInteger(size) || size < 1) throw new Error(`loadImage: size must be a positive integer, got ${size}`);
  const crop = opts.crop ?? 'center';
  if ((crop === 'random' || (opts.flip ?? 0) > 0) && !opts.rng) throw new Error(`loadImage: crop "random" and flip need an rng (seeded from the run)`);
  const { width, height } = await decodeMeta(path);
  let pipe = sharp(path).rotate().removeAlpha().toColourspace('srgb');
  if (crop === 'resize') {
    pipe = pipe.resize(size, size, { fit: 'fill' });
  } else if (crop === 'center') {
    pipe = pipe.resize(size, size, { fit: 'cover', position: 'centre' });
  } else {
    const [lo, hi] = opts.scale ?? [0.6, 1];
    if (!(lo > 0 && hi <= 1 && lo <= hi)) throw new Error(`loadImage: scale [${lo}, ${hi}] must satisfy 0 < min <= max <= 1`);
    const short = Math.min(width, height);
    const side = Math.max(1, Math.round(short * (lo + (hi - lo) * opts.rng!.next())));
    const left = opts.rng!.int(width - side + 1), top = opts.rng!.int(height - side + 1);
    pipe = pipe.extract({ left, top, width: side, height: side }).resize(size, size, { fit: 'fill' });
  }
  let raw: Buffer, info: OutputInfo;
  try {
    ({ data: raw, info } = await pipe.raw().toBuffer({ resolveWithObject: true }));
  } catch (err) {
    throw new InputError(`cannot decode image ${path}: ${(err as Error).message}`);
  }
  if (info.width !== size || info.height !== size) throw new Error(`loadImage: ${path} decoded to ${info.width}x${info.height}, expected ${size}x${size}`);
  const ch = info.channels;
  let px: Float32Array = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++) {
    for (let c = 0; c < 3; c++) px[3 * i + c] = raw[ch * i + (ch >= 3 ? c : 0)] / 255;
  }
  if ((opts.flip ?? 0) > 0 && opts.rng!.next() < opts.flip!) px = flipHorizontal(px, size);
  return normalizeInPlace(px, opts.normalize ?? 'imagenet');
}

/** Image files in a folder, sorted by name (natural order of numbered frames: "2.jpg" before "10.jpg"). */
export function listImages(folder: string): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new InputError(`frame folder ${folder} does not exist; extract frames first (see the README's ffmpeg command)`);
  const files = readdirSync(folder).filter((f) => IMAGE_EXTENSIONS.includes(extname(f).toLowerCase()));
  return files.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * Indices of `count` frames sampled uniformly from n (CLIP4Clip's slice_framepos 2:
 * np.linspace(0, n - 1, num=count, dtype=int)); all n when n <= count.
 */
export function uniformFrameIndices(n: number, count: number): number[] {
  if (n <= count) return Array.from({ length: n }, (_, i) => i);
  if (count === 1) return [0];
  return Array.from({ length: count }, (_, i) => Math.floor((i * (n - 1)) / (count - 1)));
}

export interface LoadFramesOptions extends LoadImageOptions { size: number }

/**
 * Loads up to `count` frames of a folder of pre-extracted frames, sampled uniformly over the files in name order.
 * Returns the frames and their file names; errors name the folder (empty, missing) or the file (undecodable).
 */
export async function loadFrames(folder: string, count: number, opts: LoadFramesOptions): Promise<{ frames: Float32Array[]; files: string[] }> {
  if (!Number.isInteger(count) || count < 1) throw new Error(`loadFrames: count must be a positive integer, got ${count}`);
  const all = listImages(folder);
  if (!all.length) throw new InputError(`frame folder ${folder} holds no image files (${IMAGE_EXTENSIONS.join(', ')})`);
  const files = uniformFrameIndices(all.length, count).map((i) => all[i]);
  const frames: Float32Array[] = [];
  // one rng draw sequence per clip: the same crop for every frame would need shared parameters; frames are
  // augmented independently only if the caller passes a random crop (CLIP4Clip uses centre crops)
  for (const f of files) frames.push(await loadImage(join(folder, f), opts.size, opts));
  return { frames, files };
}
