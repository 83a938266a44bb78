// mdetr-mini: the project's own MDETR, pretrained by modulated detection (MDETR's pre-training objective: ground
// every phrase of a caption to its boxes) on procedural scenes, and written in the Hugging Face layout (config.json
// with backbone_config and text_config, model.safetensors, the scene tokenizer). Deterministic from its seed.
//   - CNN: cnn-mini (the shared mini ResNeXt, pretrained by scene tagging: MDETR starts from an ImageNet ResNet-101),
//     first trained further on the grounding scenes to name each object's shape, colour and size from its cell of the
//     stage MDETR reads (mdetr-mini-cnn.ts: cnn-mini's tagging leaves shapes unreadable there), then frozen with
//     running statistics here and in every fine-tuning method; MDETR reads its last stage, output stride 16: 3 x 3
//     tokens at 48 px. Frozen, its features are computed once per pool image.
//   - Text encoder: text-mini (a BERT-style encoder, 4 x 64; MDETR uses RoBERTa-base), its word table grown by the
//     scene words (rows drawn at the scale of text-mini's trained rows, see initTextFromTextMini). Trained at half the
//     learning rate, as MDETR does (recipe v2 kept it frozen to save a third of a step, and the model learned to
//     ignore the expression).
//   - Transformer: d 64, 4 heads, 3 + 3 layers, FFN 128, 5 queries (scenes hold at most 4 objects); 31 text positions
//     + no-object in the class head; contrastive align with 32-d projections.
// Loss: MDETR's criterion (soft-token CE, L1, GIoU, contrastive align, auxiliary decoder outputs) at a learning rate
// 20x DETR's and batch 64 (set prediction learns far faster per step with larger batches; the budget is minutes).
// Data, over a fixed pool of rendered scenes (one to four objects, 1.5x the shared scenes' size:
// src/tasks/grounding/data/scenes.ts), fresh captions every step:
//   - captions naming one to three objects, every phrase grounded to its boxes (mini-detection.ts);
//   - after the first 30% of the steps, three items in four are referring expressions grounded to their referent only
//     (the three styles; MDETR's pre-training data holds the RefCOCO/+/g training expressions), on the same scenes.
// The criterion's "no object" weight is 0.5 instead of MDETR's 0.1 (see MDETR_MINI_RECIPE.eosCoef).
// Held-out checks, before and after: phrase grounding (the first phrase of fresh captions on held-out scenes, the
// query chosen by its probability on the phrase's tokens, as MDETR's phrase-grounding evaluation does) and
// referring expressions (mini RefCOCO val, zero-shot, scored as RefExpEvaluator: 1 - P(no object)).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { renderScene, writeSceneTokenizer, type Scene } from '../../data/scenes/index.js';
import { normalizeInPlace } from '../../data/images/index.js';
import { loadTokenizer, type TextTokenizer } from '../../data/tokenizer/index.js';
import { LANGUAGE_VERSION } from '../../data/language/index.js';
import { loadTextEncoder } from '../../backbones/text/checkpoint.js';
import { MdetrConfigSchema, type MdetrConfig } from '../../backbones/mdetr/config.js';
import { MdetrModel } from '../../backbones/mdetr/model.js';
import { saveMdetr } from '../../backbones/mdetr/checkpoint.js';
import { groundingLoss, MDETR_LOSS_WEIGHTS } from '../../tasks/grounding/criterion.js';
import { makeBatch, disposeBatch, type BatchContext, type FeatureCache } from '../../tasks/grounding/batches.js';
import { computeFeatureCache } from '../../tasks/grounding/features.js';
import { loadResNet } from '../../backbones/cnn/index.js';
import { detectionItem } from '../../tasks/grounding/data/mini-detection.js';
import { packedImages, type GroundingItem, type GroundingSplit } from '../../tasks/grounding/data/types.js';
import { MINI_REFEXP, miniRefexpData, refexpItems } from '../../tasks/grounding/data/mini.js';
import { sampleGroundingScene } from '../../tasks/grounding/data/scenes.js';
import { GROUNDING_DATA_SEED } from '../../tasks/grounding/data/index.js';
import { precisionAtK, queryScores } from '../../tasks/grounding/metrics.js';
import { cxcywhToXyxy, type Box } from '../../tasks/grounding/boxes.js';
import { AdamW } from '../optim.js';
import type { MiniRecipe } from './types.js';
import { trainMdetrCnnOnObjects, type CnnStageRecipe, type CnnStageResult } from './mdetr-mini-cnn.js';

