// T5's span-corruption objective (Raffel et al. 2020, `random_spans_noise_mask` + `noise_span_to_unique_sentinel`):
// round(L * density) tokens (at least 1) in round(noise / mean_span) spans (at least 1) are dropped; both the noise
// and the kept tokens are cut into that many random non-empty segments, interleaved kept-first. The input keeps the
// kept tokens with each noise span replaced by one sentinel (<extra_id_0>, <extra_id_1>, ...); the target lists
// each sentinel followed by the tokens it replaced. Both end with </s>.
import type { Rng } from '../../engine/rng.js';

export interface SpanCorruptionOptions {
  noiseDensity?: number;
  meanNoiseSpanLength?: number;
}

/** Cuts `n` items into `k` non-empty segments at random (k - 1 distinct cut points); returns the lengths. */
export function randomSegmentation(n: number, k: number, rng: Rng): number[] {
  if (k < 1 || k > n) throw new Error(`cannot cut ${n} items into ${k} non-empty segments`);
  const points = Array.from({ length: n - 1 }, (_, i) => i + 1);
  for (let i = 0; i < k - 1; i++) { const j = i + rng.int(points.length - i); [points[i], points[j]] = [points[j], points[i]]; }
  const cuts = points.slice(0, k - 1).sort((a, b) => a - b);
  const lengths: number[] = [];
  let prev = 0;
  for (const c of [...cuts, n]) { lengths.push(c - prev); prev = c; }
  return lengths;
}

/** A boolean noise mask over `length` tokens (true = corrupted). */
export function randomSpansNoiseMask(length: number, rng: Rng, opts: SpanCorruptionOptions = {}): boolean[] {
  const density = opts.noiseDensity ?? 0.15, mean = opts.meanNoiseSpanLength ?? 3;
  if (length < 2) throw new Error(`span corruption needs at least 2 tokens, got ${length}`);
  const noise = Math.min(Math.max(Math.round(length * density), 1), length - 1);
  const spans = Math.min(Math.max(Math.round(noise / mean), 1), noise, length - noise);
  const noiseLens = randomSegmentation(noise, spans, rng);
  const keepLens = randomSegmentation(length - noise, spans, rng);
  const mask: boolean[] = [];
  for (let s = 0; s < spans; s++) {
    for (let i = 0; i < keepLens[s]; i++) mask.push(false);
    for (let i = 0; i < noiseLens[s]; i++) mask.push(true);
  }
  return mask;
}

export interface CorruptedPair { input: number[]; target: number[]; spans: number }

/**
 * Applies span corruption to `tokens` (no </s>); sentinel i is `sentinelId(i)`. Throws when there are more spans than
 * sentinels.
 */
export function spanCorrupt(tokens: readonly number[], rng: Rng, sentinelId: (i: number) => number, numSentinels: number, eosId: number, opts: SpanCorruptionOptions = {}): CorruptedPair {
  const mask = randomSpansNoiseMask(tokens.length, rng, opts);
  const input: number[] = [], target: number[] = [];
  let s = -1;
  for (let i = 0; i < tokens.length; i++) {
    if (mask[i]) {
      if (i === 0 || !mask[i - 1]) {
        s++;
        if (s >= numSentinels) throw new Error(`span corruption produced more than ${numSentinels} spans; use shorter sequences or more sentinels`);
        input.push(sentinelId(s));
        target.push(sentinelId(s));
      }
      target.push(tokens[i]);
    } else {
      input.push(tokens[i]);
    }
  }
  input.push(eosId);
  target.push(eosId);
  return { input, target, spans: s + 1 };
}
