// The mini GLUE generators by task, their raw sets (GLUE's train/dev files in procedural form) and the data
// fingerprint that identifies what they generate.
import { createHash } from 'node:crypto';
import { LANGUAGE_VERSION } from '../../../../data/language/index.js';
import type { GlueExample, GlueTaskId } from '../schema.js';
import type { RawSets } from '../splits.js';
import { generateSet, type MiniTaskDef } from './common.js';
import { COLA_MINI } from './cola.js';
import { SST2_MINI } from './sst2.js';
import { MRPC_MINI, QQP_MINI, STSB_MINI } from './paraphrase.js';
import { MNLI_MINI, RTE_MINI } from './nli.js';
import { QNLI_MINI } from './qnli.js';

/** Bump when the shared generation frame (common.ts, edits.ts) changes output. */
export const MINI_FRAME_VERSION = '1';

export const MINI_DEFS: Record<GlueTaskId, MiniTaskDef> = {
  'glue-cola': COLA_MINI, 'glue-sst2': SST2_MINI, 'glue-mrpc': MRPC_MINI, 'glue-qqp': QQP_MINI,
  'glue-stsb': STSB_MINI, 'glue-mnli': MNLI_MINI, 'glue-qnli': QNLI_MINI, 'glue-rte': RTE_MINI,
};

/** The raw sets of a mini task: training sets from common words only, dev sets from every word. */
export function generateMiniRaw(task: GlueTaskId, seed: number, sizes?: Partial<Record<string, number>>): RawSets {
  const def = MINI_DEFS[task];
  const seen = new Set<string>();
  const out: Record<string, GlueExample[]> = {};
  // train first, so the dev sets can avoid repeating its texts
  for (const [set, n] of Object.entries(def.sizes)) out[set] = generateSet(def, seed, set, sizes?.[set] ?? n, set === 'train' ? 'train' : 'eval', seen);
  return out as unknown as RawSets;
}

/** A short hash of everything that determines the mini data: language, frame and generator versions, seed, sizes. */
export function miniFingerprint(task: GlueTaskId, seed: number, extra: Record<string, unknown> = {}): string {
  const def = MINI_DEFS[task];
  const ident = { kind: 'glue-mini', language: LANGUAGE_VERSION, frame: MINI_FRAME_VERSION, task, generator: def.version, seed, sizes: def.sizes, ...extra };
  return createHash('sha256').update(JSON.stringify(ident)).digest('hex').slice(0, 16);
}