/** Pretraining settings; changing any of them changes the checkpoint (and its hash, hence every run's identity). */
export const MDETR_MINI_RECIPE = {
  version: '4', seed: 0, steps: 2000, batchSize: 64, lr: 2e-3, warmup: 50, weightDecay: 1e-4, clipNorm: 0.1,
  /**
   * The text encoder trains at this share of lr (MDETR: text_encoder_lr 5e-5 at lr 1e-4). Frozen (v2), the scene
   * words' fresh rows went through text-mini's frozen layers and the model ignored the expression: on mini RefCOCO val
   * every expression of an image got the same objectness, so P@1 was a random object's.
   */
  textLrScale: 0.5,
  /** Rendered scenes the captions are drawn over (fresh captions every step). */
  pool: 1200,
  scenes: { minObjects: 1, maxObjects: 4, scale: 1.5 },
  /** From this share of the steps on, each caption is a referring expression with this probability. */
  refexp: { from: 0.3, share: 0.75 },
  /**
   * The "no object" class weight of the criterion (MDETR: 0.1, for 100 queries that are nearly all empty). With 5
   * queries, most of them on an object of the scene, the queries on the objects the caption does not name are the
   * negatives the ranking (1 - P(no object)) has to learn; at 0.1 they weigh a tenth of the target.
   */
  eosCoef: 0.5,
  /** Held-out scenes (phrase grounding check). */
  heldout: 200,
  /**
   * Before modulated detection, the CNN copy (from cnn-mini) trains on per-object shape / colour / size naming at the
   * object's cell of the stage MDETR reads, on fresh scenes (mdetr-mini-cnn.ts); then it is frozen. Recipe v3 used
   * cnn-mini as is: shapes unreadable there (probe ~20%) and every method at the random-object level (issue #6).
   */
  cnn: { probeSteps: 150, steps: 600, batchSize: 64, lr: 3e-3, weightDecay: 1e-4, clipNorm: 1, heldout: 300 } satisfies CnnStageRecipe,
};

/** The mini architecture (text_config is text-mini's with the scene vocabulary). */
export function mdetrMiniConfig(textConfig: Record<string, unknown>, backboneConfig: Record<string, unknown>): MdetrConfig {
  return MdetrConfigSchema.parse({
    model_type: 'mdetr', d_model: 64, nheads: 4, enc_layers: 3, dec_layers: 3, dim_feedforward: 128, dropout: 0.1,
    num_queries: 5, num_classes: 31, position_embedding: 'sine', contrastive_align_loss: true, contrastive_hdim: 32,
    image_size: MINI_REFEXP.imageSize,
    backbone_config: backboneConfig,
    text_config: textConfig,
  });
}

/**
 * Copies text-mini's weights into the model's text encoder. Word rows beyond text-mini's vocabulary (the scene words:
 * shapes, sizes, relations) are drawn N(0, s²) with s the standard deviation of text-mini's trained word table, so
 * they enter the embedding LayerNorm at the scale of the words around them (at BERT's N(0, 0.02²) init they are a
 * third of a trained row's norm, and the position embedding drowns them). Deterministic from `seed`.
 */
export function initTextFromTextMini(model: MdetrModel, textMiniDir: string, seed = 0): void {
  const { encoder: src } = loadTextEncoder(textMiniDir, { seed: 0, mlmHead: false });
  try {
    const dst = model.textEncoder;
    for (const [name, p] of src.namedParameters()) {
      const q = dst.getParam(name);
      if (name === 'embeddings.word_embeddings.weight') {
        const [V, H] = p.shape;
        const total = q.shape[0];
        if (V > total) throw new Error(`mdetr-mini: text-mini has ${V} word rows, more than the scene vocabulary's ${total}`);
        const trained = p.value.dataSync() as Float32Array;
        let mean = 0, sq = 0;
        for (const v of trained) { mean += v; sq += v * v; }
        mean /= trained.length;
        const std = Math.sqrt(Math.max(0, sq / trained.length - mean * mean));
        const rng = new Rng(seed).fork('scene-word-rows');
        const fresh = new Float32Array((total - V) * H);
        for (let i = 0; i < fresh.length; i++) fresh[i] = std * rng.normal();
        tf.tidy(() => q.assign(tf.concat([p.value, tf.tensor2d(fresh, [total - V, H])], 0)));
      } else q.assign(p.value);
    }
  } finally { src.dispose(); }
}

