// The results store: open it, write runs through the sweep's state machine, query them for status and reports.
export { Store, openStore, type OpenOptions } from './store.js';
export { SCHEMA_VERSION, MIGRATIONS } from './schema.js';
export { defaultDbPath, resultsDirFor } from './paths.js';
export type {
  RunRow, CellRow, RunLink, RunFilter, RunProgress, RunTimings, ExperimentSummary, PlannedRunInput, StoredStatus,
} from './types.js';
export { STORED_STATUSES } from './types.js';
