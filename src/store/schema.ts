// Versioned migrations. Each entry moves the schema from version i to i+1 (PRAGMA user_version); a migration that
// has shipped is never edited, only followed by a new one.
export const MIGRATIONS: { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'runs, experiment links, per-epoch and final metrics, memory, parameters',
    sql: `
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  experiment TEXT,
  task TEXT NOT NULL,
  backbone TEXT NOT NULL,
  method TEXT NOT NULL,
  method_config TEXT NOT NULL,
  train_config TEXT NOT NULL,
  spec_json TEXT NOT NULL,
  seed INTEGER NOT NULL,
  data_source TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('planned','running','succeeded','failed','diverged','timed-out','cancelled')),
  error TEXT,
  error_step INTEGER,
  attempts INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  started_at TEXT,
  finished_at TEXT,
  heartbeat_at TEXT,
  pid INTEGER,
  owner_pid INTEGER,
  host TEXT,
  backend TEXT,
  versions_json TEXT NOT NULL,
  git_commit TEXT,
  progress_json TEXT,
  best_epoch INTEGER,
  total_seconds REAL,
  train_seconds REAL,
  eval_seconds REAL,
  ms_per_step REAL,
  steps INTEGER,
  log_path TEXT,
  result_path TEXT,
  result_json TEXT
);
CREATE INDEX runs_status ON runs(status);
CREATE INDEX runs_task_method ON runs(task, method);

CREATE TABLE experiment_runs (
  experiment TEXT NOT NULL,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  variant TEXT NOT NULL,
  task_view TEXT NOT NULL,
  linked_at TEXT NOT NULL,
  PRIMARY KEY (experiment, run_id, variant, task_view)
);
CREATE INDEX experiment_runs_run ON experiment_runs(run_id);

CREATE TABLE epochs (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  train_loss REAL,
  steps INTEGER NOT NULL,
  seconds REAL NOT NULL,
  PRIMARY KEY (run_id, epoch)
);

CREATE TABLE epoch_metrics (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  split TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL,
  PRIMARY KEY (run_id, epoch, split, metric)
);

CREATE TABLE final_metrics (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  split TEXT NOT NULL,
  metric TEXT NOT NULL,
  value REAL,
  PRIMARY KEY (run_id, split, metric)
);

CREATE TABLE memory (
  run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  protocol TEXT NOT NULL,
  tracker TEXT,
  peak_bytes INTEGER NOT NULL,
  persistent_bytes INTEGER,
  frozen_params INTEGER,
  trainable_params INTEGER,
  optimizer_state INTEGER,
  extra_copies INTEGER,
  other INTEGER,
  transient INTEGER,
  steps INTEGER,
  vm_hwm_bytes INTEGER,
  wasm_heap_bytes INTEGER
);

CREATE TABLE params (
  run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
  total INTEGER NOT NULL,
  trainable INTEGER NOT NULL,
  added INTEGER NOT NULL,
  backbone INTEGER NOT NULL
);

CREATE TABLE param_modules (
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  module TEXT NOT NULL,
  total INTEGER NOT NULL,
  trainable INTEGER NOT NULL,
  PRIMARY KEY (run_id, module)
);

CREATE TABLE migrations (
  version INTEGER PRIMARY KEY,
  description TEXT NOT NULL,
  applied_at TEXT NOT NULL
);
`,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
