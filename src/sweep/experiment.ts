// Experiment files (experiments/*.yaml): a grid over tasks x backbones x methods x variants x seeds, validated with
// zod; every error names the file, line and key. Strings may use ${VAR} or ${VAR:-default} from the environment.
import { basename, extname } from 'node:path';
import { z } from 'zod';
import { BACKEND_NAMES } from '../engine/backend.js';
import { getMethod, methodKeys, METHODS, TASKS } from '../registry/index.js';
import { TrainConfigSchema } from '../train/spec.js';
import { ExperimentFileError, YamlSource, formatPath, type YamlPath } from './yaml-source.js';

/** Training overrides: any TrainConfig key, none required, no defaults filled in (defaults come from the registry). */
export const TrainOverridesSchema = z.object(Object.fromEntries(Object.entries(TrainConfigSchema.shape).map(([k, v]) => {
  const t = v as z.ZodTypeAny;
  return [k, (t.def.type === 'default' ? (t as unknown as z.ZodDefault<z.ZodTypeAny>).unwrap() : t).optional()];
})) as Record<string, z.ZodOptional<z.ZodTypeAny>>).strict();
export type TrainOverrides = Record<string, unknown>;

const Id = z.string().min(1);
const IdList = z.union([z.literal('all'), z.array(Id).min(1)]);

const VariantSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.,=+-]+$/, 'letters, digits and _ . , = + - only'),
  description: z.string().optional(),
  /** Methods this variant applies to (default: every method of the experiment). */
  methods: z.array(Id).min(1).optional(),
  tasks: z.array(Id).min(1).optional(),
  config: z.record(z.string(), z.unknown()).optional(),
  train: TrainOverridesSchema.optional(),
}).strict();

const BackboneSchema = z.union([
  Id,
  z.object({ id: Id, path: Id.optional() }).strict(),
]);

export const ExperimentSchema = z.object({
  description: z.string().optional(),
  /** "all" = every registry task (tasks whose family is not implemented are listed as such, never dropped). */
  tasks: IdList.default('all'),
  methods: IdList.default('all'),
  seeds: z.array(z.number().int().nonnegative()).min(1).default([0]),
  /** Backbones to run each task on (default: each task's mini backbone). A string is a registry id or a folder. */
  backbones: z.array(BackboneSchema).min(1).optional(),
  /** Where training defaults come from: the registry's mini settings, or the paper's setup (section 5). */
  defaults: z.enum(['mini', 'paper']).default('mini'),
  /** mini, real (UNIPT_DATA_DIR/<task folder>), or { path } with {task}, {dataset} and {folder} placeholders. */
  data: z.union([z.literal('mini'), z.literal('real'), z.object({ path: Id }).strict()]).default('mini'),
  backend: z.enum(BACKEND_NAMES).default('auto'),
  train: TrainOverridesSchema.optional(),
  /** Training overrides per task id. */
  taskTrain: z.record(z.string(), TrainOverridesSchema).optional(),
  /** Method-config overrides per method id. */
  methodConfig: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  /** Named variants (ablation settings); default: one variant named "default" with no overrides. */
  variants: z.array(VariantSchema).min(1).optional(),
  /** Each run ends timed-out after this many seconds. */
  timeLimitSeconds: z.number().positive().optional(),
}).strict();

export type ExperimentInput = z.infer<typeof ExperimentSchema>;
export type VariantDef = z.infer<typeof VariantSchema>;

export interface ExperimentDef extends ExperimentInput {
  name: string;
  file: string;
  source: YamlSource;
}

const ENV_REF = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Replaces ${VAR} / ${VAR:-default} in every string; an unset variable without a default is an error at its key. */
function interpolate(v: unknown, path: YamlPath, src: YamlSource, env: NodeJS.ProcessEnv): unknown {
  if (typeof v === 'string') {
    return v.replace(ENV_REF, (_, name: string, dflt: string | undefined) => {
      const val = env[name];
      if (val !== undefined && val !== '') return val;
      if (dflt !== undefined) return dflt;
      throw src.error(path, `the environment variable ${name} is not set; set it (e.g. \`export ${name}=/path\`) or write \${${name}:-default} in the file`);
    });
  }
  if (Array.isArray(v)) return v.map((x, i) => interpolate(x, [...path, i], src, env));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolate(x, [...path, k], src, env)]));
  return v;
}

function zodIssues(src: YamlSource, issues: z.core.$ZodIssue[]): ExperimentFileError {
  const lines = issues.map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? p : String(p)));
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => src.at(path, `unknown key "${k}"${validKeysHint(path)}`, k)).join('\n');
    }
    return src.at(path, i.message);
  });
  return new ExperimentFileError(`invalid experiment file:\n${lines.join('\n')}`);
}

