// Mini video-text data in the real datasets' shape, from the shared procedural clips (src/data/scenes: a shape that
// moves left/right/up/down, appears, disappears or changes colour over 4 frames). Videos come in groups of four that
// show the SAME shape (size, colour, shape) with the four different events, and every caption names the object and
// its event ("a small red circle moves up .", "a red circle turns blue ."), so telling a video from its group's other
// three takes the event: a frozen image-caption model matches the object but not what happens to it, which is what
// tuning on the task has to add. vtr-msrvtt-mini: training videos with several captions each (every caption trains, as
// --expand_msrvtt_sentences), a validation and a test split with one caption per video (1k-A style). vtr-msvd-mini:
// every caption trains; validation and test are multi-sentence (several captions per video). The data do not depend
// on the run's seed (a fixed data seed, like GLUE's split seed), so every method sees the same videos.
// Note what meanP can and cannot see: it averages the frames, so it is blind to their order (left vs right along the
// same path, appear vs disappear); captions still name colours, shapes, sizes and the axis of motion.
import { Rng } from '../../../engine/rng.js';
import { sampleClip, renderClip, sampleAttributes, nounPhrase, sentence, EVENT_KINDS, type Clip, type Attr } from '../../../data/scenes/index.js';
import type { VideoTextData, VideoTextSplit, VideoTextTaskId } from './types.js';

export const MINI_VIDEO_TEXT_VERSION = 'vtr-mini-3';
export const MINI_DATA_SEED = 20240607;
export const MINI_FRAMES = 4;
/** Videos per group (one per event kind). */
export const GROUP = EVENT_KINDS.length;

interface SplitSize { videos: number; captions: number }
export const MINI_SIZES: Record<VideoTextTaskId, Record<'train' | 'validation' | 'test', SplitSize>> = {
  'vtr-msrvtt': { train: { videos: 96, captions: 2 }, validation: { videos: 32, captions: 1 }, test: { videos: 64, captions: 1 } },
  'vtr-msvd': { train: { videos: 96, captions: 2 }, validation: { videos: 32, captions: 2 }, test: { videos: 48, captions: 3 } },
};

/** "a small red circle moves up .": the object (size and colour, or one of them) and its event. */
export function videoCaption(clip: Clip, rng: Rng): string {
  const e = clip.events[0];
  const ob = clip.objects.find((o) => o.id === e.objectId)!;
  const u = rng.next();
  const attrs: Attr[] = u < 0.6 ? ['size', 'color'] : u < 0.85 ? ['color'] : ['size'];
  const np = nounPhrase(ob, attrs);
  switch (e.kind) {
    case 'move': return sentence(np, 'moves', e.direction, '.');
    case 'appear': return sentence(np, 'appears', '.');
    case 'disappear': return sentence(np, 'disappears', '.');
    case 'recolor': return sentence(np, 'turns', e.to, '.');
  }
}

export function miniFingerprint(task: VideoTextTaskId): string {
  return `${MINI_VIDEO_TEXT_VERSION}:${task}:seed${MINI_DATA_SEED}:${JSON.stringify(MINI_SIZES[task])}:frames${MINI_FRAMES}`;
}

/** Mini data for a task, frames rendered at `size` px and normalised with `stats` (the checkpoint's). */
export function generateMiniVideoText(task: VideoTextTaskId, size: number, stats: { mean: number[]; std: number[] }): VideoTextData {
  const root = new Rng(MINI_DATA_SEED).fork(task);
  const clips = new Map<string, Float32Array[]>();
  const make = (name: 'train' | 'validation' | 'test'): VideoTextSplit => {
    const rng = root.fork(name);
    const { videos: n, captions: k } = MINI_SIZES[task][name];
    const split: VideoTextSplit = { videos: [], captions: [] };
    let kinds: (typeof EVENT_KINDS)[number][] = [];
    let base = sampleAttributes(rng);
    for (let i = 0; i < n; i++) {
      if (i % GROUP === 0) { kinds = rng.shuffle([...EVENT_KINDS]); base = sampleAttributes(rng); }
      const id = `${name}-${String(i).padStart(4, '0')}`;
      const clip = sampleClip(rng, {
        frames: MINI_FRAMES, minObjects: 1, maxObjects: 1, minEvents: 1, maxEvents: 1, kinds: [kinds[i % GROUP]],
        shapes: [base.shape], colors: [base.color], sizes: [base.size],
      });
      if (clip.events.length !== 1) throw new Error(`mini video-text: clip ${id} came out with ${clip.events.length} events`);
      clips.set(id, renderClip(clip, size).map((f) => normalize(f, stats)));
      split.videos.push(id);
      const texts: string[] = [];
      for (let t = 0; texts.length < k && t < 10 * k; t++) { const c = videoCaption(clip, rng); if (!texts.includes(c) || t >= 5 * k) texts.push(c); }
      for (const text of texts) split.captions.push({ text, video: i });
    }
    return split;
  };
  return { train: make('train'), validation: make('validation'), test: make('test'), frames: { kind: 'mini', clips, size }, files: [] };
}

function normalize(px: Float32Array, s: { mean: number[]; std: number[] }): Float32Array {
  for (let i = 0; i < px.length; i += 3) for (let c = 0; c < 3; c++) px[i + c] = (px[i + c] - s.mean[c]) / s.std[c];
  return px;
}
