// Options every variant accepts: the ablation switches of reference §4 and the layer subset. Defaults follow the
// official variant; `resolveAblation` fills them in and checks them against what the variant can do.
import type { InteractionKind } from './interaction.js';
import type { AggregationKind } from './aggregation.js';

export interface AblationOptions {
  /** 'relu-l1' (official), 'softmax' or 'off' (F'_i = F_i). */
  interaction?: InteractionKind;
  /** Add the identity to the interaction matrix (default: as the official variant). */
  identity?: boolean;
  /** 'gate' (official: shared Linear(d',1) + softmax over layers) or 'uniform' (1/n). */
  aggregation?: AggregationKind;
  /** Use no other layer: F^c = F_N (the aggregation, Proj and the other layers' Down do not exist). */
  guideOnly?: boolean;
  /** Hidden-state indices that interact with the guide (null/undefined = the variant's default). */
  layers?: readonly number[] | null;
}

export interface ResolvedAblation {
  interaction: InteractionKind;
  identity: boolean;
  aggregation: AggregationKind;
  guideOnly: boolean;
  /** Interacting hidden-state indices, ascending; empty when guideOnly. */
  layers: number[];
}

export interface AblationRules {
  variant: string;
  defaultIdentity: boolean;
  /** False where the query is shorter than the keys (CLIP4Clip's 1-token guide). */
  identityPossible: boolean;
  defaultLayers: number[];
  /** Indices a layer may take: [0, maxIndex]. */
  maxIndex: number;
}

export function resolveAblation(o: AblationOptions, r: AblationRules): ResolvedAblation {
  const identity = o.identity ?? r.defaultIdentity;
  if (identity && !r.identityPossible) {
    throw new Error(`unipt ${r.variant}: identity=true is impossible here (the guide has one token, the layers have many); set identity to false`);
  }
  const guideOnly = o.guideOnly ?? false;
  const layers = guideOnly ? [] : checkLayers(o.layers ?? r.defaultLayers, r);
  return { interaction: o.interaction ?? 'relu-l1', identity, aggregation: o.aggregation ?? 'gate', guideOnly, layers };
}

function checkLayers(layers: readonly number[], r: AblationRules): number[] {
  if (!layers.length) throw new Error(`unipt ${r.variant}: layers is empty; give at least one hidden-state index, or set guideOnly`);
  const seen = new Set<number>();
  for (const i of layers) {
    if (!Number.isInteger(i) || i < 0 || i > r.maxIndex) {
      throw new Error(`unipt ${r.variant}: layer index ${i} is out of range; valid indices are 0..${r.maxIndex}`);
    }
    if (seen.has(i)) throw new Error(`unipt ${r.variant}: layer index ${i} is listed twice`);
    seen.add(i);
  }
  return [...layers].sort((a, b) => a - b);
}

/** embed // D, as the official `mapping_size = embed_size // downsample_D_factor`. */
export function mappingSize(width: number, factor: number, variant: string): number {
  if (!Number.isInteger(factor) || factor < 1) throw new Error(`unipt ${variant}: downsample factor must be a positive integer, got ${factor}`);
  const d = Math.floor(width / factor);
  if (d < 1) throw new Error(`unipt ${variant}: width ${width} / downsample factor ${factor} leaves no channels`);
  return d;
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

export function checkCount(what: string, got: number, want: number, variant: string): void {
  if (got !== want) throw new Error(`unipt ${variant}: expected ${want} ${what}, got ${got}`);
}