function validKeysHint(path: YamlPath): string {
  const keysOf = (s: z.ZodObject) => Object.keys(s.shape).join(', ');
  if (path.length === 0) return `; valid keys: ${keysOf(ExperimentSchema)}`;
  if (path[0] === 'variants' && path.length === 2) return `; valid variant keys: ${keysOf(VariantSchema)}`;
  if (path[path.length - 1] === 'train' || path[0] === 'taskTrain') return `; valid training keys: ${keysOf(TrainOverridesSchema)}`;
  return '';
}

/** Checks ids against the registry and method configs against each method's schema, with file/line errors. */
function checkIds(exp: ExperimentInput, src: YamlSource): void {
  const taskIds = TASKS.map((t) => t.id);
  const methodIds = METHODS.map((m) => m.id);
  const errs: string[] = [];
  const checkList = (list: readonly string[], valid: string[], what: string, path: YamlPath) => list.forEach((id, i) => {
    if (!valid.includes(id)) errs.push(src.at([...path, i], `unknown ${what} "${id}"; valid ${what}s: ${valid.join(', ')}`));
  });
  if (exp.tasks !== 'all') checkList(exp.tasks, taskIds, 'task', ['tasks']);
  if (exp.methods !== 'all') checkList(exp.methods, methodIds, 'method', ['methods']);
  for (const t of Object.keys(exp.taskTrain ?? {})) if (!taskIds.includes(t)) errs.push(src.at(['taskTrain'], `unknown task "${t}"; valid tasks: ${taskIds.join(', ')}`, t));
  for (const [m, cfg] of Object.entries(exp.methodConfig ?? {})) {
    if (!methodIds.includes(m)) { errs.push(src.at(['methodConfig'], `unknown method "${m}"; valid methods: ${methodIds.join(', ')}`, m)); continue; }
    errs.push(...methodConfigErrors(m, cfg, ['methodConfig', m], src));
  }
  const names = new Set<string>();
  (exp.variants ?? []).forEach((v, i) => {
    if (names.has(v.name)) errs.push(src.at(['variants', i, 'name'], `duplicate variant name "${v.name}"`));
    names.add(v.name);
    if (v.methods) checkList(v.methods, methodIds, 'method', ['variants', i, 'methods']);
    if (v.tasks) checkList(v.tasks, taskIds, 'task', ['variants', i, 'tasks']);
    if (v.config) {
      const applies = v.methods ?? (exp.methods === 'all' ? methodIds : exp.methods);
      for (const m of applies.filter((x) => methodIds.includes(x))) {
        errs.push(...methodConfigErrors(m, { ...(exp.methodConfig?.[m] ?? {}), ...v.config }, ['variants', i, 'config'], src, Object.keys(v.config)));
      }
    }
  });
  const unique = [...new Set(errs)];
  if (unique.length) throw new ExperimentFileError(`invalid experiment file:\n${unique.join('\n')}`);
}

/** Unknown keys and invalid values of a method config, reported at `path` (only keys in `own` are this path's). */
export function methodConfigErrors(methodId: string, cfg: Record<string, unknown>, path: YamlPath, src: YamlSource, own?: string[]): string[] {
  const m = getMethod(methodId);
  const keys = methodKeys(m);
  const errs: string[] = [];
  for (const k of own ?? Object.keys(cfg)) {
    if (!keys.includes(k)) errs.push(src.at(path, `method "${methodId}" has no config key "${k}"; its keys: ${keys.join(', ') || '(none)'}`, k));
  }
  if (errs.length) return errs;
  const r = m.schema.safeParse(cfg);
  if (!r.success) {
    for (const i of r.error.issues) {
      const [first, ...rest] = i.path.map((p) => (typeof p === 'number' ? p : String(p)));
      if (own && typeof first === 'string' && !own.includes(first)) continue;
      errs.push(src.at(first === undefined ? path : [...path, first, ...rest], `${i.message} (method "${methodId}")`));
    }
  }
  return errs;
}

export function experimentName(file: string): string { return basename(file, extname(file)); }

/** Reads, interpolates and validates an experiment file. Throws ExperimentFileError (an InputError) on any problem. */
export function loadExperiment(file: string, env: NodeJS.ProcessEnv = process.env): ExperimentDef {
  const src = YamlSource.read(file);
  const raw = src.toJS();
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ExperimentFileError(`${src.displayName}:1:1: an experiment file is a YAML mapping (keys such as tasks, methods, seeds); valid keys: ${Object.keys(ExperimentSchema.shape).join(', ')}`);
  }
  const data = interpolate(raw, [], src, env);
  const r = ExperimentSchema.safeParse(data);
  if (!r.success) throw zodIssues(src, r.error.issues);
  checkIds(r.data, src);
  return { ...r.data, name: experimentName(file), file, source: src };
}

export { formatPath };
