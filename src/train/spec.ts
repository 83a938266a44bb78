// The two contracts that cross process boundaries: RunSpec (what to run) and RunResult (what happened). Both are
// plain JSON. A RunSpec is validated here; its identity (a content hash) is computed by the sweep room.
import { z } from 'zod';
import { BACKEND_NAMES, type BackendInfo } from '../engine/backend.js';
import { MEMORY_PROTOCOL, type MemoryReport } from '../engine/memory/probe.js';

export const TrainConfigSchema = z.object({
  epochs: z.number().int().positive(),
  batchSize: z.number().int().positive(),
  /** Batch size for evaluation (default: batchSize). */
  evalBatchSize: z.number().int().positive().optional(),
  lr: z.number().positive(),
  schedule: z.enum(['constant', 'linear', 'cosine', 'step']).default('linear'),
  warmupRatio: z.number().min(0).max(1).default(0),
  /** For schedule "step": multiply the lr by 0.1 from this epoch on (VSE∞ lr_update, MDETR lr_drop). */
  lrDropEpoch: z.number().int().positive().optional(),
  weightDecay: z.number().min(0).default(0),
  clipNorm: z.number().min(0).default(0),
  /** Stop after this many optimizer steps in total (null = run every epoch). */
  maxSteps: z.number().int().positive().nullable().default(null),
  /** Use at most this many training examples (null = all); a seeded subset. */
  maxTrainExamples: z.number().int().positive().nullable().default(null),
}).strict();
export type TrainConfig = z.infer<typeof TrainConfigSchema>;

export const DataSourceSchema = z.discriminatedUnion('source', [
  z.object({ source: z.literal('mini') }).strict(),
  z.object({ source: z.literal('real'), path: z.string().min(1) }).strict(),
]);
export type DataSource = z.infer<typeof DataSourceSchema>;

export const RunSpecSchema = z.object({
  task: z.string().min(1),
  /** A registry backbone id (e.g. "text-mini", "bert-base") or a folder holding a Hugging Face checkpoint. */
  backbone: z.string().min(1),
  method: z.object({ id: z.string().min(1), config: z.record(z.string(), z.unknown()).default({}) }).strict(),
  train: TrainConfigSchema,
  data: DataSourceSchema.default({ source: 'mini' }),
  seed: z.number().int().nonnegative().default(0),
  backend: z.enum(BACKEND_NAMES).default('auto'),
  memoryProtocol: z.literal(MEMORY_PROTOCOL).default(MEMORY_PROTOCOL),
}).strict();
export type RunSpec = z.infer<typeof RunSpecSchema>;

export const RUN_STATUSES = ['succeeded', 'failed', 'diverged', 'timed-out', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export type MetricDirection = 'max' | 'min';
export interface MetricDef { name: string; direction: MetricDirection; description?: string }

export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's steps. */
  trainLoss: number;
  steps: number;
  /** Validation metrics after this epoch. */
  validation: Record<string, number>;
  seconds: number;
}

export interface ParamAccounting {
  /** Every parameter of the model (backbone + method modules + task head), buffers excluded. */
  total: number;
  trainable: number;
  /** Parameters that are not part of the pretrained backbone (method modules and the task head). */
  added: number;
  /** Parameters of the pretrained backbone alone. */
  backbone: number;
  byModule: Record<string, { total: number; trainable: number }>;
}

export interface RunResult {
  schema: 'unipt.run-result/v1';
  runId: string | null;
  spec: RunSpec;
  status: RunStatus;
  error: { message: string; step?: number; stack?: string } | null;
  /** Metric definitions of the task, headline first. */
  metricDefs: MetricDef[];
  epochs: EpochRecord[];
  /** Loss of every optimizer step (for training curves). */
  stepLosses: number[];
  final: {
    /** Validation metrics of the selected epoch (best headline), and which epoch that was. */
    validation: Record<string, number>;
    /** 0-based index into `epochs` (the CLI prints it 1-based, as its progress lines count epochs). */
    bestEpoch: number | null;
    /** Test metrics of the final model. */
    test: Record<string, number>;
  };
  params: ParamAccounting | null;
  memory: MemoryReport | null;
  timings: { totalSeconds: number; trainSeconds: number; evalSeconds: number; msPerStep: number | null; steps: number };
  env: {
    backend: BackendInfo | null;
    /** Versions that change a number: method, task, data fingerprint, checkpoint hash, and packages. */
    versions: Record<string, string>;
    commit: string | null;
    host: string;
    platform: string;
    startedAt: string;
    finishedAt: string;
  };
}