function renderPool(scenes: Scene[], S: number): GroundingSplit['images'] {
  const px = new Float32Array(scenes.length * S * S * 3);
  scenes.forEach((s, i) => px.set(normalizeInPlace(renderScene(s, S), 'imagenet'), i * S * S * 3));
  return packedImages(px, S);
}

const REFEXP_STYLES = ['refcoco', 'refcoco+', 'refcocog'] as const;

/** One item per row: a referring expression with probability `refexpShare`, else a multi-phrase caption. */
function captionsFor(scenes: Scene[], rows: number[], rng: Rng, S: number, refexpShare = 0): GroundingItem[] {
  const items: GroundingItem[] = [];
  for (const i of rows) {
    if (refexpShare > 0 && rng.next() < refexpShare) {
      const [it] = refexpItems(scenes[i], rng, 1, REFEXP_STYLES[rng.int(REFEXP_STYLES.length)], S, i);
      if (it) { items.push(it); continue; }
    }
    let it: GroundingItem | null = null;
    for (let t = 0; t < 5 && !it; t++) it = detectionItem(scenes[i], rng, S, i);
    if (it) items.push(it);
  }
  return items;
}

export interface HeldoutChecks {
  /** Phrase grounding: the first phrase of each held-out caption, the query with the most probability on its tokens. */
  phrase: number;
  /** Referring expressions: mini RefCOCO val, zero-shot, Precision@1 as RefExpEvaluator scores it. */
  refexp: number;
}

export interface MdetrPretrainResult {
  model: MdetrModel;
  seconds: number;
  stepsPerSecond: number;
  before: HeldoutChecks;
  after: HeldoutChecks;
  finalLoss: number;
  /** The CNN stage (absent when the model has no cnn-mini to start from). */
  cnn: CnnStageResult | null;
}

/** The final decoder output's softmax probabilities [B, Q, C] and boxes [B, Q, 4] of a batch (eval mode). */
function finalOutputs(model: MdetrModel, b: ReturnType<typeof makeBatch>): { probs: Float32Array; boxes: Float32Array } {
  const ctx = { training: false, rng: new Rng(0) };
  const [p, x] = tf.tidy(() => {
    const enc = model.encode(b.features!, null, { ids: b.ids, mask: b.mask }, ctx);
    const dec = model.decode(enc, ctx);
    const last = model.heads.forward(model.transformer.decoder.norm.forward(dec[dec.length - 1]), ctx);
    return [tf.softmax(last.logits), last.boxes];
  });
  const out = { probs: p.dataSync() as Float32Array, boxes: x.dataSync() as Float32Array };
  tf.dispose([p, x]);
  return out;
}

/**
 * Precision@1 (GIoU >= 0.5) on a split, each item's queries scored by `phraseScores` (MDETR's phrase grounding: the
 * probability mass on the first target's tokens) or by 1 - P(no object) (its RefExpEvaluator).
 */
export function heldoutPrecision(model: MdetrModel, split: GroundingSplit, c: BatchContext, cache: FeatureCache, scoring: 'phrase' | 'object'): number {
  const preds: { scores: Float32Array; boxes: Box[] }[] = [];
  const targets: Box[] = [];
  const Q = model.numQueries, C = c.numClasses + 1;
  for (let i = 0; i < split.items.length; i += 64) {
    const rows = Array.from({ length: Math.min(64, split.items.length - i) }, (_, k) => i + k);
    const b = makeBatch(split, rows, c, cache);
    const { probs, boxes } = finalOutputs(model, b);
    rows.forEach((r, k) => {
      const it = split.items[r];
      const scores = queryScores(probs.subarray(k * Q * C, (k + 1) * Q * C), Q, scoring === 'object' ? 'object' : 'phrase', b.targets[k].positiveMap.subarray(0, C));
      const box = (q: number): Box => {
        const o = (k * Q + q) * 4;
        const [x0, y0, x1, y1] = cxcywhToXyxy([boxes[o], boxes[o + 1], boxes[o + 2], boxes[o + 3]]);
        return [x0 * it.width, y0 * it.height, x1 * it.width, y1 * it.height];
      };
      preds.push({ scores, boxes: Array.from({ length: Q }, (_, q) => box(q)) });
      targets.push(it.evalBox);
    });
    disposeBatch(b);
  }
  return precisionAtK(preds, targets, [1])[1];
}

const fmtAcc = (a: CnnStageResult['before']): string => `${a.shape.toFixed(1)} / ${a.color.toFixed(1)} / ${a.size.toFixed(1)}%`;

