// Paper targets: every published number this project knows (reference section 4), with its provenance and a
// tolerance, and an explicit "unknown" for every other cell. Nothing here is estimated by this project.
import { GLUE_TASKS } from './glue-tasks.js';
import { TASKS } from './tasks.js';

/** Provenance tags of the reference: PAPER-LST (the LST paper's text), FIGURE (read off LST's Figure 1), SECONDARY / TERTIARY (quoted by others), CODE (computed from the released configs). */
export type TargetProvenance = 'PAPER-LST' | 'FIGURE' | 'SECONDARY' | 'TERTIARY' | 'CODE';

export type TargetQuantity = 'metric' | 'memory' | 'trainable-params';

export interface PaperTarget {
  /** Stable key, e.g. "glue-avg/t5-base/lora/metric". */
  key: string;
  /** A task id, or "glue-avg" for the mean of the eight GLUE headlines (LST's "average accuracy"). */
  scope: string;
  /** The tasks the number covers (one, or the eight GLUE tasks for glue-avg). */
  tasks: string[];
  backbone: string;
  method: string;
  quantity: TargetQuantity;
  /** For quantity "metric": the metric name ("average of headlines" for glue-avg). */
  metric?: string;
  value: number;
  unit: string;
  /** |reproduced - value| <= tolerance counts as reproduced (in `unit`). */
  tolerance: number;
  provenance: TargetProvenance;
  /** True when the value was read off a plot. */
  approximate: boolean;
  source: string;
  /** What a reproduction must match for the comparison to mean anything (e.g. the memory protocol). */
  comparableWhen: string;
}

export interface UnknownTarget {
  key: string;
  scope: string;
  backbone: string;
  method: string;
  quantity: TargetQuantity;
  status: 'unknown';
  reason: string;
}

const GLUE_IDS = GLUE_TASKS.map((t) => t.id);
const LST_FIG = 'LST paper (Sung et al., NeurIPS 2022), Figure 1 (assets/teaser.png), via the reference section 4';
const GLUE_COMPARABLE = 'T5-base, real GLUE data with the LST splits, mean over seeds 0,1,2 of the eight tasks\' average_metrics';
const MEM_COMPARABLE = 'memory measured as torch.cuda.max_memory_allocated()/1024**2/1000 ("GB") at batch 100, length 128 on a GPU; mem-v1 numbers measure something else and are not comparable';

function glueAvg(method: string, backbone: string, value: number, provenance: TargetProvenance, approximate: boolean, source: string): PaperTarget {
  return {
    key: `glue-avg/${backbone}/${method}/metric`, scope: 'glue-avg', tasks: GLUE_IDS, backbone, method, quantity: 'metric',
    metric: 'average of headlines', value, unit: 'points (%)', tolerance: approximate ? 1.5 : 1.0, provenance, approximate, source,
    comparableWhen: GLUE_COMPARABLE.replace('T5-base', backbone),
  };
}
function glueMem(method: string, backbone: string, value: number, provenance: TargetProvenance, approximate: boolean, source: string): PaperTarget {
  return {
    key: `glue-avg/${backbone}/${method}/memory`, scope: 'glue-avg', tasks: GLUE_IDS, backbone, method, quantity: 'memory',
    value, unit: 'GB (MiB/1000)', tolerance: Number((value * (approximate ? 0.15 : 0.1)).toFixed(2)), provenance, approximate, source,
    comparableWhen: MEM_COMPARABLE,
  };
}
function glueParams(method: string, value: number): PaperTarget {
  return {
    key: `glue-avg/t5-base/${method}/trainable-params`, scope: 'glue-avg', tasks: GLUE_IDS, backbone: 't5-base', method, quantity: 'trainable-params',
    value, unit: 'parameters', tolerance: 0, provenance: 'CODE', approximate: false,
    source: 'computed from the LST configs against T5-base = 222,903,552 parameters (reference section 4)',
    comparableWhen: 'T5-base with the LST configuration of the method (adapter reduction 16, LoRA rank 32 + biases, 100 prompt tokens, LST r=8 with 9 of 12 side layers)',
  };
}

