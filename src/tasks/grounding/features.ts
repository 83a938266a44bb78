// CNN features of every image of a split, computed once outside the tape (the CNN is frozen in every method, its
// BatchNorm uses running statistics, and mini data has no augmentation, so an image's features never change during a
// run). They are kept in a plain Float32Array, outside tensor memory, and sliced into each batch.
import { tf } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import type { MdetrModel } from '../../backbones/mdetr/model.js';
import type { ImageSet } from './data/types.js';
import type { FeatureCache } from './batches.js';

export function computeFeatureCache(model: MdetrModel, images: ImageSet, batchSize = 32): FeatureCache {
  const ctx = { training: false, rng: new Rng(0) };
  const S = images.size, n = S * S * 3;
  let data: Float32Array | null = null;
  let shape: [number, number, number] = [0, 0, 0];
  for (let i = 0; i < images.count; i += batchSize) {
    const k = Math.min(batchSize, images.count - i);
    const buf = new Float32Array(k * n);
    for (let j = 0; j < k; j++) buf.set(images.pixels(i + j), j * n);
    const f = tf.tidy(() => model.features(tf.tensor4d(buf, [k, S, S, 3]), ctx));
    const [, h, w, C] = f.shape as number[];
    if (!data) { shape = [h, w, C]; data = new Float32Array(images.count * h * w * C); }
    data.set(f.dataSync() as Float32Array, i * h * w * C);
    f.dispose();
  }
  return { data: data ?? new Float32Array(0), shape };
}
