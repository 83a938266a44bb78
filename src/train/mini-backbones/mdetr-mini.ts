// mdetr-mini: the project's own MDETR, pretrained by modulated detection (MDETR's pre-training objective: ground
// every phrase of a caption to its boxes) on procedural scenes, and written in the Hugging Face layout (config.json
// with backbone_config and text_config, model.safetensors, the scene tokenizer). Deterministic from its seed.
//   - CNN: cnn-mini (the shared mini ResNeXt, pretrained by scene tagging: MDETR starts from an ImageNet ResNet-101),
//     frozen with running statistics here and in every fine-tuning method; output stride 8: 6 x 6 tokens at 48 px.
//     Frozen, its features are computed once per pool image.
//   - Text encoder: text-mini (a BERT-style encoder, 4 x 64; MDETR uses RoBERTa-base), its word table grown by the
//     scene words (rows N(0, 0.02)); trained with the rest.
//   - Transformer: d 64, 4 heads, 4 + 4 layers, FFN 128, 10 queries; 31 text positions + no-object in the class head;
//     contrastive align with 32-d projections. Everything but the CNN trains.
// Loss: MDETR's criterion (soft-token CE, L1, GIoU, contrastive align, auxiliary decoder outputs). Captions from
// src/tasks/grounding/data/mini-detection.ts over a fixed pool of rendered scenes.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { sampleScene, renderScene, writeSceneTokenizer, type Scene } from '../../data/scenes/index.js';
import { normalizeInPlace } from '../../data/images/index.js';
import { loadTokenizer, type TextTokenizer } from '../../data/tokenizer/index.js';
import { LANGUAGE_VERSION } from '../../data/language/index.js';
import { loadTextEncoder } from '../../backbones/text/checkpoint.js';
import { MdetrConfigSchema, type MdetrConfig } from '../../backbones/mdetr/config.js';
import { MdetrModel } from '../../backbones/mdetr/model.js';
import { saveMdetr } from '../../backbones/mdetr/checkpoint.js';
import { groundingLoss } from '../../tasks/grounding/criterion.js';
import { makeBatch, disposeBatch, type BatchContext, type FeatureCache } from '../../tasks/grounding/batches.js';
import { computeFeatureCache } from '../../tasks/grounding/features.js';
import { loadResNet } from '../../backbones/cnn/index.js';
import { detectionItem } from '../../tasks/grounding/data/mini-detection.js';
import { packedImages, type GroundingItem, type GroundingSplit } from '../../tasks/grounding/data/types.js';
import { MINI_REFEXP } from '../../tasks/grounding/data/mini.js';
import { precisionAtK } from '../../tasks/grounding/metrics.js';
import { cxcywhToXyxy, type Box } from '../../tasks/grounding/boxes.js';
import { AdamW } from '../optim.js';
import type { MiniRecipe } from './types.js';

/** Pretraining settings; changing any of them changes the checkpoint (and its hash, hence every run's identity). */
export const MDETR_MINI_RECIPE = {
  version: '1', seed: 0, steps: 400, batchSize: 32, lr: 1e-3, warmup: 40, weightDecay: 1e-4, clipNorm: 0.1,
  /** Rendered scenes the captions are drawn over (fresh captions every step). */
  pool: 1200,
  scenes: { minObjects: 2, maxObjects: 5 },
  heldout: 200,
};

/** The mini architecture (text_config is text-mini's with the scene vocabulary). */
export function mdetrMiniConfig(textConfig: Record<string, unknown>, backboneConfig: Record<string, unknown>): MdetrConfig {
  return MdetrConfigSchema.parse({
    model_type: 'mdetr', d_model: 64, nheads: 4, enc_layers: 4, dec_layers: 4, dim_feedforward: 128, dropout: 0.1,
    num_queries: 10, num_classes: 31, position_embedding: 'sine', contrastive_align_loss: true, contrastive_hdim: 32,
    image_size: MINI_REFEXP.imageSize,
    backbone_config: backboneConfig,
    text_config: textConfig,
  });
}

/** Copies text-mini's weights into the model's text encoder; word rows beyond text-mini's vocabulary keep their init. */
export function initTextFromTextMini(model: MdetrModel, textMiniDir: string): void {
  const { encoder: src } = loadTextEncoder(textMiniDir, { seed: 0, mlmHead: false });
  try {
    const dst = model.textEncoder;
    for (const [name, p] of src.namedParameters()) {
      const q = dst.getParam(name);
      if (name === 'embeddings.word_embeddings.weight') {
        const [V] = p.shape;
        if (V > q.shape[0]) throw new Error(`mdetr-mini: text-mini has ${V} word rows, more than the scene vocabulary's ${q.shape[0]}`);
        tf.tidy(() => q.assign(tf.concat([p.value, tf.slice(q.value, [V, 0], [-1, -1])], 0)));
      } else q.assign(p.value);
    }
  } finally { src.dispose(); }
}