/** Copies a ResNet's weights (running statistics included) into the model's CNN. */
export function initCnnFrom(model: MdetrModel, cnnDir: string): void {
  const { model: src } = loadResNet(cnnDir, { seed: 0 });
  try {
    for (const [name, p] of src.namedParameters()) model.backbone.getParam(name).assign(p.value);
  } finally { src.dispose(); }
}

export async function pretrainMdetrMini(o: { tok: TextTokenizer; config: MdetrConfig; textMiniDir: string | null; cnnDir: string | null; log?: (l: string) => void; steps?: number; recipe?: typeof MDETR_MINI_RECIPE }): Promise<MdetrPretrainResult> {
  const r = o.recipe ?? MDETR_MINI_RECIPE, log = o.log ?? (() => {});
  const S = o.config.image_size, steps = o.steps ?? r.steps;
  if (S !== MINI_REFEXP.imageSize) throw new Error(`mdetr-mini: the mini scenes are rendered at ${MINI_REFEXP.imageSize} px, the config says image_size ${S}`);
  const rng = new Rng(r.seed);
  const model = new MdetrModel(o.config, r.seed);
  if (o.textMiniDir) initTextFromTextMini(model, o.textMiniDir, r.seed);
  if (o.cnnDir) initCnnFrom(model, o.cnnDir);
  const cnn = o.cnnDir ? trainMdetrCnnOnObjects(model, r.cnn, r.scenes, rng.fork('cnn-stage'), log) : null;
  if (cnn) log(`  CNN stage: held-out object shape / colour / size ${fmtAcc(cnn.before)} (linear probe) -> ${fmtAcc(cnn.after)} in ${cnn.seconds.toFixed(0)} s`);
  // the CNN stays frozen (see the header); the rest trains, the text encoder at recipe.textLrScale x lr
  model.setTrainable(true);
  model.backbone.setTrainable(false);
  const textParams = new Set(model.textEncoder.parameters());
  const c: BatchContext = { tok: o.tok, maxLength: Math.min(o.config.num_classes + 1, model.textEncoder.maxLength), numClasses: o.config.num_classes };
  const dataRng = rng.fork('data');
  const scenes = Array.from({ length: r.pool }, () => sampleGroundingScene(dataRng, r.scenes));
  const pool = renderPool(scenes, S);
  const poolFeatures = computeFeatureCache(model, pool);
  const heldScenes = Array.from({ length: r.heldout }, () => sampleGroundingScene(dataRng, r.scenes));
  const heldImages = renderPool(heldScenes, S);
  const held: GroundingSplit = { name: 'heldout', images: heldImages, items: captionsFor(heldScenes, heldScenes.map((_, i) => i), dataRng.fork('held'), S) };
  const heldFeatures = computeFeatureCache(model, heldImages);
  const refVal = miniRefexpData('refcoco', GROUNDING_DATA_SEED).evals[0];
  const refFeatures = computeFeatureCache(model, refVal.images);
  const checks = (): HeldoutChecks => ({
    phrase: heldoutPrecision(model, held, c, heldFeatures, 'phrase'),
    refexp: heldoutPrecision(model, refVal, c, refFeatures, 'object'),
  });
  const before = checks();
  const params = model.parameters().filter((p) => p.trainable);
  const opt = new AdamW([
    { params: params.filter((p) => !textParams.has(p)) },
    { params: params.filter((p) => textParams.has(p)), lrScale: r.textLrScale },
  ], { lr: r.lr, weightDecay: r.weightDecay, clipNorm: r.clipNorm });
  const ctx = { training: true, rng: rng.fork('dropout') };
  const weights = { ...MDETR_LOSS_WEIGHTS, eosCoef: r.eosCoef };
  const t0 = performance.now();
  let loss = NaN;
  for (let step = 0; step < steps; step++) {
    opt.lr = step < r.warmup ? (r.lr * (step + 1)) / r.warmup : r.lr * (1 - (step - r.warmup) / Math.max(1, steps - r.warmup));
    const rows = Array.from({ length: r.batchSize }, () => dataRng.int(scenes.length));
    const share = step >= r.refexp.from * steps ? r.refexp.share : 0;
    const split: GroundingSplit = { name: 'pretrain', images: pool, items: captionsFor(scenes, rows, dataRng, S, share) };
    const b = makeBatch(split, split.items.map((_, i) => i), c, poolFeatures);
    const { value, grads } = tf.variableGrads(() => {
      const enc = model.encode(b.features!, null, { ids: b.ids, mask: b.mask }, ctx);
      const hs = model.normedDecoderOutputs(model.decode(enc, ctx));
      return groundingLoss({ layers: model.headOutputs(hs, ctx), projTokens: model.heads.projectTokens(model.textMemory(enc), ctx), textMask: b.mask, targets: b.targets }, weights) as tf.Scalar;
    }, params.map((p) => p.variable));
    loss = value.dataSync()[0];
    if (!Number.isFinite(loss)) throw new Error(`mdetr-mini pretraining diverged at step ${step} (loss ${loss})`);
    opt.apply(grads);
    tf.dispose([value, ...Object.values(grads) as Tensor[]]);
    disposeBatch(b);
    if ((step + 1) % 100 === 0 || step === 0) log(`  step ${step + 1}/${steps}  loss ${loss.toFixed(3)}  (${((step + 1) / ((performance.now() - t0) / 1000)).toFixed(2)} steps/s)`);
  }
  const seconds = (performance.now() - t0) / 1000;
  opt.dispose();
  const after = checks();
  return { model, seconds, stepsPerSecond: steps / seconds, before, after, finalLoss: loss, cnn };
}

