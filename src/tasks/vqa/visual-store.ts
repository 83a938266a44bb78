// What the training loop reads per image, prepared once when the run is built (batches are drawn synchronously):
//   features  the frozen CLIP tower's output for every image, computed once (the tower is frozen in every setup and
//             its output for an image never changes; LXMERT-style pipelines precompute features the same way). The
//             mini tasks use this: it takes the tower's cost out of every step, for every method alike.
//   pixels    the decoded images (8-bit, as JPEG/PNG hold them), and the tower runs in each step's frozen-only phase
//             (outside the gradient tape), as CLIP-ViL feeds raw images. Used when the features would not fit the
//             budget; kept in memory up to MEMORY_BUDGET, else in a temporary file read synchronously per batch.
// Either way the tower never enters the gradient tape.
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf, type Tensor } from '../../engine/tf.js';
import type { VisionTower } from '../../backbones/clip-vil/visual.js';
import type { ImageSource } from './data/types.js';

export type VisualMode = 'auto' | 'features' | 'pixels';

/** Largest feature cache kept (bytes of float32 features); above it the tower runs per batch. */
export const FEATURE_BUDGET = 256 * 2 ** 20;
/** Largest in-memory pixel store; above it the 8-bit pixels go to a temporary file. */
export const MEMORY_BUDGET = 512 * 2 ** 20;

export interface VisualStore {
  kind: 'features' | 'pixels';
  /** Shape of one image's entry: features [h, w, C] or [N, C]; pixels [S, S, 3]. */
  itemShape: number[];
  /** Entries of the given images, stacked: [B, ...itemShape] (float32; pixels in [0, 1]). */
  batch(images: readonly number[]): Tensor;
  dispose(): void;
}

const CHUNK = 32;

async function decodeAll(images: ImageSource, each: (i: number, px: Float32Array) => void): Promise<void> {
  const S = images.size;
  for (let i = 0; i < images.ids.length; i++) {
    const px = await images.pixels(i);
    if (px.length !== S * S * 3) throw new Error(`image ${images.ids[i]}: expected ${S}x${S}x3 pixels, got ${px.length} values`);
    each(i, px);
  }
}

/** Runs the frozen tower over every image once (chunks of 32, outside any tape) and keeps the outputs. */
async function featureStore(images: ImageSource, tower: VisionTower): Promise<VisualStore> {
  const n = images.ids.length, S = images.size;
  let itemShape: number[] = [], itemSize = 0, data = new Float32Array(0);
  const pending: Float32Array[] = [];
  let done = 0;
  const flush = () => {
    if (!pending.length) return;
    const k = pending.length;
    const buf = new Float32Array(k * S * S * 3);
    pending.forEach((p, j) => buf.set(p, j * S * S * 3));
    const g = tf.tidy(() => tower.grid(tf.tensor4d(buf, [k, S, S, 3])));
    if (!itemSize) {
      itemShape = (g.shape as number[]).slice(1);
      itemSize = itemShape.reduce((a, b) => a * b, 1);
      data = new Float32Array(n * itemSize);
    }
    data.set(g.dataSync() as Float32Array, done * itemSize);
    g.dispose();
    done += k;
    pending.length = 0;
  };
  await decodeAll(images, (_, px) => { pending.push(px); if (pending.length === CHUNK) flush(); });
  flush();
  return {
    kind: 'features', itemShape,
    batch(rows) {
      const out = new Float32Array(rows.length * itemSize);
      rows.forEach((r, j) => out.set(data.subarray(r * itemSize, (r + 1) * itemSize), j * itemSize));
      return tf.tensor(out, [rows.length, ...itemShape], 'float32');
    },
    dispose() { data = new Float32Array(0); },
  };
}

async function pixelStore(images: ImageSource): Promise<VisualStore> {
  const n = images.ids.length, S = images.size, item = S * S * 3;
  const toU8 = (px: Float32Array) => { const u = new Uint8Array(item); for (let k = 0; k < item; k++) u[k] = Math.round(Math.min(1, Math.max(0, px[k])) * 255); return u; };
  const fromU8 = (u: Uint8Array, out: Float32Array, off: number) => { for (let k = 0; k < item; k++) out[off + k] = u[k] / 255; };
  if (n * item <= MEMORY_BUDGET) {
    let mem = new Uint8Array(n * item);
    await decodeAll(images, (i, px) => mem.set(toU8(px), i * item));
    return {
      kind: 'pixels', itemShape: [S, S, 3],
      batch(rows) {
        const out = new Float32Array(rows.length * item);
        rows.forEach((r, j) => fromU8(mem.subarray(r * item, (r + 1) * item), out, j * item));
        return tf.tensor4d(out, [rows.length, S, S, 3]);
      },
      dispose() { mem = new Uint8Array(0); },
    };
  }
  const path = join(tmpdir(), `unipt-vqa-pixels-${process.pid}-${Date.now()}.u8`);
  const cleanup = () => rmSync(path, { force: true });
  process.once('exit', cleanup);
  const fd = openSync(path, 'w+');
  await decodeAll(images, (i, px) => { writeSync(fd, toU8(px), 0, item, i * item); });
  const buf = new Uint8Array(item);
  return {
    kind: 'pixels', itemShape: [S, S, 3],
    batch(rows) {
      const out = new Float32Array(rows.length * item);
      rows.forEach((r, j) => { readSync(fd, buf, 0, item, r * item); fromU8(buf, out, j * item); });
      return tf.tensor4d(out, [rows.length, S, S, 3]);
    },
    dispose() { closeSync(fd); cleanup(); },
  };
}

/** Chooses and builds the store ('auto': features when they fit FEATURE_BUDGET). */
export async function buildVisualStore(images: ImageSource, tower: VisionTower, mode: VisualMode = 'auto'): Promise<VisualStore> {
  if (mode === 'features') return featureStore(images, tower);
  if (mode === 'pixels') return pixelStore(images);
  const perImage = tower.tokens() * tower.config.visual_feat_dim * 4;
  return images.ids.length * perImage <= FEATURE_BUDGET ? featureStore(images, tower) : pixelStore(images);
}
