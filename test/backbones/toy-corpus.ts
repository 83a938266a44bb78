// A tiny deterministic corpus for the backbone tests (independent of the project's procedural language): clauses
// "det(n) [adj] noun_n verb_n" where the determiner is fixed by the noun (n mod 4) and each noun has its own verb,
// so a masked determiner, noun or verb is predictable from its neighbours while a unigram guess is not.
import type { Rng } from '../../src/engine/rng.js';
import type { CorpusBatch, MlmCorpus, SpecialTokens } from '../../src/backbones/text/pretrain.js';

export interface ToyCorpus extends MlmCorpus {
  nouns: number;
  /** First id of each word class. */
  ids: { noun: number; verb: number; det: number; adj: number };
}

export function toyCorpus(nouns = 16, adjectives = 8): ToyCorpus {
  const special: SpecialTokens = { pad: 0, unk: 1, cls: 2, sep: 3, mask: 4 };
  const ids = { noun: 5, verb: 5 + nouns, det: 5 + 2 * nouns, adj: 5 + 2 * nouns + 4 };
  const vocabSize = ids.adj + adjectives;
  return {
    vocabSize, special, nouns, ids,
    sample(rng: Rng, batchSize: number, maxLength: number): CorpusBatch {
      const n = batchSize * maxLength;
      const out = new Int32Array(n).fill(special.pad);
      const mask = new Int32Array(n);
      for (let b = 0; b < batchSize; b++) {
        const row: number[] = [special.cls];
        for (;;) {
          const noun = rng.int(nouns);
          const clause = [ids.det + (noun % 4), ...(rng.next() < 0.5 ? [ids.adj + rng.int(adjectives)] : []), ids.noun + noun, ids.verb + noun];
          if (row.length + clause.length + 1 > maxLength || (row.length > 1 && rng.next() < 0.3)) break;
          row.push(...clause);
        }
        if (row.length === 1) throw new Error(`maxLength ${maxLength} is too short for one toy clause`);
        row.push(special.sep);
        row.forEach((t, i) => { out[b * maxLength + i] = t; mask[b * maxLength + i] = 1; });
      }
      return { ids: out, mask };
    },
  };
}
