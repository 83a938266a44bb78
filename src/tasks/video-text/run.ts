// A CLIP4Clip run: load CLIP (Hugging Face layout) and its tokenizer, the data (mini clips or real frame folders),
// put the method on CLIP, and train meanP with the symmetric InfoNCE loss; evaluate text-to-video and video-to-text
// retrieval on whole splits (every caption against every video).
// Settings: max_frames 12 and max_words 32 as CLIP4Clip's scripts on real data; 4 frames on mini data; the caption
// length never exceeds the text tower's max_position_embeddings.
import { tf } from '../../engine/tf.js';
import type { FamilyBuildArgs } from '../family.js';
import type { TaskRun } from '../types.js';
import { loadClipTokenizer } from '../../backbones/clip/tokenizer.js';
import { loadClip, readClipImageStats } from '../../backbones/clip/checkpoint.js';
import { checkpointHash } from '../../backbones/hf/config.js';
import { getTask, getMethod } from '../../registry/index.js';
import { InputError } from '../../util/errors.js';
import { asVideoTextTask, loadVideoText, videoTextFingerprint, miniFrameStore, folderFrameStore, MINI_FRAMES, type FrameStore, type VideoTextSplit } from './data/index.js';
import { videoInput, textInput, disposeVideoTextBatch, shuffledFullBatches, chunks, type VideoTextBatch } from './batches.js';
import { VideoTextModel } from './model.js';
import { applyClipMethod } from './methods.js';
import { retrievalMetrics } from './metrics.js';

/** CLIP4Clip's script settings (reference §5.2). */
export const CLIP4CLIP_MAX_FRAMES = 12;
export const CLIP4CLIP_MAX_WORDS = 32;

export interface VideoTextRunOptions {
  /** Progress lines while real frames are decoded. */
  log?: (line: string) => void;
}

export async function buildVideoTextRun({ spec, backboneDir, rng }: FamilyBuildArgs, opts: VideoTextRunOptions = {}): Promise<TaskRun<VideoTextBatch>> {
  const task = asVideoTextTask(spec.task);
  const tok = await loadClipTokenizer(backboneDir);
  const { model: clip, config } = loadClip(backboneDir, { seed: spec.seed });
  try {
    if (tok.vocabSize > config.text_config.vocab_size) {
      throw new InputError(`${backboneDir}: tokenizer.json has ${tok.vocabSize} ids but config.json's text_config.vocab_size is ${config.text_config.vocab_size}`);
    }
    const S = config.vision_config.image_size;
    const stats = readClipImageStats(backboneDir);
    const data = loadVideoText(task, spec.data, S, stats);
    const maxWords = Math.min(CLIP4CLIP_MAX_WORDS, config.text_config.max_position_embeddings);
    let frames: FrameStore;
    if (data.frames.kind === 'mini') frames = miniFrameStore(data.frames.clips, S, MINI_FRAMES);
    else {
      const ids = new Set([...data.train.videos, ...data.validation.videos, ...data.test.videos]);
      opts.log?.(`decoding ${CLIP4CLIP_MAX_FRAMES} frames of each of ${ids.size} videos at ${S} px ...`);
      frames = await folderFrameStore(data.frames.root, ids, S, CLIP4CLIP_MAX_FRAMES, stats, opts.log);
    }
    let pairs = data.train.captions;
    if (spec.train.maxTrainExamples && spec.train.maxTrainExamples < pairs.length) {
      const keep = rng.fork('subset').shuffle(pairs.map((_, i) => i)).slice(0, spec.train.maxTrainExamples).sort((a, b) => a - b);
      pairs = keep.map((i) => pairs[i]);
    }
    const B = spec.train.batchSize;
    if (B < 2) throw new InputError(`train.batchSize ${B}: the contrastive loss needs at least 2 pairs per batch`);
    if (pairs.length < B) throw new InputError(`${pairs.length} training pairs cannot fill one batch of ${B}; lower train.batchSize`);
    const method = applyClipMethod(spec.method.id, spec.method.config, clip, rng.fork('method'));
    const model = new VideoTextModel(clip, method);
    const evalB = spec.train.evalBatchSize ?? Math.max(B, 64);
    const train = data.train;
    const splits: Record<'validation' | 'test', VideoTextSplit> = { validation: data.validation, test: data.test };

    return {
      model,
      metricDefs: getTask(task).metrics,
      trainSize: pairs.length,
      stepsPerEpoch: Math.max(1, Math.floor(pairs.length / B)),
      *trainBatches(_epoch, r) {
        for (const rows of shuffledFullBatches(pairs.length, B, r)) {
          const ps = rows.map((i) => pairs[i]);
          const v = videoInput(frames, ps.map((p) => train.videos[p.video]));
          const t = textInput(tok, ps.map((p) => p.text), maxWords);
          yield { size: ps.length, ...v, ...t };
        }
      },
      disposeBatch: disposeVideoTextBatch,
      async evaluate(split) {
        const s = splits[split];
        const ctx = { training: false, rng: rng.fork('eval') };
        const E = clip.embedDim;
        const vids = new Float32Array(s.videos.length * E);
        for (const rows of chunks(s.videos.length, evalB)) {
          const v = videoInput(frames, rows.map((i) => s.videos[i]));
          const e = tf.tidy(() => model.videoEmbedding(v, null, ctx));
          vids.set(await e.data(), rows[0] * E);
          tf.dispose([e, v.pixels, v.frameMask]);
        }
        const caps = new Float32Array(s.captions.length * E);
        for (const rows of chunks(s.captions.length, evalB)) {
          const t = textInput(tok, rows.map((i) => s.captions[i].text), maxWords);
          const e = tf.tidy(() => model.textEmbedding(t, null, ctx));
          caps.set(await e.data(), rows[0] * E);
          tf.dispose([e, t.ids, t.mask]);
        }
        const sim = tf.tidy(() => tf.matMul(tf.tensor2d(caps, [s.captions.length, E]), tf.transpose(tf.tensor2d(vids, [s.videos.length, E]))));
        const simData = await sim.data();
        sim.dispose();
        return retrievalMetrics(simData, s.captions.length, s.videos.length, s.captions.map((c) => c.video));
      },
      versions: {
        task: `${task}@${getTask(task).version}`,
        method: `${spec.method.id}@${getMethod(spec.method.id).version}`,
        data: videoTextFingerprint(task, spec.data),
        checkpoint: checkpointHash(backboneDir),
      },
      dispose() { model.dispose(); },
    };
  } catch (e) {
    clip.dispose();
    throw e;
  }
}