function renderPool(scenes: Scene[], S: number): GroundingSplit['images'] {
  const px = new Float32Array(scenes.length * S * S * 3);
  scenes.forEach((s, i) => px.set(normalizeInPlace(renderScene(s, S), 'imagenet'), i * S * S * 3));
  return packedImages(px, S);
}

function captionsFor(scenes: Scene[], rows: number[], rng: Rng, S: number): GroundingItem[] {
  const items: GroundingItem[] = [];
  for (const i of rows) {
    let it: GroundingItem | null = null;
    for (let t = 0; t < 5 && !it; t++) it = detectionItem(scenes[i], rng, S, i);
    if (it) items.push(it);
  }
  return items;
}

export interface MdetrPretrainResult {
  model: MdetrModel;
  seconds: number;
  stepsPerSecond: number;
  /** Held-out Precision@1 of the first phrase's box (GIoU >= 0.5) before and after. */
  before: number;
  after: number;
  finalLoss: number;
}

/** Precision@1 of the first phrase of each held-out caption (a rough grounding check). */
export function heldoutPrecision(model: MdetrModel, split: GroundingSplit, c: BatchContext, cache: FeatureCache): number {
  const ctx = { training: false, rng: new Rng(0) };
  const preds: { scores: Float32Array; boxes: Box[] }[] = [];
  const targets: Box[] = [];
  for (let i = 0; i < split.items.length; i += 64) {
    const rows = Array.from({ length: Math.min(64, split.items.length - i) }, (_, k) => i + k);
    const b = makeBatch(split, rows, c, cache);
    const [sc, bx] = tf.tidy(() => {
      const enc = model.encode(b.features!, null, { ids: b.ids, mask: b.mask }, ctx);
      const dec = model.decode(enc, ctx);
      const last = model.heads.forward(model.transformer.decoder.norm.forward(dec[dec.length - 1]), ctx);
      const p = tf.softmax(last.logits);
      const C = (p.shape as number[])[2];
      return [tf.sub(1, tf.squeeze(tf.slice(p, [0, 0, C - 1], [-1, -1, 1]), [2])), last.boxes];
    });
    const s = sc.dataSync() as Float32Array, x = bx.dataSync();
    const Q = model.numQueries;
    rows.forEach((r, k) => {
      const it = split.items[r];
      // the first phrase's boxes: count a hit against any of them via its first box
      const box = (q: number): Box => {
        const [x0, y0, x1, y1] = cxcywhToXyxy([x[(k * Q + q) * 4], x[(k * Q + q) * 4 + 1], x[(k * Q + q) * 4 + 2], x[(k * Q + q) * 4 + 3]]);
        return [x0 * it.width, y0 * it.height, x1 * it.width, y1 * it.height];
      };
      preds.push({ scores: s.slice(k * Q, (k + 1) * Q), boxes: Array.from({ length: Q }, (_, q) => box(q)) });
      targets.push(it.evalBox);
    });
    tf.dispose([sc, bx]); disposeBatch(b);
  }
  return precisionAtK(preds, targets, [1])[1];
}

/** Copies a ResNet's weights (running statistics included) into the model's CNN. */
export function initCnnFrom(model: MdetrModel, cnnDir: string): void {
  const { model: src } = loadResNet(cnnDir, { seed: 0 });
  try {
    for (const [name, p] of src.namedParameters()) model.backbone.getParam(name).assign(p.value);
  } finally { src.dispose(); }
}

