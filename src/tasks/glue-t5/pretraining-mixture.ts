// The supervised half of t5-mini's pretraining mixture. T5 v1.0 (t5-base, the checkpoint LST fine-tunes and UniPT's
// GLUE comparison reuses) was pretrained on span corruption mixed with supervised tasks, GLUE's training sets among
// them, in the text-to-text format LST later fine-tunes with; its frozen features and LM head therefore already know
// the tasks' label strings. The mini does the same with the eight mini GLUE tasks' *training* sets drawn at a seed of
// their own (not the fine-tuning data's), and drops any example whose source is one of the fine-tuning data's
// validation or test sources, so no evaluated example is ever seen in pretraining.
import type { Rng } from '../../engine/rng.js';
import { GLUE_TASK_IDS, loadGlue, miniDataFingerprint, type GlueTaskId } from '../glue/data/index.js';
import { GLUE_DATA_SEED } from '../glue/family.js';
import { t5Source, t5Target } from './format.js';
import { T5_MAX_SOURCE_LENGTH } from './run.js';

/** The mini GLUE data seed of the pretraining mixture (the fine-tuning data use GLUE_DATA_SEED). */
export const T5_MIXTURE_DATA_SEED = 7;

export interface GlueMixture {
  /** One example: a task drawn uniformly, then one of its training examples. */
  sample: (rng: Rng) => { source: string; target: string };
  maxSourceLength: number;
  /** Per task: examples kept, examples dropped (their source is an evaluation source), the data fingerprint. */
  tasks: Record<string, { kept: number; dropped: number; data: string }>;
}

export async function glueMixture(seed = T5_MIXTURE_DATA_SEED): Promise<GlueMixture> {
  if (seed === GLUE_DATA_SEED) throw new Error(`the pretraining mixture must not use the fine-tuning data seed (${GLUE_DATA_SEED})`);
  const pools: { source: string; target: string }[][] = [];
  const tasks: GlueMixture['tasks'] = {};
  for (const task of GLUE_TASK_IDS as readonly GlueTaskId[]) {
    const evaluated = await loadGlue(task, { source: 'mini' }, GLUE_DATA_SEED);
    const held = new Set([...evaluated.validation, ...evaluated.test].map((x) => t5Source(task, x)));
    const data = await loadGlue(task, { source: 'mini' }, seed);
    const rows = data.train.map((x) => ({ source: t5Source(task, x), target: t5Target(task, x.label) }));
    const kept = rows.filter((r) => !held.has(r.source));
    if (!kept.length) throw new Error(`pretraining mixture: every ${task} example at seed ${seed} is an evaluation example`);
    pools.push(kept);
    tasks[task] = { kept: kept.length, dropped: rows.length - kept.length, data: miniDataFingerprint(task, seed) };
  }
  return {
    sample: (rng) => rng.pick(pools[rng.int(pools.length)]),
    maxSourceLength: T5_MAX_SOURCE_LENGTH,
    tasks,
  };
}
