// mdetr-mini's CNN stage: before modulated detection, the MDETR's copy of cnn-mini is trained further on the grounding
// scenes (48 px, objects 1.5x the shared size) to name each object's shape, colour and size from the feature vector of
// the grid cell holding the object's centre, in the CNN stage MDETR reads (the 3 x 3 last stage at 48 px). cnn-mini's
// own pretraining (image-level tagging at 32 px) leaves the shape of an object nearly unreadable there (a linear probe:
// ~20% over six shapes), and most mini expressions name their target by shape ("the square"): MDETR starts from an
// ImageNet ResNet, whose features do tell shapes apart. Fresh scenes every step (on a fixed pool of 1,200 scenes the
// probe overfits: held-out shape 50% at training loss 0.09). BatchNorm with batch statistics here (its running
// statistics follow the 48 px scenes), frozen afterwards. Deterministic from the Rng.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Linear } from '../../nn/layers.js';
import type { ForwardCtx } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import { renderScene, SHAPES, SCENE_COLORS, SIZES, type Scene } from '../../data/scenes/index.js';
import { normalizeInPlace } from '../../data/images/index.js';
import type { MdetrModel } from '../../backbones/mdetr/model.js';
import { sampleGroundingScene, type GroundingSceneOptions } from '../../tasks/grounding/data/scenes.js';
import { AdamW } from '../optim.js';
import { crossEntropy } from '../losses.js';

export interface CnnStageRecipe {
  /** Steps of the frozen-CNN linear probe (the "before" accuracies; its heads then start the joint training). */
  probeSteps: number;
  steps: number; batchSize: number; lr: number; weightDecay: number; clipNorm: number;
  /** Held-out scenes the accuracies are measured on. */
  heldout: number;
}

export const OBJECT_ATTRIBUTES = { shape: SHAPES, color: SCENE_COLORS, size: SIZES } as const;
export type ObjectAttribute = keyof typeof OBJECT_ATTRIBUTES;
const ATTRS = Object.keys(OBJECT_ATTRIBUTES) as ObjectAttribute[];

/** Held-out accuracy (percent) of each attribute. */
export type AttributeAccuracy = Record<ObjectAttribute, number>;

/** Every object of `scenes` as a row of the flattened [B * grid * grid] cell features, with its attribute labels. */
export function objectCells(scenes: readonly Scene[], grid: number): { cells: number[]; labels: Record<ObjectAttribute, number[]> } {
  const cells: number[] = [];
  const labels = { shape: [] as number[], color: [] as number[], size: [] as number[] };
  scenes.forEach((s, b) => {
    for (const o of s.objects) {
      const cx = Math.min(grid - 1, Math.floor(o.x * grid)), cy = Math.min(grid - 1, Math.floor(o.y * grid));
      cells.push(b * grid * grid + cy * grid + cx);
      labels.shape.push(SHAPES.indexOf(o.shape));
      labels.color.push(SCENE_COLORS.indexOf(o.color));
      labels.size.push(SIZES.indexOf(o.size));
    }
  });
  return { cells, labels };
}

function pixels(scenes: readonly Scene[], S: number): Tensor {
  const px = new Float32Array(scenes.length * S * S * 3);
  scenes.forEach((s, i) => px.set(normalizeInPlace(renderScene(s, S), 'imagenet'), i * S * S * 3));
  return tf.tensor4d(px, [scenes.length, S, S, 3]);
}

/** Per-object logits of each attribute head: the MDETR-read CNN stage at each object's centre cell. */
function objectLogits(model: MdetrModel, heads: Record<ObjectAttribute, Linear>, scenes: readonly Scene[], S: number, ctx: ForwardCtx): { logits: Record<ObjectAttribute, Tensor>; labels: Record<ObjectAttribute, number[]> } {
  const f = model.features(pixels(scenes, S), ctx);
  const [B, h, w, C] = f.shape as number[];
  if (h !== w) throw new Error(`mdetr-mini CNN stage: square feature maps expected, got ${h} x ${w}`);
  const { cells, labels } = objectCells(scenes, h);
  const x = tf.gather(tf.reshape(f, [B * h * w, C]), cells);
  return { logits: Object.fromEntries(ATTRS.map((a) => [a, heads[a].forward(x, ctx)])) as Record<ObjectAttribute, Tensor>, labels };
}

