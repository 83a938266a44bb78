// From an experiment file to a plan: every cell of the grid (task x backbone x method x variant x seed) with its
// capability, and the distinct runs (RunSpecs) behind the runnable cells. Building a plan validates everything and
// writes nothing; identities are assigned afterwards, once the plan's mini backbones exist.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findBackbone, getTask, TASKS, taskCapability, METHODS, type CapabilityContext, type TaskDef } from '../registry/index.js';
import type { BackboneFamily, Capability } from '../petl/types.js';
import { resolveRunSpec } from '../train/resolve-spec.js';
import { TrainConfigSchema, type DataSource, type RunSpec } from '../train/spec.js';
import { InputError, isInputError } from '../util/errors.js';
import { canonicalJson } from './canonical.js';
import type { ExperimentDef, TrainOverrides, VariantDef } from './experiment.js';
import { runIdentity, type IdentityVersions } from './identity.js';
import { dataRoot } from './paths.js';
import type { YamlPath } from './yaml-source.js';

export interface PlanCell {
  /** The task shown (e.g. itr-coco-5k); the run trains `trainTask`. */
  task: string;
  trainTask: string;
  method: string;
  variant: string;
  seed: number;
  backbone: string;
  capability: Capability;
  reason: string | null;
  /** Index into Plan.runs for runnable cells. */
  run: number | null;
}

export interface PlannedRun {
  spec: RunSpec;
  /** Null until assignIdentities (its backbone may still have to be pretrained). */
  id: string | null;
  versions: IdentityVersions | null;
  cells: { variant: string; task: string }[];
  label: string;
}

export interface Plan {
  experiment: { name: string; file: string; description: string | null };
  timeLimitSeconds: number | null;
  cells: PlanCell[];
  runs: PlannedRun[];
}

export interface PlanFilters {
  tasks?: string[];
  methods?: string[];
  seeds?: number[];
  variants?: string[];
}

export interface PlanOptions {
  filters?: PlanFilters;
  /** Applied after everything the file says (`--set train.x=v` / `--set method.key=v`). */
  train?: TrainOverrides;
  methodConfig?: Record<string, Record<string, unknown>>;
  capability: CapabilityContext;
  env?: NodeJS.ProcessEnv;
}

const MODEL_TYPE_FAMILY: Record<string, BackboneFamily> = { bert: 'text-encoder', roberta: 'text-encoder', t5: 't5', clip: 'clip' };

/** The family of a checkpoint folder, from its config.json model_type (undefined when unknown). */
export function folderBackboneFamily(dir: string): BackboneFamily | undefined {
  try {
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as { model_type?: string };
    return cfg.model_type ? MODEL_TYPE_FAMILY[cfg.model_type] : undefined;
  } catch { return undefined; }
}

interface BackboneChoice { label: string; specValue: string; family: BackboneFamily | undefined; path: YamlPath | null }

function backboneChoices(exp: ExperimentDef, task: TaskDef): BackboneChoice[] {
  if (!exp.backbones) {
    const def = findBackbone(task.defaultBackbone);
    return [{ label: task.defaultBackbone, specValue: task.defaultBackbone, family: def?.family ?? task.backboneFamilies[0], path: null }];
  }
  return exp.backbones.map((b, i) => {
    const path: YamlPath = ['backbones', i];
    if (typeof b === 'string') {
      const def = findBackbone(b);
      if (def) {
        if (def.kind === 'paper') throw exp.source.error(path, `"${b}" is a paper-scale backbone: give its checkpoint folder as { id: ${b}, path: <folder> }; get ${def.source}`);
        return { label: b, specValue: b, family: def.family, path };
      }
      const dir = resolve(b);
      if (!existsSync(dir) || !statSync(dir).isDirectory()) throw exp.source.error(path, `"${b}" is neither a registry backbone nor an existing checkpoint folder`);
      return { label: b, specValue: dir, family: folderBackboneFamily(dir), path };
    }
    const def = findBackbone(b.id);
    if (!def) throw exp.source.error([...path, 'id'], `unknown backbone "${b.id}"`);
    if (!b.path) {
      if (def.kind === 'paper') throw exp.source.error(path, `"${b.id}" is a paper-scale backbone: add path: <its checkpoint folder>; get ${def.source}`);
      return { label: b.id, specValue: b.id, family: def.family, path };
    }
    const dir = resolve(b.path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw exp.source.error([...path, 'path'], `the checkpoint folder ${dir} for ${b.id} does not exist; expected there: config.json, model.safetensors, tokenizer.json; get ${def.source}`);
    }
    return { label: b.id, specValue: dir, family: def.family, path };
  });
}

function dataSourceFor(exp: ExperimentDef, task: TaskDef): DataSource {
  if (exp.data === 'mini') return { source: 'mini' };
  const folder = exp.data === 'real'
    ? join(dataRoot(), task.realData.folder)
    : resolve(exp.data.path.replaceAll('{task}', task.id).replaceAll('{dataset}', task.dataset).replaceAll('{folder}', task.realData.folder));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw exp.source.error(['data'], `the real-data folder for ${task.id} does not exist: ${folder}\n  expected there: ${task.realData.layout}\n  get it from: ${task.realData.source}${exp.data === 'real' ? `\n  (data: real looks under UNIPT_DATA_DIR, now ${dataRoot()})` : ''}`);
  }
  return { source: 'real', path: folder };
}

