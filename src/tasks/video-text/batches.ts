// Batches for CLIP4Clip: video-caption pairs for training; videos alone and captions alone for evaluation.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import type { TextTokenizer } from '../../data/tokenizer/index.js';
import { encodeClipText } from '../../backbones/clip/tokenizer.js';
import type { Batch } from '../types.js';
import type { FrameStore } from './data/index.js';

export interface VideoInput {
  /** [B * F, S, S, 3]: each video's F = maxFrames frames (missing frames zero, masked). */
  pixels: Tensor;
  /** [B, F] float: 1 for a real frame. */
  frameMask: Tensor;
  videos: number;
}

export interface TextInput {
  ids: Tensor;     // int32 [B, T]
  mask: Tensor;    // int32 [B, T]
  eot: number[];
}

export interface VideoTextBatch extends Batch, VideoInput, TextInput {}

export function videoInput(store: FrameStore, ids: readonly string[]): VideoInput {
  const { size: S, maxFrames: F } = store;
  const px = S * S * 3;
  const pixels = new Float32Array(ids.length * F * px);
  const mask = new Float32Array(ids.length * F);
  ids.forEach((id, b) => {
    const v = store.get(id);
    pixels.set(v.data, b * F * px);
    for (let f = 0; f < v.count; f++) mask[b * F + f] = 1;
  });
  return { pixels: tf.tensor4d(pixels, [ids.length * F, S, S, 3]), frameMask: tf.tensor2d(mask, [ids.length, F]), videos: ids.length };
}

/** Captions as CLIP4Clip encodes them (max_words tokens, specials included), padded to the batch's longest. */
export function textInput(tok: TextTokenizer, texts: readonly string[], maxWords: number): TextInput {
  const enc = encodeClipText(tok, texts, maxWords, 'longest');
  return { ids: tf.tensor2d(enc.ids, enc.shape, 'int32'), mask: tf.tensor2d(enc.mask, enc.shape, 'int32'), eot: enc.eot };
}

export function disposeVideoTextBatch(b: Partial<VideoTextBatch>): void {
  tf.dispose([b.pixels, b.frameMask, b.ids, b.mask].filter((t): t is Tensor => !!t));
}

/** Shuffled full batches of `n` items (CLIP4Clip's training loader drops the last incomplete batch). */
export function* shuffledFullBatches(n: number, B: number, rng: Rng): Generator<number[]> {
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  const steps = Math.max(1, Math.floor(n / B));
  for (let s = 0; s < steps; s++) yield order.slice(s * B, Math.min(n, (s + 1) * B));
}

export function* chunks(n: number, size: number): Generator<number[]> {
  for (let i = 0; i < n; i += size) yield Array.from({ length: Math.min(size, n - i) }, (_, k) => i + k);
}