function accuracy(model: MdetrModel, heads: Record<ObjectAttribute, Linear>, scenes: readonly Scene[], S: number, rng: Rng): AttributeAccuracy {
  const ctx: ForwardCtx = { training: false, rng };
  const hits = { shape: 0, color: 0, size: 0 };
  let n = 0;
  for (let i = 0; i < scenes.length; i += 64) {
    const part = scenes.slice(i, i + 64);
    tf.tidy(() => {
      const { logits, labels } = objectLogits(model, heads, part, S, ctx);
      for (const a of ATTRS) (tf.argMax(logits[a], 1).dataSync() as Int32Array).forEach((p, j) => { if (p === labels[a][j]) hits[a]++; });
      n += labels.shape.length;
    });
  }
  return Object.fromEntries(ATTRS.map((a) => [a, (100 * hits[a]) / Math.max(1, n)])) as AttributeAccuracy;
}

/**
 * Trains `params` on per-object attribute classification over fresh scenes (cosine lr decay, BatchNorm in batch mode
 * when the CNN trains).
 */
function train(model: MdetrModel, heads: Record<ObjectAttribute, Linear>, params: Param[], steps: number, r: CnnStageRecipe, sceneOpts: GroundingSceneOptions, S: number, rng: Rng, log: (l: string) => void, label: string): void {
  const opt = new AdamW(params, { lr: r.lr, weightDecay: r.weightDecay, clipNorm: r.clipNorm });
  const ctx: ForwardCtx = { training: true, rng: rng.fork('ctx') };
  const data = rng.fork('scenes');
  const t0 = performance.now();
  for (let step = 0; step < steps; step++) {
    opt.lr = r.lr * 0.5 * (1 + Math.cos((Math.PI * step) / steps));
    const scenes = Array.from({ length: r.batchSize }, () => sampleGroundingScene(data, sceneOpts));
    const { value, grads } = tf.variableGrads(() => {
      const { logits, labels } = objectLogits(model, heads, scenes, S, ctx);
      return tf.addN(ATTRS.map((a) => crossEntropy(logits[a], tf.tensor1d(labels[a], 'int32')))) as tf.Scalar;
    }, params.map((p) => p.variable));
    const loss = value.dataSync()[0];
    if (!Number.isFinite(loss)) throw new Error(`mdetr-mini CNN stage (${label}) diverged at step ${step}`);
    opt.apply(grads);
    tf.dispose([value, ...Object.values(grads) as Tensor[]]);
    if ((step + 1) % 100 === 0) log(`  ${label} step ${step + 1}/${steps}  loss ${loss.toFixed(3)}  (${((step + 1) / ((performance.now() - t0) / 1000)).toFixed(2)} steps/s)`);
  }
  opt.dispose();
}

export interface CnnStageResult { before: AttributeAccuracy; after: AttributeAccuracy; seconds: number }

/**
 * Trains the model's CNN (all of it) with per-object attribute heads (discarded afterwards), then leaves it with
 * running BatchNorm statistics and frozen. `before`: held-out accuracies of a linear probe on the CNN as loaded;
 * `after`: of the jointly trained CNN and heads.
 */
export function trainMdetrCnnOnObjects(model: MdetrModel, r: CnnStageRecipe, sceneOpts: GroundingSceneOptions, rng: Rng, log: (l: string) => void = () => {}): CnnStageResult {
  const S = model.config.image_size, C = model.backbone.channels[model.config.feature_stage];
  const heads = Object.fromEntries(ATTRS.map((a) => [a, new Linear(C, OBJECT_ATTRIBUTES[a].length, rng.fork(`head:${a}`))])) as Record<ObjectAttribute, Linear>;
  const headParams = ATTRS.flatMap((a) => heads[a].parameters());
  const heldRng = rng.fork('heldout');
  const held = Array.from({ length: r.heldout }, () => sampleGroundingScene(heldRng, sceneOpts));
  const t0 = performance.now();
  try {
    model.backbone.setTrainable(false);
    model.backbone.setBatchNormMode('running');
    train(model, heads, headParams, r.probeSteps, r, sceneOpts, S, rng.fork('probe'), log, 'probe');
    const before = accuracy(model, heads, held, S, rng);
    model.backbone.setTrainable(true);
    model.backbone.setBatchNormMode('batch');
    train(model, heads, [...model.backbone.parameters().filter((p) => p.trainable), ...headParams], r.steps, r, sceneOpts, S, rng.fork('cnn'), log, 'cnn');
    model.backbone.setBatchNormMode('running');
    const after = accuracy(model, heads, held, S, rng);
    return { before, after, seconds: (performance.now() - t0) / 1000 };
  } finally {
    model.backbone.setBatchNormMode('running');
    model.backbone.setTrainable(false);
    for (const a of ATTRS) heads[a].dispose();
  }
}
