// Images of a split decoded once into a uint8 RGB cache at the model's input size (S x S): procedural scenes are
// rendered, files decoded with sharp (loadImage, squashed to S x S as VSE∞'s evaluation resize). Training batches of
// real images get VSE∞'s augmentation from the cache, synchronously: a random crop of U(0.6, 1) of the side at a
// random place (VSE∞ crops the same ratio of height and width, then squashes to the target size; on the squashed
// image that is a square crop), bilinear resize back to S, horizontal flip with p = 0.5. Mini scenes are not
// augmented (a flip would break "left of" captions, a crop "at the top left").
import { renderScene } from '../../../data/scenes/index.js';
import { loadImage, normalizationStats, type Normalization } from '../../../data/images/index.js';
import type { Rng } from '../../../engine/rng.js';
import { InputError } from '../../../util/errors.js';
import type { ItrImage } from './types.js';

/** Largest total cache the family builds before refusing (MB); UNIPT_IMAGE_CACHE_MB overrides. */
export function imageCacheLimitMb(): number { return Number(process.env.UNIPT_IMAGE_CACHE_MB ?? 4096); }

export class ImageCache {
  private constructor(readonly size: number, readonly count: number, readonly data: Uint8Array) {}

  static bytesFor(count: number, size: number): number { return count * size * size * 3; }

  static async build(images: readonly ItrImage[], size: number): Promise<ImageCache> {
    const per = size * size * 3;
    const data = new Uint8Array(images.length * per);
    for (let i = 0; i < images.length; i++) {
      const im = images[i];
      const px = im.kind === 'scene' ? renderScene(im.scene, size) : await loadImage(im.path, size, { crop: 'resize', normalize: 'none' });
      for (let k = 0; k < per; k++) data[i * per + k] = Math.round(Math.min(1, Math.max(0, px[k])) * 255);
    }
    return new ImageCache(size, images.length, data);
  }

  /** Refuses caches above the memory limit, naming the numbers and the knob. */
  static checkBudget(counts: number[], size: number): void {
    const mb = counts.reduce((a, n) => a + ImageCache.bytesFor(n, size), 0) / 2 ** 20;
    if (mb > imageCacheLimitMb()) {
      throw new InputError(`the image-text family decodes every image once into memory: ${counts.reduce((a, b) => a + b, 0)} images at ${size} x ${size} need ${mb.toFixed(0)} MB, above the ${imageCacheLimitMb()} MB limit; use a smaller image size (the backbone's image_size) or raise UNIPT_IMAGE_CACHE_MB`);
    }
  }

  /**
   * Normalised NHWC pixels [rows.length, S, S, 3] of the given images; `augment` applies the random crop + flip
   * (needs rng).
   */
  batch(rows: readonly number[], norm: Normalization, augment: Rng | null): Float32Array {
    const S = this.size, per = S * S * 3;
    const { mean, std } = normalizationStats(norm);
    const out = new Float32Array(rows.length * per);
    rows.forEach((r, b) => {
      if (r < 0 || r >= this.count) throw new Error(`ImageCache: image ${r} outside 0..${this.count - 1}`);
      const src = this.data.subarray(r * per, (r + 1) * per);
      const o = b * per;
      if (!augment) {
        for (let k = 0; k < per; k++) out[o + k] = (src[k] / 255 - mean[k % 3]) / std[k % 3];
        return;
      }
      const side = S * (0.6 + 0.4 * augment.next());
      const x0 = (S - side) * augment.next(), y0 = (S - side) * augment.next();
      const flip = augment.next() < 0.5;
      const scale = side / S;
      for (let y = 0; y < S; y++) {
        // bilinear sampling at pixel centres (cv2.INTER_LINEAR convention)
        const sy = Math.min(S - 1, Math.max(0, y0 + (y + 0.5) * scale - 0.5));
        const yA = Math.floor(sy), yB = Math.min(S - 1, yA + 1), fy = sy - yA;
        for (let x = 0; x < S; x++) {
          const sx = Math.min(S - 1, Math.max(0, x0 + (x + 0.5) * scale - 0.5));
          const xA = Math.floor(sx), xB = Math.min(S - 1, xA + 1), fx = sx - xA;
          const ox = flip ? S - 1 - x : x;
          for (let c = 0; c < 3; c++) {
            const v = (1 - fy) * ((1 - fx) * src[(yA * S + xA) * 3 + c] + fx * src[(yA * S + xB) * 3 + c])
              + fy * ((1 - fx) * src[(yB * S + xA) * 3 + c] + fx * src[(yB * S + xB) * 3 + c]);
            out[o + (y * S + ox) * 3 + c] = (v / 255 - mean[c]) / std[c];
          }
        }
      }
    });
    return out;
  }
}