export async function pretrainMdetrMini(o: { tok: TextTokenizer; config: MdetrConfig; textMiniDir: string | null; cnnDir: string | null; log?: (l: string) => void; steps?: number }): Promise<MdetrPretrainResult> {
  const r = MDETR_MINI_RECIPE, log = o.log ?? (() => {});
  const S = o.config.image_size, steps = o.steps ?? r.steps;
  const rng = new Rng(r.seed);
  const model = new MdetrModel(o.config, r.seed);
  if (o.textMiniDir) initTextFromTextMini(model, o.textMiniDir);
  if (o.cnnDir) initCnnFrom(model, o.cnnDir);
  model.setTrainable(true);
  model.backbone.setTrainable(false);
  model.textEncoder.pooler.setTrainable(false);
  const c: BatchContext = { tok: o.tok, maxLength: Math.min(o.config.num_classes + 1, model.textEncoder.maxLength), numClasses: o.config.num_classes };
  const dataRng = rng.fork('data');
  const scenes = Array.from({ length: r.pool }, () => sampleScene(dataRng, r.scenes));
  const pool = renderPool(scenes, S);
  const poolFeatures = computeFeatureCache(model, pool);
  const heldScenes = Array.from({ length: r.heldout }, () => sampleScene(dataRng, r.scenes));
  const heldImages = renderPool(heldScenes, S);
  const held: GroundingSplit = { name: 'heldout', images: heldImages, items: captionsFor(heldScenes, heldScenes.map((_, i) => i), dataRng.fork('held'), S) };
  const heldFeatures = computeFeatureCache(model, heldImages);
  const before = heldoutPrecision(model, held, c, heldFeatures);
  const params = model.parameters().filter((p) => p.trainable);
  const opt = new AdamW(params, { lr: r.lr, weightDecay: r.weightDecay, clipNorm: r.clipNorm });
  const ctx = { training: true, rng: rng.fork('dropout') };
  const t0 = performance.now();
  let loss = NaN;
  for (let step = 0; step < steps; step++) {
    opt.lr = step < r.warmup ? (r.lr * (step + 1)) / r.warmup : r.lr * (1 - (step - r.warmup) / Math.max(1, steps - r.warmup));
    const rows = Array.from({ length: r.batchSize }, () => dataRng.int(scenes.length));
    const split: GroundingSplit = { name: 'pretrain', images: pool, items: captionsFor(scenes, rows, dataRng, S) };
    const b = makeBatch(split, split.items.map((_, i) => i), c, poolFeatures);
    const { value, grads } = tf.variableGrads(() => {
      const enc = model.encode(b.features!, null, { ids: b.ids, mask: b.mask }, ctx);
      const hs = model.normedDecoderOutputs(model.decode(enc, ctx));
      return groundingLoss({ layers: model.headOutputs(hs, ctx), projTokens: model.heads.projectTokens(model.textMemory(enc), ctx), textMask: b.mask, targets: b.targets }) as tf.Scalar;
    }, params.map((p) => p.variable));
    loss = value.dataSync()[0];
    if (!Number.isFinite(loss)) throw new Error(`mdetr-mini pretraining diverged at step ${step} (loss ${loss})`);
    opt.apply(grads);
    tf.dispose([value, ...Object.values(grads) as Tensor[]]);
    disposeBatch(b);
    if ((step + 1) % 50 === 0 || step === 0) log(`  step ${step + 1}/${steps}  loss ${loss.toFixed(3)}  (${((step + 1) / ((performance.now() - t0) / 1000)).toFixed(2)} steps/s)`);
  }
  const seconds = (performance.now() - t0) / 1000;
  opt.dispose();
  const after = heldoutPrecision(model, held, c, heldFeatures);
  return { model, seconds, stepsPerSecond: steps / seconds, before, after, finalLoss: loss };
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
    log(`pretraining mdetr-mini: modulated detection on procedural scenes, ${r.steps} steps of ${r.batchSize} captions over ${r.pool} scenes at ${config.image_size} px, CNN cnn-mini (frozen), text encoder from text-mini, seed ${r.seed}`);
    const res = await pretrainMdetrMini({ tok, config, textMiniDir, cnnDir, log });
    saveMdetr(dir, res.model);
    const summary = {
      backbone: 'mdetr-mini', recipe: r, language: LANGUAGE_VERSION,
      objective: 'modulated detection: every phrase of a scene caption grounded to its boxes (MDETR criterion: soft-token CE, L1, GIoU, contrastive align, auxiliary outputs)',
      heldout: { metric: 'Precision@1 of the first phrase (GIoU >= 0.5)', before: res.before, after: res.after },
      finalLoss: res.finalLoss, seconds: res.seconds, stepsPerSecond: res.stepsPerSecond,
    };
    writeFileSync(join(dir, 'pretraining.json'), `${JSON.stringify(summary, null, 2)}\n`);
    log(`mdetr-mini: held-out Precision@1 ${res.before.toFixed(1)}% -> ${res.after.toFixed(1)}% in ${res.seconds.toFixed(0)} s`);
    res.model.dispose();
  },
};