const SEC = `${LST_FIG} and a secondary source`;
export const PAPER_TARGETS: PaperTarget[] = [
  // GLUE average (T5-base), LST protocol.
  glueAvg('full', 't5-base', 85.2, 'PAPER-LST', false, SEC),
  glueAvg('adapter', 't5-base', 85.3, 'TERTIARY', false, `${LST_FIG}; value from a tertiary source`),
  glueAvg('lora', 't5-base', 85.3, 'TERTIARY', false, 'a tertiary source quoting LST Table 1 (reference section 4)'),
  glueAvg('bitfit', 't5-base', 84.1, 'FIGURE', true, LST_FIG),
  glueAvg('prompt', 't5-base', 72.3, 'FIGURE', true, LST_FIG),
  glueAvg('lst', 't5-base', 84.1, 'PAPER-LST', false, SEC),
  glueAvg('lst', 't5-large', 87.0, 'FIGURE', true, LST_FIG),
  glueAvg('lst', 't5-3b', 87.9, 'FIGURE', true, LST_FIG),
  // Training memory in the papers' unit.
  glueMem('full', 't5-base', 17.6, 'PAPER-LST', false, `${SEC}; LST abstract: LST saves 69% of full fine-tuning's memory (5.5/17.6 = 0.31)`),
  glueMem('adapter', 't5-base', 13.0, 'TERTIARY', false, `${LST_FIG} and a tertiary source; consistent with the LST abstract's "others save 26%" (13.0/17.6 = 0.74)`),
  glueMem('lora', 't5-base', 12.6, 'TERTIARY', false, 'a tertiary source quoting LST Table 1 (reference section 4)'),
  glueMem('bitfit', 't5-base', 10.7, 'FIGURE', true, LST_FIG),
  glueMem('prompt', 't5-base', 11.6, 'FIGURE', true, LST_FIG),
  glueMem('lst', 't5-base', 5.5, 'PAPER-LST', false, SEC),
  glueMem('lst', 't5-large', 12.2, 'FIGURE', true, LST_FIG),
  glueMem('lst', 't5-3b', 22.3, 'FIGURE', true, LST_FIG),
  // Trainable parameters (T5-base).
  glueParams('full', 222_903_552),
  glueParams('adapter', 3_625_728),
  glueParams('lora', 3_821_440),
  glueParams('bitfit', 282_496),
  glueParams('prompt', 76_800),
  glueParams('lst', 3_878_712),
  // Flickr30K with VSE∞, a later paper's summary (its memory column is unreliable and is not used).
  ...([['full', 546.6, 201.2e6], ['lst', 529.5, 9.7e6], ['unipt', 537.4, 12.4e6]] as const).flatMap(([method, rsum, params]): PaperTarget[] => [
    {
      key: `itr-flickr30k/vse-infty/${method}/metric`, scope: 'itr-flickr30k', tasks: ['itr-flickr30k'], backbone: 'vse-infty', method, quantity: 'metric',
      metric: 'rsum', value: rsum, unit: 'rsum points', tolerance: 6, provenance: 'TERTIARY', approximate: false,
      source: 'a later paper\'s Flickr30K table summarising UniPT/LST results (reference section 4); to be confirmed against the UniPT paper (section 8.8)',
      comparableWhen: 'VSE∞ (BERT-base + ResNeXt-101 WSL) on real Flickr30K, 1K test, VSE∞ training setup',
    },
    {
      key: `itr-flickr30k/vse-infty/${method}/trainable-params`, scope: 'itr-flickr30k', tasks: ['itr-flickr30k'], backbone: 'vse-infty', method, quantity: 'trainable-params',
      value: params, unit: 'parameters', tolerance: 0.05e6, provenance: 'TERTIARY', approximate: false,
      source: `the same table, given to 0.1 M${method === 'unipt' ? ' (12.38 M computed from the official UniPT module)' : ''}`,
      comparableWhen: 'VSE∞ at the official sizes (the count includes the trained heads of the method)',
    },
  ]),
];

const UNIPT_TABLES = 'the UniPT paper\'s result tables are not available to this project (reference sections 4 and 8.1)';
const LST_PER_TASK = 'LST\'s per-task GLUE scores are not available (reference section 8.6)';

function paperBackboneId(taskId: string): string {
  const t = TASKS.find((x) => x.id === taskId);
  switch (t?.family) {
    case 'glue': return 't5-base';
    case 'image-text': return 'vse-infty';
    case 'video-text': return 'clip-vit-b32';
    case 'vqa': return 'clip-vil';
    case 'grounding': return 'mdetr-r101';
    default: return 'unknown';
  }
}

/** The known target for a cell, or an explicit unknown with the reason. `scope` is a task id or "glue-avg". */
export function paperTarget(scope: string, method: string, quantity: TargetQuantity, backbone = scope === 'glue-avg' ? 't5-base' : paperBackboneId(scope)): PaperTarget | UnknownTarget {
  const key = `${scope}/${backbone}/${method}/${quantity}`;
  const hit = PAPER_TARGETS.find((t) => t.key === key);
  if (hit) return hit;
  let reason = UNIPT_TABLES;
  if (GLUE_IDS.includes(scope)) reason = `${LST_PER_TASK}; ${UNIPT_TABLES}`;
  else if (scope === 'itr-flickr30k' && quantity === 'memory') reason = `the only secondary source's memory column is unreliable (24.4 G for both LST and UniPT, reference section 8.8); ${UNIPT_TABLES}`;
  return { key, scope, backbone, method, quantity, status: 'unknown', reason };
}

export function isKnownTarget(t: PaperTarget | UnknownTarget): t is PaperTarget { return !('status' in t); }

/** Every cell of the paper's comparison (each task and glue-avg, each method, each quantity): known or unknown. */
export function allTargetCells(methods: readonly string[]): (PaperTarget | UnknownTarget)[] {
  const scopes = ['glue-avg', ...TASKS.map((t) => t.id)];
  const quantities: TargetQuantity[] = ['metric', 'memory', 'trainable-params'];
  const cells = scopes.flatMap((s) => methods.flatMap((m) => quantities.map((q) => paperTarget(s, m, q))));
  // Targets on other backbones (LST on T5-large/3B) are cells too.
  const extra = PAPER_TARGETS.filter((t) => methods.includes(t.method) && !cells.some((c) => c.key === t.key));
  return [...cells, ...extra];
}

/** Within tolerance? (null when there is no known target.) */
export function withinTarget(t: PaperTarget | UnknownTarget, reproduced: number): boolean | null {
  if (!isKnownTarget(t)) return null;
  return Math.abs(reproduced - t.value) <= t.tolerance + 1e-9;
}
