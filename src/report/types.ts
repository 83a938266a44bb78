// What the report reads: the runs of one experiment (as stored) and a catalog of registry facts (tasks, methods,
// backbones, the capability matrix, paper targets). Everything here is plain data so the report can be built from
// the store, from fixture files, or from the registry alike, and stays free of tensors.
import type { MetricDirection, RunResult } from '../train/spec.js';

/** One stored run: its id in the store and the full RunResult. */
export interface ReportRun {
  runId: string;
  result: RunResult;
  /** The task this run is shown as when it differs from spec.task (one training evaluated two ways, e.g. MSCOCO 1K/5K). */
  task?: string;
  /** The experiment's name for the variant this run serves (from the experiment file), when the store has one. */
  variant?: string;
}

export interface ReportInput {
  experiment: string;
  runs: ReportRun[];
  /** When the report was generated (ISO 8601). */
  generatedAt: string;
}

export interface CatalogTask {
  id: string;
  /** Short column label, e.g. "SST-2". */
  label: string;
  family: string;
  /** Column position (the registry's task order). */
  order: number;
  /** Metric directions by name (headline first) for runs whose RunResult lacks metricDefs. */
  metrics: { name: string; direction: MetricDirection }[];
  /** Set when this task's numbers are read from another task's run under prefixed names (MSCOCO 5K from 1K). */
  evaluatedFrom?: { task: string; metricPrefix: string };
}

export interface CatalogMethod {
  id: string;
  label: string;
  /** Position in tables and legends (the order the papers list methods in). */
  order: number;
}

export type CapabilityStatus = 'supported' | 'not-applicable' | 'not-yet-implemented';

/** A published number to compare with, always with where it comes from. */
export interface PaperTarget {
  /** The metric the number is for (usually the task's headline, or a family average such as the GLUE average). */
  metric: string;
  value: number;
  /** Where it comes from, e.g. "LST (Sung et al. 2022), Figure 1". */
  source: string;
  /** Training memory as the paper reports it (its own unit and hardware; never compared with mem-v1 bytes). */
  memory?: { value: number; unit: string };
  /** Trainable parameters as the paper's configuration has them. */
  trainable?: number;
  /** The target is a value read off a plot. */
  approximate?: boolean;
  /** The tasks an average target covers (e.g. the eight GLUE tasks); a difference needs the same set. */
  tasks?: string[];
}

export interface Catalog {
  task(id: string): CatalogTask | undefined;
  method(id: string): CatalogMethod | undefined;
  /** The backbone family of a backbone id (registry) or null for unknown ids (e.g. a checkpoint folder). */
  backboneFamily(backbone: string): string | null;
  /** The capability matrix: may this method run on this backbone family at all? `reason` explains not-applicable. */
  capability(method: string, backboneFamily: string): { status: CapabilityStatus; reason?: string };
  /**
   * The paper's number for a method on a task (or on a task family average when `task` is "<family>:average") with
   * this backbone; undefined when none is known. Only targets for the same backbone are returned, so a difference
   * is always a like-for-like comparison.
   */
  paperTarget(q: { task: string; method: string; backbone: string }): PaperTarget | undefined;
}
