// GLUE data for a run: the mini procedural version or the real files, split by LST's protocol.
//
//   const data = await loadGlue('glue-rte', { source: 'mini' });          // or { source: 'real', path }
//   data.train / data.validation / data.test : GlueExample[]               // fields per data.meta.fields
//   exampleTexts(glueSchema('glue-rte'), data.train[0])                    // -> [sentence1, sentence2]
//
// `seed` is the *data* seed (generation and split shuffles), default 42 as in LST; runs that differ only in their
// training seed should keep it, so they see the same examples. meta.fingerprint identifies the data exactly.
import { createHash } from 'node:crypto';
import { InputError } from '../../../util/errors.js';
import { GLUE_TASK_IDS, glueSchema, isGlueTaskId, type GlueExample, type GlueExampleOf, type GlueTaskId, type SplitRule } from './schema.js';
import { DEFAULT_DATA_SEED, LARGE_VALIDATION_SIZE, lstSplits, type RawSets } from './splits.js';
import { generateMiniRaw, miniFingerprint, MINI_DEFS } from './mini/index.js';
import { loadRealRaw, type RealLayout, type SkippedRow } from './real.js';

export * from './schema.js';
export { DEFAULT_DATA_SEED, LARGE_VALIDATION_SIZE, lstSplits } from './splits.js';
export { MINI_DEFS, generateMiniRaw, miniFingerprint } from './mini/index.js';
export { MINI_MAX_TOKENS } from './mini/common.js';
export { resolveRealFolder, loadRealRaw } from './real.js';

/** Bump when the split procedure changes which examples land where. */
export const GLUE_SPLIT_PROTOCOL = 'lst-v1';

export type GlueSource = { source: 'mini' } | { source: 'real'; path: string };

export interface GlueDataMeta {
  task: GlueTaskId;
  name: string;
  /** Class names by id; null for STS-B. */
  labels: readonly string[] | null;
  /** Head outputs: number of classes, or 1 for the STS-B regression. */
  numLabels: number;
  isRegression: boolean;
  /** Text fields in order (one, or two for pair tasks). */
  fields: readonly string[];
  /** Hash of everything that determines the examples and their split (for run identity). */
  fingerprint: string;
  source: 'mini' | 'real';
  layout: 'mini' | RealLayout;
  splitRule: SplitRule;
  dataSeed: number;
  sizes: { train: number; validation: number; test: number };
  /** Real data: the folder and files read, and rows dropped as corrupt (QQP only, as Hugging Face does). */
  folder?: string;
  files?: string[];
  skipped?: SkippedRow[];
}

export interface GlueData<E = GlueExample> { train: E[]; validation: E[]; test: E[]; meta: GlueDataMeta }

export interface LoadGlueOptions {
  /** Large tasks' validation size (LST: 1,000); smaller only for tests on tiny files. */
  largeValidationSize?: number;
  /** Override mini raw set sizes (e.g. { train: 200, dev: 100 }) for quick tests. */
  miniSizes?: Partial<Record<string, number>>;
}

function splitIdentity(opts: LoadGlueOptions): Record<string, unknown> {
  const k = opts.largeValidationSize ?? LARGE_VALIDATION_SIZE;
  return { protocol: GLUE_SPLIT_PROTOCOL, ...(k !== LARGE_VALIDATION_SIZE ? { largeValidationSize: k } : {}) };
}

/**
 * The fingerprint loadGlue reports for mini data, computed without generating it (language, generator and split
 * versions, seed, sizes), for run identity.
 */
export function miniDataFingerprint(taskId: GlueTaskId, seed = DEFAULT_DATA_SEED, opts: LoadGlueOptions = {}): string {
  const sizes = { ...MINI_DEFS[taskId].sizes, ...opts.miniSizes };
  return miniFingerprint(taskId, seed, { ...splitIdentity(opts), ...(opts.miniSizes ? { sizes } : {}) });
}

function contentHash(raw: RawSets): string {
  const h = createHash('sha256');
  for (const [set, xs] of Object.entries(raw) as [string, GlueExample[] | undefined][]) {
    if (!xs) continue;
    h.update(`#${set}:${xs.length}\n`);
    for (const x of xs) h.update(`${JSON.stringify(x)}\n`);
  }
  return h.digest('hex');
}

/** Typed by task id when it is a literal (e.g. loadGlue('glue-mnli', ...) gives premise/hypothesis examples). */
export async function loadGlue<T extends GlueTaskId>(taskId: T, source: GlueSource, seed?: number, opts?: LoadGlueOptions): Promise<GlueData<GlueExampleOf<T>>>;
export async function loadGlue(taskId: string, source: GlueSource, seed?: number, opts?: LoadGlueOptions): Promise<GlueData>;
// (implementation signature: the overloads above give callers precise types)
export async function loadGlue(taskId: string, source: GlueSource, seed = DEFAULT_DATA_SEED, opts: LoadGlueOptions = {}): Promise<GlueData<any>> {
  if (!isGlueTaskId(taskId)) throw new InputError(`unknown GLUE task "${taskId}"; known: ${GLUE_TASK_IDS.join(', ')}`);
  if (!Number.isInteger(seed) || seed < 0) throw new InputError(`the GLUE data seed must be a non-negative integer, got ${seed}`);
  const schema = glueSchema(taskId);
  const largeValidationSize = opts.largeValidationSize ?? LARGE_VALIDATION_SIZE;
  const splitIdent = splitIdentity(opts);
  let raw: RawSets; let fingerprint: string;
  let extra: Partial<GlueDataMeta> = {};
  if (source.source === 'mini') {
    raw = generateMiniRaw(taskId, seed, opts.miniSizes);
    fingerprint = miniDataFingerprint(taskId, seed, opts);
    extra = { layout: 'mini' };
  } else if (source.source === 'real') {
    const r = await loadRealRaw(schema, source.path);
    raw = r.raw;
    fingerprint = createHash('sha256').update(JSON.stringify({ kind: 'glue-real', task: taskId, seed, ...splitIdent, content: contentHash(raw) })).digest('hex').slice(0, 16);
    extra = { layout: r.layout, folder: r.folder, files: r.files, skipped: r.skipped };
  } else {
    throw new InputError(`unknown GLUE data source ${JSON.stringify(source)}; use { source: 'mini' } or { source: 'real', path }`);
  }
  const where = source.source === 'real' ? `${schema.name} in ${extra.folder}` : `mini ${schema.name}`;
  const s = lstSplits(schema, raw, seed, { largeValidationSize, where });
  return {
    ...s,
    meta: {
      task: taskId, name: schema.name, labels: schema.labels, numLabels: schema.labels?.length ?? 1, isRegression: schema.isRegression,
      fields: schema.fields, fingerprint, source: source.source, layout: extra.layout!, splitRule: schema.splitRule, dataSeed: seed,
      sizes: { train: s.train.length, validation: s.validation.length, test: s.test.length },
      ...(extra.folder ? { folder: extra.folder, files: extra.files, skipped: extra.skipped } : {}),
    },
  };
}
