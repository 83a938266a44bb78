// cnn-mini: the project's own pretrained ResNeXt-style image encoder (four bottleneck stages, grouped 3x3 convs,
// 'mini' stem: one 3x3 stride-2 conv, for 32 x 32 images; stage maps 16, 8, 4, 2), trained from scratch by multi-label attribute tagging of procedural scenes
// (which shapes, colours, colour-shape and size-shape pairs are present and in which image half: the scene analogue
// of ImageNet / Instagram-hashtag pretraining), BatchNorm with batch statistics. Written in the Hugging Face layout
// with torchvision names; deterministic from its seed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { Linear } from '../../nn/layers.js';
import type { ForwardCtx } from '../../nn/module.js';
import { ResNet, ResNetConfigSchema, saveResNet, type ResNetConfig } from '../../backbones/cnn/index.js';
import { sampleScene, renderScene, attributeLabels, ATTRIBUTE_LABELS, writeSceneTokenizer, type SceneOptions } from '../../data/scenes/index.js';
import { normalizeInPlace } from '../../data/images/index.js';
import { AdamW } from '../optim.js';
import { bceWithLogits } from '../losses.js';
import type { MiniRecipe } from './types.js';

/** Architecture of cnn-mini (the registry entry repeats it). */
export const CNN_MINI_CONFIG = {
  model_type: 'resnet', layers: [1, 1, 1, 1], groups: 2, width_per_group: 32, planes: [8, 16, 32, 64],
  stem: 'mini', stem_stride: 2, stem_width: 16, image_size: 32, normalization: 'imagenet',
} as const;

/** Pretraining settings; changing any changes the checkpoint (and so every run's identity). */
export const CNN_MINI_RECIPE = {
  version: '1', seed: 0, steps: 300, batchSize: 32, lr: 3e-3, warmup: 20, weightDecay: 1e-4, heldout: 128,
  scenes: { minObjects: 1, maxObjects: 5, patterns: true } as SceneOptions,
};

/** A batch of rendered, normalised scenes [B, S, S, 3] and their attribute targets [B, L]. */
export function sceneBatch(rng: Rng, n: number, size: number, opts: SceneOptions): { images: Float32Array; labels: Float32Array } {
  const L = ATTRIBUTE_LABELS.length;
  const images = new Float32Array(n * size * size * 3), labels = new Float32Array(n * L);
  for (let i = 0; i < n; i++) {
    const s = sampleScene(rng, opts);
    images.set(normalizeInPlace(renderScene(s, size), 'imagenet'), i * size * size * 3);
    labels.set(attributeLabels(s), i * L);
  }
  return { images, labels };
}

/** Global average pool of the last stage + a linear tagger. */
function logits(model: ResNet, head: Linear, images: Tensor, ctx: ForwardCtx): Tensor {
  const { stages } = model.forward(images, ctx);
  const pooled = tf.mean(stages[3], [1, 2]);
  return head.forward(pooled, ctx);
}

export interface CnnPretrainResult { model: ResNet; lossBefore: number; lossAfter: number; f1Before: number; f1After: number; seconds: number }

