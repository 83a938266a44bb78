// Registry records: what the paper's tasks, backbones and methods are, independent of how anything runs.
import type { BackboneFamily } from '../petl/types.js';
import type { MetricDef, TrainConfig } from '../train/spec.js';

export type TaskFamilyId = 'glue' | 'image-text' | 'video-text' | 'vqa' | 'grounding';

/** Training settings of the paper (or its reference code) for one task; `lr` may differ per method. */
export interface PaperTrain {
  train: Partial<TrainConfig> & Pick<TrainConfig, 'epochs' | 'batchSize' | 'lr'>;
  /** Learning rate per method id where the reference scripts give one (else `train.lr`). */
  lrByMethod?: Record<string, number>;
  /** Where these numbers come from, with the reference's provenance tags ([CODE], [INFERRED], ...). */
  provenance: string;
}

export interface TaskDef {
  id: string;
  title: string;
  family: TaskFamilyId;
  dataset: string;
  /** The backbone the paper used for this task, e.g. "T5-base" or "VSE∞ (BERT-base + ResNeXt-101 32x8d WSL)". */
  paperBackbone: string;
  /** Backbone families the task can run on in this project (first = default). */
  backboneFamilies: BackboneFamily[];
  /** The mini backbone a run uses when none is named. */
  defaultBackbone: string;
  /** Metrics, headline first, with direction. */
  metrics: MetricDef[];
  splits: { train: string; validation: string; test: string };
  /**
   * Expected layout of the real dataset folder and where to get it. `folder` is where `unipt doctor` and experiment
   * files with `data: real` look for it, relative to the data root (UNIPT_DATA_DIR, default datasets/).
   */
  realData: { layout: string; source: string; folder: string };
  mini: { description: string };
  /** The paper's (or the reference codebase's) training setup, as prose with provenance. */
  paperSetup: { epochs: number; lr: number | string; batchSize: number; notes: string };
  /** The same setup as training settings, used by experiment files with `defaults: paper`. */
  paperTrain: PaperTrain;
  /** Defaults for mini runs (overridable by experiment files and --set). */
  miniTrain: Partial<TrainConfig> & Pick<TrainConfig, 'epochs' | 'batchSize' | 'lr'>;
  /**
   * Per-method mini overrides for this task on its default backbone family (backboneFamilies[0]), over that family's
   * METHOD_MINI_TRAIN; experiment files and --set win. Other families keep their own rates (the GLUE tasks' encoder
   * rates must not reach t5-mini, whose text-to-text runs are tuned in src/tasks/glue-t5/mini-train.ts).
   */
  miniTrainByMethod?: Record<string, Partial<TrainConfig>>;
  /**
   * Per-method mini overrides for this task on its other backbone families (e.g. the GLUE tasks on t5-mini), over
   * that family's METHOD_MINI_TRAIN; experiment files and --set win.
   */
  miniTrainByFamily?: Partial<Record<BackboneFamily, Record<string, Partial<TrainConfig>>>>;
  /**
   * Set when this task is an evaluation of another task's training (MSCOCO 5K is evaluated from the MSCOCO training
   * whose headline is the 5-fold 1K test): a sweep plans the other task's run, and this task's metrics are read
   * from that run's metrics named `<metricPrefix><metric>`.
   */
  evaluatedFrom?: { task: string; metricPrefix: string };
  /** Bumped when the task's data, loss or metrics change a number. */
  version: string;
}

export interface BackboneDef {
  id: string;
  family: BackboneFamily;
  kind: 'mini' | 'paper';
  title: string;
  /** Architecture parameters (Hugging Face config fields, or the reference code's names where HF has none). */
  config: Record<string, unknown>;
  /** mini: the project pretrains it (`unipt pretrain <id>`); paper: the user supplies the checkpoint folder. */
  source: string;
  /** For paper-scale entries: the published parameter count where known, with provenance. */
  paramCount?: { value: number; provenance: string };
}
