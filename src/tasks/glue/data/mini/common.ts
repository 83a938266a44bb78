// The frame shared by the mini generators: label-balanced, deduplicated, deterministic example sets.
import { Rng, hashSeed } from '../../../../engine/rng.js';
import { Picker, lexicon, textTokens, type Domain, type Lexicon, type Pool } from '../../../../data/language/index.js';

/** Every mini example fits this many tokens with BERT's special tokens ([CLS] a [SEP] (b [SEP])). */
export const MINI_MAX_TOKENS = 40;
import type { GlueExample, GlueTaskId } from '../schema.js';

export interface GenCtx { p: Picker; rng: Rng; lex: Lexicon; pool: Pool; domains?: readonly Domain[] }

/** The example's text fields (and, for STS-B, its score as `label`). */
export type Generated = Record<string, string | number>;

export interface MiniTaskDef {
  task: GlueTaskId;
  /** Bump when this generator's output changes (it enters the data fingerprint). */
  version: string;
  /** Raw set sizes: GLUE's files are train + dev (MNLI: train + dev_matched + dev_mismatched). */
  sizes: Record<string, number>;
  /** Class shares by label id, or null for regression (the generator returns the score). */
  labelShares: readonly number[] | null;
  generate(ctx: GenCtx, label: number): Generated;
  /** MNLI genres: the domains a raw set draws from (default: all). */
  domainsFor?(set: string): readonly Domain[];
}

/** Exact label counts for n examples with the given shares, in a seeded random order. */
export function labelSequence(rng: Rng, n: number, shares: readonly number[]): number[] {
  const counts = shares.map((s) => Math.floor(n * s));
  let rest = n - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; rest > 0; i = (i + 1) % counts.length, rest--) counts[i]++;
  const seq = counts.flatMap((c, label) => Array<number>(c).fill(label));
  return rng.shuffle(seq);
}

/**
 * One raw set. Training sets use the 'train' pool (common lemmas only), dev sets the 'eval' pool. Texts already in
 * `seen` (e.g. the training set's) are regenerated, so no dev example repeats a training example verbatim.
 */
export function generateSet(def: MiniTaskDef, seed: number, set: string, n: number, pool: Pool, seen: Set<string>): GlueExample[] {
  const rng = new Rng(hashSeed(seed, `${def.task}/${set}`));
  const ctx: GenCtx = { p: new Picker(rng, pool), rng, lex: lexicon(), pool, domains: def.domainsFor?.(set) };
  const labels = def.labelShares ? labelSequence(rng, n, def.labelShares) : Array<number>(n).fill(-1);
  const out: GlueExample[] = [];
  for (let i = 0; i < n; i++) {
    let g: Generated | null = null;
    for (let attempt = 0; attempt < 50; attempt++) {
      const cand = def.generate(ctx, labels[i]);
      const texts = Object.entries(cand).filter(([k]) => k !== 'label').map(([, v]) => String(v));
      const key = texts.join('\t');
      const tokens = texts.reduce((n, t) => n + textTokens(t).length + 1, 1);
      if (tokens <= MINI_MAX_TOKENS && !seen.has(key)) { seen.add(key); g = cand; break; }
    }
    if (!g) throw new Error(`mini ${def.task}: could not generate a new distinct example that fits ${MINI_MAX_TOKENS} tokens for ${set}[${i}] after 50 attempts`);
    const label = def.labelShares ? labels[i] : Number(g.label);
    out.push({ ...g, idx: i, label } as unknown as GlueExample);
  }
  return out;
}
