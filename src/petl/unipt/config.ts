// The `unipt` method config (strict: an unknown key is an error). Unset fields take the resolved variant's default,
// following the official scripts: downsample factor VSE∞ 2, CLIP4Clip 1, CLIP-ViL 2 (its r), MDETR 2, and T5
// [INFERRED] 8 (LST's r); identity wherever the official variant has it (all but CLIP4Clip).
import { z } from 'zod';
import type { BackboneFamily } from '../types.js';
import { INTERACTION_KINDS, type InteractionKind } from './interaction.js';
import { AGGREGATION_KINDS, type AggregationKind } from './aggregation.js';
import type { AblationOptions } from './options.js';

export const UNIPT_VARIANTS = ['vse-text', 'vse-cnn', 'clip4clip', 'clip-vil', 'mdetr', 'encoder-decoder'] as const;
export type UniptVariant = (typeof UNIPT_VARIANTS)[number];

export const UniptConfigSchema = z.strictObject({
  /** Which per-backbone variant; 'auto' picks it from the backbone family (see autoVariant). */
  variant: z.enum(['auto', ...UNIPT_VARIANTS]).default('auto'),
  /** D: d' = width // D; absent = the variant's default. */
  downsampleFactor: z.number().int().positive().optional(),
  /** Hidden-state indices that interact with the guide; null = the variant's default. */
  layers: z.array(z.number().int().nonnegative()).min(1).nullable().default(null),
  interaction: z.enum(INTERACTION_KINDS as [InteractionKind, ...InteractionKind[]]).default('relu-l1'),
  /** Identity term in the interaction matrix; absent = as the official variant. */
  identity: z.boolean().optional(),
  aggregation: z.enum(AGGREGATION_KINDS as [AggregationKind, ...AggregationKind[]]).default('gate'),
  /** Ablation: no other layers, F^c = F_N. */
  guideOnly: z.boolean().default(false),
}).superRefine((c, ctx) => {
  if (c.variant === 'clip4clip' && c.identity === true) {
    ctx.addIssue({ code: 'custom', path: ['identity'], message: 'clip4clip has a one-token guide, so the identity term is impossible; set identity to false or leave it out' });
  }
  if (c.guideOnly && c.layers !== null) {
    ctx.addIssue({ code: 'custom', path: ['layers'], message: 'guideOnly uses no other layer; leave layers null' });
  }
});
export type UniptConfig = z.output<typeof UniptConfigSchema>;

export const DEFAULT_DOWNSAMPLE: Record<UniptVariant, number> = {
  'vse-text': 2, 'vse-cnn': 2, clip4clip: 1, 'clip-vil': 2, mdetr: 2,
  'encoder-decoder': 8,   // [INFERRED] LST's r on T5
};

export const DEFAULT_IDENTITY: Record<UniptVariant, boolean> = {
  'vse-text': true, 'vse-cnn': true, clip4clip: false, 'clip-vil': true, mdetr: true, 'encoder-decoder': true,
};

/**
 * The variant 'auto' means for a backbone family. VSE∞ has two towers (text: vse-text, image: vse-cnn) and CLIP4Clip
 * two adapters of the same variant; this returns the one for the family's text side, and vseImage for the CNN.
 */
export function autoVariant(family: BackboneFamily, tower: 'text' | 'image' = 'text'): UniptVariant {
  switch (family) {
    case 'text-encoder': return 'vse-text';
    case 't5': return 'encoder-decoder';
    case 'vse': return tower === 'image' ? 'vse-cnn' : 'vse-text';
    case 'clip': return 'clip4clip';
    case 'clip-vil': return 'clip-vil';
    case 'mdetr': return 'mdetr';
  }
}

export interface ResolvedUniptConfig extends Required<Omit<AblationOptions, 'layers'>> {
  variant: UniptVariant;
  downsampleFactor: number;
  /** null = the variant's default subset for the backbone's depth (resolved when the module is built). */
  layers: number[] | null;
}

/** Validates a raw config (errors name the offending key) and fills every default for the backbone family. */
export function resolveUniptConfig(raw: unknown, family: BackboneFamily, tower: 'text' | 'image' = 'text'): ResolvedUniptConfig {
  const parsed = UniptConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const msg = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(config)'}: ${i.message}`).join('; ');
    throw new Error(`unipt method config: ${msg}`);
  }
  const c = parsed.data;
  const variant = c.variant === 'auto' ? autoVariant(family, tower) : c.variant;
  if (variant === 'clip4clip' && c.identity === true) {
    throw new Error('unipt method config: identity: clip4clip (chosen by variant "auto") has a one-token guide; set identity to false');
  }
  return {
    variant,
    downsampleFactor: c.downsampleFactor ?? DEFAULT_DOWNSAMPLE[variant],
    layers: c.layers,
    interaction: c.interaction,
    identity: c.identity ?? DEFAULT_IDENTITY[variant],
    aggregation: c.aggregation,
    guideOnly: c.guideOnly,
  };
}

/** The ablation options a variant constructor takes, from a resolved config. */
export function ablationOf(c: ResolvedUniptConfig): AblationOptions {
  return { interaction: c.interaction, identity: c.identity, aggregation: c.aggregation, guideOnly: c.guideOnly, layers: c.layers };
}
