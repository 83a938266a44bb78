// The op set every model calls. `lean` (default) uses the custom-gradient primitives; `plain` uses tfjs's own
// autograd for the same math, kept for tests and for the lean-vs-plain benchmark. Frozen tensors are marked by the
// caller (trainW/trainB/train flags), so a frozen weight never gets a gradient or a saved activation of its own.
import { type Tensor } from '../tf.js';
import type { Rng } from '../rng.js';
import { linear, frozenLinear, plainLinear } from './linear.js';
import { layerNorm, addLayerNorm, rmsNorm, frozenLayerNorm, frozenAddLayerNorm, frozenRmsNorm, plainLayerNorm, plainRmsNorm } from './norm.js';
import { gelu, geluTanh, quickGelu, relu, softmax, plainGelu, plainGeluTanh, plainQuickGelu, plainRelu, plainSoftmax } from './activation.js';
import { dropout, plainDropout } from './dropout.js';
import { attention, plainAttention, type AttentionOptions } from './attention.js';
import { embedding, frozenEmbedding, plainEmbedding } from './embedding.js';
import { conv2d, plainConv2d, type Conv2dOptions } from './conv.js';
import { tf } from '../tf.js';

export type OpsMode = 'lean' | 'plain';

export interface Ops {
  readonly mode: OpsMode;
  linear(x: Tensor, W: Tensor, b: Tensor | null | undefined, trainW: boolean, trainB?: boolean): Tensor;
  layerNorm(x: Tensor, g: Tensor, b: Tensor, eps: number, train: boolean): Tensor;
  addLayerNorm(x: Tensor, r: Tensor, g: Tensor, b: Tensor, eps: number, train: boolean): Tensor;
  rmsNorm(x: Tensor, g: Tensor, eps: number, train: boolean): Tensor;
  gelu(x: Tensor): Tensor;
  geluTanh(x: Tensor): Tensor;
  quickGelu(x: Tensor): Tensor;
  relu(x: Tensor): Tensor;
  softmax(x: Tensor): Tensor;
  dropout(x: Tensor, rate: number, rng: Rng): Tensor;
  attention(q: Tensor, k: Tensor, v: Tensor, opts?: AttentionOptions, bias?: Tensor | null): Tensor;
  embedding(table: Tensor, ids: Tensor, train: boolean): Tensor;
  conv2d(x: Tensor, W: Tensor, opts: Conv2dOptions, trainW: boolean): Tensor;
}

export const leanOps: Ops = {
  mode: 'lean',
  linear: (x, W, b, trainW, trainB = trainW) => (trainW ? linear(x, W, b) : frozenLinear(x, W, b, trainB)),
  layerNorm: (x, g, b, eps, train) => (train ? layerNorm(x, g, b, eps) : frozenLayerNorm(x, g, b, eps)),
  addLayerNorm: (x, r, g, b, eps, train) => (train ? addLayerNorm(x, r, g, b, eps) : frozenAddLayerNorm(x, r, g, b, eps)),
  rmsNorm: (x, g, eps, train) => (train ? rmsNorm(x, g, eps) : frozenRmsNorm(x, g, eps)),
  gelu, geluTanh, quickGelu, relu, softmax, dropout, attention,
  embedding: (t, ids, train) => (train ? embedding(t, ids) : frozenEmbedding(t, ids)),
  conv2d: (x, W, opts, trainW) => conv2d(x, W, opts, trainW),
};

export const plainOps: Ops = {
  mode: 'plain',
  linear: (x, W, b) => plainLinear(x, W, b),
  layerNorm: (x, g, b, eps) => plainLayerNorm(x, g, b, eps),
  addLayerNorm: (x, r, g, b, eps) => plainLayerNorm(tf.add(x, r), g, b, eps),
  rmsNorm: (x, g, eps) => plainRmsNorm(x, g, eps),
  gelu: plainGelu, geluTanh: plainGeluTanh, quickGelu: plainQuickGelu, relu: plainRelu, softmax: plainSoftmax,
  dropout: plainDropout, attention: plainAttention,
  embedding: (t, ids) => plainEmbedding(t, ids),
  conv2d: (x, W, opts) => plainConv2d(x, W, opts),
};

let active: Ops = leanOps;

/** The op set in use in this process. */
export function ops(): Ops { return active; }

/** Switches the op set for the whole process (benchmarks and tests only). */
export function setOpsMode(mode: OpsMode): void { active = mode === 'lean' ? leanOps : plainOps; }

export { splitHeads, mergeHeads, type AttentionOptions } from './attention.js';
export { dropoutMask } from './dropout.js';
export { batchNormTrain, batchNormInference, plainBatchNormTrain, type BatchStats } from './batchnorm.js';
export { convGeometry, type Conv2dOptions } from './conv.js';
export { startSaveTrace, stopSaveTrace, type SaveRecord } from './trace.js';
