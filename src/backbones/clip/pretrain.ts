// Contrastive image-caption pretraining of a CLIP from scratch, deterministic from a seed (CLIP's objective):
// L2-normalised image and text embeddings, logits = exp(logit_scale) * text · imageᵀ, symmetric InfoNCE over the
// batch; logit_scale trains and is clamped to ln(100) as CLIP does; AdamW with linear warm-up and cosine decay,
// weight decay on matrices only. Held-out retrieval (image -> caption and caption -> image R@1 within a fixed
// batch) is reported before and after, so the recipe's log shows what pretraining bought.
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import type { ForwardCtx } from '../../nn/module.js';
import { AdamW, type ParamGroup } from '../../train/optim.js';
import type { TextTokenizer } from '../../data/tokenizer/index.js';
import { ClipModel } from './model.js';
import type { ClipConfig } from './config.js';
import { encodeClipText } from './tokenizer.js';
import { l2normalize, symmetricInfoNce } from './contrastive.js';

/** A batch of images with one caption each. */
export interface ImageCaptionBatch {
  /** [n, S, S, 3] normalised pixels, row-major NHWC. */
  pixels: Float32Array;
  captions: string[];
}

export interface ClipPretrainOptions {
  config: ClipConfig;
  tokenizer: TextTokenizer;
  seed: number;
  steps: number;
  batchSize: number;
  /** Caption length in tokens (specials included). */
  maxLength: number;
  lr: number;
  warmup: number;
  weightDecay?: number;
  clipNorm?: number;
  /** Draws n image-caption pairs; all randomness from `rng`. */
  sample(rng: Rng, n: number): ImageCaptionBatch;
  /** Size of the fixed held-out batch for the R@1 figures (default 256). */
  evalSize?: number;
  onProgress?: (p: { step: number; steps: number; loss: number; lr: number; stepsPerSecond: number }) => void;
  progressEvery?: number;
}

export interface ClipPretrainResult {
  model: ClipModel;
  losses: number[];
  before: HeldoutRetrieval;
  after: HeldoutRetrieval;
  seconds: number;
  stepsPerSecond: number;
}

export interface HeldoutRetrieval { imageToText: number; textToImage: number; loss: number }

const MAX_LOGIT_SCALE = Math.log(100);

function lrAtStep(step: number, steps: number, lr: number, warmup: number): number {
  if (step < warmup) return (lr * (step + 1)) / warmup;
  const p = (step - warmup) / Math.max(1, steps - warmup);
  return 0.5 * lr * (1 + Math.cos(Math.PI * Math.min(1, p)));
}

/** Image and caption tensors of a batch. */
function batchTensors(model: ClipModel, tok: TextTokenizer, b: ImageCaptionBatch, maxLength: number) {
  const S = model.imageSize, n = b.captions.length;
  if (b.pixels.length !== n * S * S * 3) throw new Error(`pretrainClip: ${b.pixels.length} pixel values for ${n} images of ${S}x${S}x3`);
  const enc = encodeClipText(tok, b.captions, maxLength, 'longest');
  return {
    pixels: tf.tensor4d(b.pixels, [n, S, S, 3]),
    ids: tf.tensor2d(enc.ids, enc.shape, 'int32'),
    mask: tf.tensor2d(enc.mask, enc.shape, 'int32'),
    eot: enc.eot,
  };
}

/** Logit-scaled text x image similarities [n, n] (row = caption). */
export function clipLogits(model: ClipModel, t: ReturnType<typeof batchTensors>, ctx: ForwardCtx): Tensor {
  const img = model.encodeImage(t.pixels, ctx);
  const txt = model.encodeText({ ids: t.ids, mask: t.mask, eot: t.eot }, ctx);
  const iv = l2normalize(img.embedding), tv = l2normalize(txt.embedding);
  tf.dispose([...img.hiddenStates, ...txt.hiddenStates, txt.mask]);
  return tf.mul(tf.matMul(tv, tf.transpose(iv)), tf.exp(model.logit_scale.value));
}

function heldout(model: ClipModel, tok: TextTokenizer, b: ImageCaptionBatch, maxLength: number): HeldoutRetrieval {
  const ctx: ForwardCtx = { training: false, rng: new Rng(0) };
  return tf.tidy(() => {
    const t = batchTensors(model, tok, b, maxLength);
    const logits = clipLogits(model, t, ctx);
    const n = b.captions.length;
    const r1 = (m: Tensor) => {
      const arg = tf.argMax(m, 1).dataSync();
      let hit = 0;
      for (let i = 0; i < n; i++) if (arg[i] === i) hit++;
      return hit / n;
    };
    return { textToImage: r1(logits), imageToText: r1(tf.transpose(logits)), loss: symmetricInfoNce(logits).dataSync()[0] };
  });
}

export function pretrainClip(o: ClipPretrainOptions): ClipPretrainResult {
  const t0 = performance.now();
  const model = new ClipModel(o.config, o.seed);
  model.setTrainable(true);
  const rng = new Rng(o.seed);
  const dataRng = rng.fork('clip-pretrain-data');
  const evalBatch = o.sample(rng.fork('clip-pretrain-heldout'), o.evalSize ?? 256);
  const before = heldout(model, o.tokenizer, evalBatch, o.maxLength);
  const params = model.parameters();
  // CLIP decays only the weight matrices (not biases, norms, embeddings or the temperature)
  const decay = params.filter((p) => p.role === 'weight' && p.shape.length >= 2);
  const rest = params.filter((p) => !decay.includes(p));
  const groups: ParamGroup[] = [{ params: decay, weightDecay: o.weightDecay ?? 0.2 }, { params: rest, weightDecay: 0 }];
  const opt = new AdamW(groups, { lr: o.lr, beta1: 0.9, beta2: 0.98, eps: 1e-6, clipNorm: o.clipNorm ?? 1 });
  const ctx: ForwardCtx = { training: true, rng: rng.fork('dropout') };
  const losses: number[] = [];
  let timed = 0, timedMs = 0;
  for (let step = 0; step < o.steps; step++) {
    const s0 = performance.now();
    opt.lr = lrAtStep(step, o.steps, o.lr, o.warmup);
    const b = o.sample(dataRng, o.batchSize);
    const t = batchTensors(model, o.tokenizer, b, o.maxLength);
    const { value, grads } = tf.variableGrads(() => symmetricInfoNce(clipLogits(model, t, ctx)) as tf.Scalar, params.map((p) => p.variable));
    const loss = value.dataSync()[0];
    if (!Number.isFinite(loss)) throw new Error(`pretrainClip: loss became ${loss} at step ${step}`);
    opt.apply(grads);
    tf.dispose([value, ...Object.values(grads), t.pixels, t.ids, t.mask]);
    tf.tidy(() => model.logit_scale.assign(tf.clipByValue(model.logit_scale.value, 0, MAX_LOGIT_SCALE)));
    losses.push(loss);
    if (step > 0) { timed++; timedMs += performance.now() - s0; }
    const every = o.progressEvery ?? 10;
    if (o.onProgress && ((step + 1) % every === 0 || step + 1 === o.steps)) {
      o.onProgress({ step: step + 1, steps: o.steps, loss, lr: opt.lr, stepsPerSecond: timed ? (1000 * timed) / timedMs : 0 });
    }
  }
  opt.dispose();
  const after = heldout(model, o.tokenizer, evalBatch, o.maxLength);
  return { model, losses, before, after, seconds: (performance.now() - t0) / 1000, stepsPerSecond: timed ? (1000 * timed) / timedMs : 0 };
}