/** Trains a ResNet from scratch on scene tagging; returns it with held-out loss and micro-F1 before/after. */
export function pretrainCnn(config: ResNetConfig, r = CNN_MINI_RECIPE, log: (l: string) => void = () => {}): CnnPretrainResult {
  const rng = new Rng(r.seed);
  const size = config.image_size ?? 32;
  const model = new ResNet(config, r.seed);
  model.setBatchNormMode('batch');
  const head = new Linear(model.channels[3], ATTRIBUTE_LABELS.length, rng.fork('head'));
  const params = [...model.parameters(), ...head.parameters()].filter((p) => p.trainable);
  const opt = new AdamW(params, { lr: r.lr, weightDecay: r.weightDecay, clipNorm: 1 });
  const held = sceneBatch(rng.fork('heldout'), r.heldout, size, r.scenes);
  const evaluate = (): { loss: number; f1: number } => tf.tidy(() => {
    const x = tf.tensor4d(held.images, [r.heldout, size, size, 3]);
    const y = tf.tensor2d(held.labels, [r.heldout, ATTRIBUTE_LABELS.length]);
    const z = logits(model, head, x, { training: false, rng });
    const pred = tf.cast(tf.greater(z, 0), 'float32');
    const tp = tf.sum(tf.mul(pred, y)).dataSync()[0], fp = tf.sum(tf.mul(pred, tf.sub(1, y))).dataSync()[0], fn = tf.sum(tf.mul(tf.sub(1, pred), y)).dataSync()[0];
    return { loss: bceWithLogits(z, y).dataSync()[0], f1: tp ? (2 * tp) / (2 * tp + fp + fn) : 0 };
  });
  const before = evaluate();
  const data = rng.fork('train');
  const ctx: ForwardCtx = { training: true, rng: rng.fork('ctx') };
  const t0 = performance.now();
  for (let step = 0; step < r.steps; step++) {
    const b = sceneBatch(data, r.batchSize, size, r.scenes);
    opt.lr = step < r.warmup ? (r.lr * (step + 1)) / r.warmup : r.lr * 0.5 * (1 + Math.cos((Math.PI * (step - r.warmup)) / (r.steps - r.warmup)));
    const x = tf.tensor4d(b.images, [r.batchSize, size, size, 3]), y = tf.tensor2d(b.labels, [r.batchSize, ATTRIBUTE_LABELS.length]);
    const { value, grads } = tf.variableGrads(() => bceWithLogits(logits(model, head, x, ctx), y) as tf.Scalar, params.map((p) => p.variable));
    opt.apply(grads);
    const loss = value.dataSync()[0];
    tf.dispose([value, x, y, ...Object.values(grads)]);
    if ((step + 1) % 50 === 0) log(`  step ${step + 1}/${r.steps}  loss ${loss.toFixed(4)}  (${((step + 1) / ((performance.now() - t0) / 1000)).toFixed(1)} steps/s)`);
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = evaluate();
  opt.dispose();
  head.dispose();
  model.setBatchNormMode('running');
  return { model, lossBefore: before.loss, lossAfter: after.loss, f1Before: before.f1, f1After: after.f1, seconds };
}

export const CNN_MINI: MiniRecipe = {
  id: 'cnn-mini',
  version: CNN_MINI_RECIPE.version,
  async build(dir, log) {
    const config = ResNetConfigSchema.parse(CNN_MINI_CONFIG);
    const r = CNN_MINI_RECIPE;
    log(`pretraining cnn-mini: multi-label scene tagging (${ATTRIBUTE_LABELS.length} labels), ${r.steps} steps of ${r.batchSize} images of ${config.image_size} px, seed ${r.seed}`);
    const res = pretrainCnn(config, r, log);
    saveResNet(dir, res.model);
    // isComplete() asks every mini folder for a tokenizer: the scene tokenizer, for families that pair this CNN
    // with a text encoder reading scene text
    writeSceneTokenizer(dir);
    const summary = {
      backbone: 'cnn-mini', recipe: r, objective: 'multi-label attribute tagging of procedural scenes (BCE), global-average-pooled last stage + linear tagger (discarded)',
      labels: ATTRIBUTE_LABELS.length,
      heldout: { lossBefore: res.lossBefore, lossAfter: res.lossAfter, microF1Before: res.f1Before, microF1After: res.f1After },
      seconds: res.seconds,
    };
    writeFileSync(join(dir, 'pretraining.json'), `${JSON.stringify(summary, null, 2)}\n`);
    log(`cnn-mini: held-out tagging micro-F1 ${(100 * res.f1Before).toFixed(1)}% -> ${(100 * res.f1After).toFixed(1)}% (BCE ${res.lossBefore.toFixed(3)} -> ${res.lossAfter.toFixed(3)}) in ${res.seconds.toFixed(0)} s`);
    res.model.dispose();
  },
};
