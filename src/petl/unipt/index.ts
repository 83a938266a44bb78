// UniPT (Universal Parallel Tuning, CVPR 2024): a side method. The backbone's hidden states are computed outside
// the gradient tape and a parallel network over them is the only thing trained (reference §2). One file per
// per-backbone variant; the interaction core, the aggregation and the ablation switches are shared.
import type { Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import type { ForwardCtx } from '../../nn/module.js';
import type { MethodDef } from '../types.js';
import { UniptConfigSchema, resolveUniptConfig, ablationOf, type UniptConfig } from './config.js';
import { VseTextUnipt } from './vse-text.js';

export const UNIPT_METHOD: MethodDef<UniptConfig> = {
  id: 'unipt',
  version: '1',
  mode: 'side',
  title: 'UniPT',
  description: 'Universal Parallel Tuning: every hidden state interacts with the last one (ReLU-L1 rows + identity), a shared gate weighs the layers, and the fused features are added back to the guide; the backbone stays outside the gradient tape.',
  schema: UniptConfigSchema,
};

export { UniptConfigSchema, resolveUniptConfig, ablationOf, autoVariant, UNIPT_VARIANTS, DEFAULT_DOWNSAMPLE, DEFAULT_IDENTITY } from './config.js';
export type { UniptConfig, UniptVariant, ResolvedUniptConfig } from './config.js';
export type { AblationOptions, ResolvedAblation } from './options.js';
export { VseTextUnipt, type VseTextOptions } from './vse-text.js';
export { VseCnnUnipt, type VseCnnOptions } from './vse-cnn.js';
export { Clip4ClipUnipt, type Clip4ClipOptions } from './clip4clip.js';
export { ClipVilUnipt, type ClipVilOptions } from './clip-vil.js';
export { MdetrUnipt, type MdetrOptions, type MdetrOutput } from './mdetr.js';
export { EncoderDecoderUnipt, T5_INFERRED_CHOICES, type EncoderDecoderOptions } from './encoder-decoder.js';
export { paramCount, BatchNorm2d, Conv1x1, Seq } from './layers.js';
export { interact, reluL1Attention, reluL1Normalize, lengthsToMask, type InteractionKind } from './interaction.js';
export { layerWeights, weightedSum, parallelInteraction, type AggregationKind } from './aggregation.js';

/** A UniPT side network over a BERT-style encoder's hidden states (GLUE): the vse-text variant. */
export interface TextUnipt {
  module: VseTextUnipt;
  /** hiddenStates: embeddings output + every layer output, [B, T, H]; mask [B, T] 1/0. Returns [B, T, outSize]. */
  forward(hiddenStates: Tensor[], mask: Tensor, ctx: ForwardCtx): Tensor;
}

/**
 * Builds UniPT for a text encoder from a raw method config. The output width defaults to the encoder width, so the
 * task head reads it in place of the last hidden state.
 */
export function createTextUnipt(config: unknown, dims: { numHiddenStates: number; hiddenSize: number; outSize?: number }, rng: Rng): TextUnipt {
  const c = resolveUniptConfig(config, 'text-encoder');
  if (c.variant !== 'vse-text') throw new Error(`unipt on a text encoder needs variant "vse-text" (or "auto"), got "${c.variant}"`);
  const module = new VseTextUnipt({
    hiddenSizes: new Array<number>(dims.numHiddenStates).fill(dims.hiddenSize),
    embedSize: dims.outSize ?? dims.hiddenSize,
    downsampleFactor: c.downsampleFactor,
    ...ablationOf(c),
  }, rng);
  return { module, forward: (hs, mask, ctx) => module.forward(hs, mask, ctx) };
}
