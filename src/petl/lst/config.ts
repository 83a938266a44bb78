// LST's config and method definition. Defaults follow LST's T5-base GLUE scripts (r = 8, learnable gates with
// T = 0.1 and alpha_0 = 0, add_bias_sampling, 9 of 12 side layers) with two documented choices for BERT-style
// encoders: the side output replaces the backbone output (as LST on CLIP-ViL, whose side blocks are BERT layers),
// and a final LayerNorm closes the side stack (as LST on T5; CLIP-ViL has none, set final_layer_norm false).
import { z } from 'zod';
import type { MethodDef } from '../types.js';

export const LstConfigSchema = z.strictObject({
  /** Reduction factor: side width d/r, side FFN width ff/r. */
  r: z.number().int().positive().default(8),
  /** Backbone layers that keep a side block (0-based); omitted = LST's rule (see lstDefaultLayers); 'all' = every layer. */
  layers: z.union([z.array(z.number().int().nonnegative()).min(1), z.literal('all')]).optional(),
  gate_T: z.number().positive().default(0.1),
  /** Initial gate logit alpha (mu = sigmoid(alpha / T) = 0.5 at 0). */
  gate_alpha: z.number().default(0),
  /** Bias on side_first_downsample, side_downsamples and side_final_upsample (T5 LST: true; CLIP-ViL LST: false). */
  add_bias_sampling: z.boolean().default(true),
  /** Side-block initialisation: structured magnitude pruning of the backbone (LST's pruning_v2 with the weights as
   *  importance, i.e. its `t5-base-v2` option; its GLUE runs used Fisher importance, `fisher-v2`), or BERT-style random. */
  init: z.enum(['prune-magnitude', 'random']).default('prune-magnitude'),
  /** 'replace': the head reads the upsampled side output; 'add': backbone last hidden state + upsampled side output. */
  output: z.enum(['replace', 'add']).default('replace'),
  final_layer_norm: z.boolean().default(true),
});
export type LstConfig = z.output<typeof LstConfigSchema>;

export const LST_METHOD: MethodDef<LstConfig> = {
  id: 'lst',
  version: '1',
  mode: 'side',
  title: 'Ladder Side-Tuning',
  description: 'A reduced copy of the backbone (width d/r) fed by gated down-projections of the frozen backbone\'s hidden states; gradients never enter the backbone.',
  schema: LstConfigSchema,
};

/**
 * LST's layer dropping, scaled: at 12 layers LST keeps [1,2,3,5,6,7,9,10,11], i.e. it drops every 4th layer starting
 * at layer 0. The same rule (keep i with i mod 4 != 0) applies at any depth: 2 layers -> [1], 4 -> [1,2,3],
 * 6 -> [1,2,3,5], 24 -> 18 layers. A 1-layer backbone keeps its only layer.
 */
export function lstDefaultLayers(numLayers: number): number[] {
  const keep = Array.from({ length: numLayers }, (_, i) => i).filter((i) => i % 4 !== 0);
  return keep.length ? keep : [numLayers - 1];
}

/** The sorted side-layer list for a backbone depth; throws naming the bad index. */
export function resolveLstLayers(layers: LstConfig['layers'], numLayers: number): number[] {
  if (layers === undefined) return lstDefaultLayers(numLayers);
  if (layers === 'all') return Array.from({ length: numLayers }, (_, i) => i);
  const bad = layers.filter((i) => i >= numLayers);
  if (bad.length) throw new Error(`lst: layers [${bad.join(', ')}] do not exist in a ${numLayers}-layer backbone (valid: 0..${numLayers - 1})`);
  const sorted = [...new Set(layers)].sort((a, b) => a - b);
  if (sorted.length !== layers.length) throw new Error(`lst: layers [${layers.join(', ')}] lists a layer twice`);
  return sorted;
}
