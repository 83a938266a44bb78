// Frames of each video at the model's resolution, ready for batching. Mini clips are rendered in memory. Real
// frame folders are decoded once with sharp when the run is built (the trainer's batch iterator is synchronous):
// `maxFrames` frames sampled uniformly over the folder's files in name order (CLIP4Clip's slice_framepos 2), resized
// on the short side and centre-cropped (CLIP's preprocessing), kept as 8-bit RGB (a quarter of float32's memory)
// and normalised with the checkpoint's mean/std when a batch is made. Videos with fewer frames than maxFrames are
// padded and masked (CLIP4Clip's video_mask).
import { loadFrames } from '../../../data/images/index.js';
import { InputError } from '../../../util/errors.js';

export interface VideoFrames {
  /** Frames of one video, [count, S, S, 3] floats, normalised. */
  data: Float32Array;
  count: number;
}

export interface FrameStore {
  readonly size: number;
  readonly maxFrames: number;
  get(videoId: string): VideoFrames;
  has(videoId: string): boolean;
}

/** Rendered mini clips (already normalised). */
export function miniFrameStore(clips: Map<string, Float32Array[]>, size: number, maxFrames: number): FrameStore {
  return {
    size, maxFrames,
    has: (id) => clips.has(id),
    get(id) {
      const frames = clips.get(id);
      if (!frames) throw new Error(`mini video "${id}" does not exist`);
      const used = frames.slice(0, maxFrames);
      const data = new Float32Array(used.length * size * size * 3);
      used.forEach((f, i) => data.set(f, i * size * size * 3));
      return { data, count: used.length };
    },
  };
}

/** Decodes the sampled frames of every listed video from `root/<video_id>/`. */
export async function folderFrameStore(root: string, videoIds: Iterable<string>, size: number, maxFrames: number, stats: { mean: number[]; std: number[] }, log: (l: string) => void = () => {}): Promise<FrameStore> {
  const px = size * size * 3;
  const store = new Map<string, { bytes: Uint8Array; count: number }>();
  const ids = [...new Set(videoIds)];
  const t0 = Date.now();
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    let frames: Float32Array[];
    try {
      ({ frames } = await loadFrames(`${root}/${id}`, maxFrames, { size, crop: 'center', normalize: 'none' }));
    } catch (e) {
      throw new InputError(`video "${id}": ${(e as Error).message}`);
    }
    const bytes = new Uint8Array(frames.length * px);
    frames.forEach((f, i) => { for (let j = 0; j < px; j++) bytes[i * px + j] = Math.round(Math.min(1, Math.max(0, f[j])) * 255); });
    store.set(id, { bytes, count: frames.length });
    if ((k + 1) % 500 === 0) log(`  decoded frames of ${k + 1}/${ids.length} videos (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  return {
    size, maxFrames,
    has: (id) => store.has(id),
    get(id) {
      const e = store.get(id);
      if (!e) throw new Error(`video "${id}" was not decoded (not in any split)`);
      const data = new Float32Array(e.bytes.length);
      for (let i = 0; i < data.length; i += 3) {
        for (let c = 0; c < 3; c++) data[i + c] = (e.bytes[i + c] / 255 - stats.mean[c]) / stats.std[c];
      }
      return { data, count: e.count };
    },
  };
}
