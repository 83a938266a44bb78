// Typed rows of the store, as the report and the CLI read them.
import type { RunResult, RunSpec, RunStatus, TrainConfig } from '../train/spec.js';

/** A run's state: planned and running while a sweep works on it, then one of the final RunResult statuses. */
export type StoredStatus = 'planned' | 'running' | RunStatus;
export const STORED_STATUSES: readonly StoredStatus[] = ['planned', 'running', 'succeeded', 'failed', 'diverged', 'timed-out', 'cancelled'];

/** The latest step a running run reported in its heartbeat. */
export interface RunProgress { epoch: number; step: number; totalSteps: number; loss: number; lr: number }

/** Which experiment cell a run serves: the experiment, its variant name, and the task shown (e.g. itr-coco-5k). */
export interface RunLink { experiment: string; variant: string; task: string }

export interface RunTimings { totalSeconds: number; trainSeconds: number; evalSeconds: number; msPerStep: number | null; steps: number }

export interface RunRow {
  id: string;
  /** The experiment that first planned the run (all links are in `links`). */
  experiment: string | null;
  task: string;
  backbone: string;
  method: string;
  methodConfig: Record<string, unknown>;
  trainConfig: TrainConfig;
  spec: RunSpec;
  seed: number;
  dataSource: 'mini' | 'real';
  status: StoredStatus;
  error: string | null;
  errorStep: number | null;
  /** How many times a process started this run. */
  attempts: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  heartbeatAt: string | null;
  /** The worker process running it (while running). */
  pid: number | null;
  /** The sweep process that started the worker. */
  ownerPid: number | null;
  host: string | null;
  backend: string | null;
  /** Versions in the run's identity (method, task, memory protocol, data, checkpoint) plus those the run reported. */
  versions: Record<string, string>;
  commit: string | null;
  progress: RunProgress | null;
  bestEpoch: number | null;
  timings: RunTimings | null;
  logPath: string | null;
  resultPath: string | null;
  /** The full RunResult (null while planned/running, or when a worker died before producing one). */
  result: RunResult | null;
  links: RunLink[];
}

/** One cell of an experiment: a run row seen through one of its links. */
export interface CellRow extends RunRow { variant: string; taskView: string }

export interface ExperimentSummary {
  experiment: string;
  runs: number;
  byStatus: Partial<Record<StoredStatus, number>>;
  lastFinishedAt: string | null;
}

export interface RunFilter {
  experiment?: string;
  status?: StoredStatus | StoredStatus[];
  task?: string;
  method?: string;
  ids?: string[];
  /** Parse result_json into `result` (default true). */
  withResult?: boolean;
}

/** What a sweep writes before it starts a run. */
export interface PlannedRunInput {
  id: string;
  spec: RunSpec;
  /** Identity versions (method, task, memoryProtocol, data, checkpoint). */
  versions: Record<string, string>;
  experiment: string;
  variant: string;
  taskView: string;
}
