// clip-mini: the project's own CLIP (ViT 4 x 64 on 48 px images with 12 px patches, text transformer 4 x 64,
// 64-d joint space), pretrained contrastively on procedural scenes (src/data/scenes) with one generated caption per
// image, and written in the Hugging Face layout (config.json, model.safetensors, preprocessor_config.json) with its
// WordLevel tokenizer over the scene vocabulary (the procedural language + the scene words) and CLIP's
// <|startoftext|> / <|endoftext|>. Deterministic from its seed. The vision tower is also CLIP-ViL's grid encoder.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Rng } from '../../engine/rng.js';
import { sampleScene, renderScene, sceneCaptions, fullCaption, sceneTokenizerVocabulary } from '../../data/scenes/index.js';
import { normalizeInPlace } from '../../data/images/index.js';
import { loadTokenizer } from '../../data/tokenizer/index.js';
import { LANGUAGE_VERSION } from '../../data/language/index.js';
import { clipConfigFromPreset, CLIP_PRESETS } from '../../backbones/clip/config.js';
import { writeClipWordTokenizer } from '../../backbones/clip/tokenizer.js';
import { saveClip } from '../../backbones/clip/checkpoint.js';
import { pretrainClip, type ImageCaptionBatch } from '../../backbones/clip/pretrain.js';
import type { MiniRecipe } from './types.js';

/** Pretraining settings; changing any of them changes the checkpoint (and its hash, hence every run's identity). */
export const CLIP_MINI_RECIPE = {
  version: '1', seed: 0, steps: 300, batchSize: 48, maxLength: 24, lr: 2e-3, warmup: 30, weightDecay: 0.2,
  /** Share of single-object scenes, always with their full caption ("there is a small red circle ."): the
   * attribute-binding signal video frames and VQA need first. */
  singleShare: 0.5,
  /** The other scenes: 2-4 objects, a full caption this often, else one of the generator's caption kinds. */
  scenes: { minObjects: 2, maxObjects: 4 },
  fullCaptionShare: 0.35,
};

/** n scenes rendered at `size` (CLIP-normalised) with one generated caption each (see CLIP_MINI_RECIPE). */
export function sceneCaptionBatch(rng: Rng, n: number, size: number): ImageCaptionBatch {
  const pixels = new Float32Array(n * size * size * 3);
  const captions: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = CLIP_MINI_RECIPE;
    const single = rng.next() < r.singleShare;
    const scene = sampleScene(rng, single ? { minObjects: 1, maxObjects: 1 } : r.scenes);
    pixels.set(normalizeInPlace(renderScene(scene, size), 'clip'), i * size * size * 3);
    captions.push(single || rng.next() < r.fullCaptionShare ? fullCaption(scene, rng) : sceneCaptions(scene, rng, 1)[0]);
  }
  return { pixels, captions };
}

export const CLIP_MINI: MiniRecipe = {
  id: 'clip-mini',
  version: CLIP_MINI_RECIPE.version,
  async build(dir, log) {
    const r = CLIP_MINI_RECIPE;
    const maxPos = CLIP_PRESETS['clip-mini'].text_config.max_position_embeddings as number;
    const { vocabSize } = writeClipWordTokenizer(dir, sceneTokenizerVocabulary(), { modelMaxLength: maxPos });
    const tokenizer = await loadTokenizer(dir);
    if (tokenizer.vocabSize !== vocabSize) throw new Error(`clip-mini: tokenizer reloads with ${tokenizer.vocabSize} ids, wrote ${vocabSize}`);
    const config = clipConfigFromPreset('clip-mini', vocabSize);
    const S = config.vision_config.image_size;
    log(`pretraining clip-mini: contrastive image-caption, ${r.steps} steps of ${r.batchSize} scenes at ${S} px, vocabulary ${vocabSize}, seed ${r.seed}`);
    const res = pretrainClip({
      config, tokenizer, seed: r.seed, steps: r.steps, batchSize: r.batchSize, maxLength: r.maxLength, lr: r.lr,
      warmup: r.warmup, weightDecay: r.weightDecay, sample: (rng, n) => sceneCaptionBatch(rng, n, S), progressEvery: 50,
      onProgress: (p) => log(`  step ${p.step}/${p.steps}  loss ${p.loss.toFixed(3)}  (${p.stepsPerSecond.toFixed(1)} steps/s)`),
    });
    saveClip(dir, res.model);
    const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
    const summary = {
      backbone: 'clip-mini', recipe: r, language: LANGUAGE_VERSION, objective: 'symmetric InfoNCE over image-caption pairs (CLIP), logit_scale learned and clamped to ln 100',
      heldout: { batch: 256, before: res.before, after: res.after }, logitScale: res.model.logitScale(),
      seconds: res.seconds, stepsPerSecond: res.stepsPerSecond,
    };
    writeFileSync(join(dir, 'pretraining.json'), `${JSON.stringify(summary, null, 2)}\n`);
    log(`clip-mini: held-out R@1 within 256 (image->text / text->image) ${pct(res.before.imageToText)} / ${pct(res.before.textToImage)} -> ${pct(res.after.imageToText)} / ${pct(res.after.textToImage)} in ${res.seconds.toFixed(0)} s`);
    res.model.dispose();
  },
};