/** The CNN config of a ResNet folder, as the nested backbone_config. */
function readResNetConfig(dir: string): Record<string, unknown> {
  const { model } = loadResNet(dir, { seed: 0 });
  const c = { ...model.config } as Record<string, unknown>;
  model.dispose();
  return c;
}

export const MDETR_MINI: MiniRecipe = {
  id: 'mdetr-mini',
  version: MDETR_MINI_RECIPE.version,
  async build(dir, log) {
    const { pretrainBackbone } = await import('../pretrain.js');
    const textMiniDir = await pretrainBackbone('text-mini', { log });
    const cnnDir = await pretrainBackbone('cnn-mini', { log });
    const { encoder: tm } = loadTextEncoder(textMiniDir, { seed: 0, mlmHead: false });
    const textConfig = { ...tm.config };
    tm.dispose();
    const { vocabSize } = writeSceneTokenizer(dir, { modelMaxLength: textConfig.max_position_embeddings });
    const tok = await loadTokenizer(dir);
    const config = mdetrMiniConfig({ ...textConfig, vocab_size: Math.max(vocabSize, tok.vocabSize) }, readResNetConfig(cnnDir));
    const r = MDETR_MINI_RECIPE;
    log(`pretraining mdetr-mini: modulated detection on procedural scenes, ${r.steps} steps of ${r.batchSize} captions over ${r.pool} scenes at ${config.image_size} px, CNN from cnn-mini (${r.cnn.steps} steps of per-object attribute naming on grounding scenes, then frozen), text encoder from text-mini at ${r.textLrScale} x lr, seed ${r.seed}`);
    const res = await pretrainMdetrMini({ tok, config, textMiniDir, cnnDir, log });
    saveMdetr(dir, res.model);
    const summary = {
      backbone: 'mdetr-mini', recipe: r, language: LANGUAGE_VERSION,
      objective: 'modulated detection: every phrase of a scene caption grounded to its boxes, plus (after 30% of the steps) referring expressions grounded to their referent for recipe.refexp.share of the items (MDETR criterion: soft-token CE, L1, GIoU, contrastive align, auxiliary outputs, "no object" weight recipe.eosCoef); the CNN trained first on per-object attribute naming (cnnStage)',
      heldout: {
        phrase: { metric: 'Precision@1 (GIoU >= 0.5) of the first phrase of captions on held-out scenes, the query with the most probability on its tokens', before: res.before.phrase, after: res.after.phrase },
        refexp: { metric: 'Precision@1 (GIoU >= 0.5) on mini RefCOCO val, zero-shot, scored by 1 - P(no object)', before: res.before.refexp, after: res.after.refexp },
      },
      cnnStage: res.cnn && { metric: 'held-out object attribute accuracy (%) at the object centre cell of the CNN stage MDETR reads: linear probe on cnn-mini (before), CNN + heads trained (after)', ...res.cnn },
      finalLoss: res.finalLoss, seconds: res.seconds, stepsPerSecond: res.stepsPerSecond,
    };
    writeFileSync(join(dir, 'pretraining.json'), `${JSON.stringify(summary, null, 2)}\n`);
    log(`mdetr-mini: held-out Precision@1, phrase grounding ${res.before.phrase.toFixed(1)}% -> ${res.after.phrase.toFixed(1)}%, mini RefCOCO val (zero-shot) ${res.before.refexp.toFixed(1)}% -> ${res.after.refexp.toFixed(1)}%, in ${res.seconds.toFixed(0)} s`);
    res.model.dispose();
  },
};