function trainOverrides(exp: ExperimentDef, task: TaskDef, trainTask: TaskDef, method: string, variant: VariantDef, extra: TrainOverrides | undefined): TrainOverrides {
  const layers = { ...(exp.train ?? {}), ...(exp.taskTrain?.[task.id] ?? {}), ...(variant.train ?? {}), ...(extra ?? {}) };
  if (exp.defaults === 'mini') return layers;
  // Paper defaults: a complete training config from the paper setup, so no mini default leaks into it.
  const p = trainTask.paperTrain;
  return TrainConfigSchema.parse({ ...p.train, lr: p.lrByMethod?.[method] ?? p.train.lr, ...layers });
}

function selected<T>(all: readonly T[], filter: readonly T[] | undefined): T[] { return filter ? all.filter((x) => filter.includes(x)) : [...all]; }

export function buildPlan(exp: ExperimentDef, o: PlanOptions): Plan {
  const f = o.filters ?? {};
  const allTasks = exp.tasks === 'all' ? TASKS.map((t) => t.id) : exp.tasks;
  const allMethods = exp.methods === 'all' ? METHODS.map((m) => m.id) : exp.methods;
  const variants: VariantDef[] = exp.variants ?? [{ name: 'default' }];
  for (const [what, list, valid] of [['task', f.tasks, allTasks], ['method', f.methods, allMethods], ['variant', f.variants, variants.map((v) => v.name)]] as const) {
    for (const x of list ?? []) if (!valid.includes(x)) throw new InputError(`--${what}s: "${x}" is not in ${exp.name} (its ${what}s: ${valid.join(', ')})`);
  }
  const seeds = selected(exp.seeds, f.seeds);
  const cells: PlanCell[] = [];
  const runs: PlannedRun[] = [];
  const byKey = new Map<string, number>();
  for (const taskId of selected(allTasks, f.tasks)) {
    const task = getTask(taskId);
    const trainTask = task.evaluatedFrom ? getTask(task.evaluatedFrom.task) : task;
    const backbones = backboneChoices(exp, task);
    for (const bb of backbones) {
      for (const method of selected(allMethods, f.methods)) {
        for (const variant of variants.filter((v) => (!v.methods || v.methods.includes(method)) && (!v.tasks || v.tasks.includes(task.id)) && (!f.variants || f.variants.includes(v.name)))) {
          for (const seed of seeds) {
            const cell: PlanCell = { task: task.id, trainTask: trainTask.id, method, variant: variant.name, seed, backbone: bb.label, capability: 'supported', reason: null, run: null };
            cells.push(cell);
            if (bb.family && !task.backboneFamilies.includes(bb.family)) {
              cell.capability = 'not-applicable';
              cell.reason = `${task.id} runs on ${task.backboneFamilies.join(' or ')} backbones, ${bb.label} is ${bb.family}`;
              continue;
            }
            const cap = taskCapability(trainTask.id, method, bb.family ?? task.backboneFamilies[0], o.capability);
            if (cap.capability !== 'supported') { cell.capability = cap.capability; cell.reason = cap.missing ? `not implemented yet: ${cap.missing.join('; ')}` : cap.reason; continue; }
            let spec: RunSpec;
            try {
              spec = resolveRunSpec({
                task: trainTask.id, method, backbone: bb.specValue, seed, backend: exp.backend,
                methodConfig: { ...(exp.methodConfig?.[method] ?? {}), ...(variant.config ?? {}), ...(o.methodConfig?.[method] ?? {}) },
                data: dataSourceFor(exp, trainTask),
                train: trainOverrides(exp, task, trainTask, method, variant, o.train) as never,
              });
            } catch (e) {
              if (!isInputError(e)) throw e;
              const path: YamlPath = exp.variants ? ['variants', variants.indexOf(variant)] : [];
              throw exp.source.error(path, `${task.id} / ${method} / variant ${variant.name}: ${(e as Error).message}`);
            }
            const key = canonicalJson(spec);
            let idx = byKey.get(key);
            if (idx === undefined) {
              idx = runs.length;
              byKey.set(key, idx);
              runs.push({ spec, id: null, versions: null, cells: [], label: `${spec.task}/${method}${variant.name === 'default' ? '' : `[${variant.name}]`} seed ${seed}` });
            }
            runs[idx].cells.push({ variant: variant.name, task: task.id });
            cell.run = idx;
          }
        }
      }
    }
  }
  return {
    experiment: { name: exp.name, file: exp.file, description: exp.description ?? null },
    timeLimitSeconds: exp.timeLimitSeconds ?? null,
    cells, runs,
  };
}

/** Mini backbones the plan's runs use (pretrained before any run starts). */
export function planBackbones(plan: Plan): string[] {
  return [...new Set(plan.runs.map((r) => r.spec.backbone).filter((b) => findBackbone(b)?.kind === 'mini'))];
}

/** Computes each run's identity; runs with the same identity are merged. Needs the plan's backbones to exist. */
export function assignIdentities(plan: Plan): void {
  const seen = new Map<string, PlannedRun>();
  const merged: PlannedRun[] = [];
  const remap = new Map<number, number>();
  plan.runs.forEach((r, i) => {
    const { id, versions } = runIdentity(r.spec);
    const prev = seen.get(id);
    if (prev) { prev.cells.push(...r.cells); remap.set(i, merged.indexOf(prev)); return; }
    r.id = id; r.versions = versions;
    seen.set(id, r); remap.set(i, merged.length); merged.push(r);
  });
  plan.runs = merged;
  for (const c of plan.cells) if (c.run !== null) c.run = remap.get(c.run) ?? null;
}

