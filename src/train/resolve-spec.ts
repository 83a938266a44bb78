// From what a user asks for (task, method, a few overrides) to a complete RunSpec: method config defaults from the
// method's schema, training defaults from the task's mini setup and the method's mini overrides, backbone default
// from the task. Every default is written into the spec, so the spec alone says what ran.
import { getMethod, getTask, findBackbone, METHOD_MINI_TRAIN, METHOD_MINI_CONFIG } from '../registry/index.js';
import { InputError } from '../util/errors.js';
import type { BackendName } from '../engine/backend.js';
import type { BackboneFamily } from '../petl/types.js';
import { TrainConfigSchema, type DataSource, type RunSpec, type TrainConfig } from './spec.js';
import { parseRunSpec } from './run-once.js';

export interface RunRequest {
  task: string;
  method: string;
  methodConfig?: Record<string, unknown>;
  backbone?: string;
  data?: DataSource;
  seed?: number;
  backend?: BackendName;
  train?: Partial<TrainConfig>;
}

function zodMessage(where: string, issues: { path: PropertyKey[]; message: string }[]): string {
  return `${where}:\n  ${issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`).join('\n  ')}`;
}

export function resolveMethodConfig(methodId: string, config: Record<string, unknown> = {}): Record<string, unknown> {
  const m = getMethod(methodId);
  const r = m.schema.safeParse(config);
  if (!r.success) throw new InputError(zodMessage(`invalid config for method "${methodId}"`, r.error.issues));
  return r.data as Record<string, unknown>;
}

/**
 * Training settings: the task's mini defaults, then the method's mini overrides for the backbone family
 * (registry METHOD_MINI_TRAIN), then the task's own per-method overrides for that family (`miniTrainByMethod` on the
 * task's default family, `miniTrainByFamily` on the others), then `overrides` (experiment file, --set).
 */
export function resolveTrainConfig(taskId: string, methodId: string, overrides: Partial<TrainConfig> = {}, backboneFamily?: BackboneFamily): TrainConfig {
  const task = getTask(taskId);
  const family = backboneFamily ?? task.backboneFamilies[0];
  const byTask = family === task.backboneFamilies[0] ? task.miniTrainByMethod?.[methodId] : task.miniTrainByFamily?.[family]?.[methodId];
  const r = TrainConfigSchema.safeParse({ ...task.miniTrain, ...((METHOD_MINI_TRAIN[family] ?? METHOD_MINI_TRAIN.default)?.[methodId] ?? {}), ...(byTask ?? {}), ...overrides });
  if (!r.success) throw new InputError(zodMessage(`invalid training config for ${taskId}/${methodId}`, r.error.issues));
  return r.data;
}

export function resolveRunSpec(req: RunRequest): RunSpec {
  const task = getTask(req.task);
  getMethod(req.method);
  const backbone = req.backbone ?? task.defaultBackbone;
  const def = findBackbone(backbone);
  if (def && !task.backboneFamilies.includes(def.family)) {
    throw new InputError(`backbone "${backbone}" is a ${def.family} backbone; task ${task.id} runs on: ${task.backboneFamilies.join(', ')}`);
  }
  return parseRunSpec({
    task: task.id,
    backbone,
    method: { id: req.method, config: resolveMethodConfig(req.method, { ...(def?.kind === 'mini' ? METHOD_MINI_CONFIG[req.method] ?? {} : {}), ...req.methodConfig }) },
    train: resolveTrainConfig(task.id, req.method, req.train, def?.family),
    data: req.data ?? { source: 'mini' },
    seed: req.seed ?? 0,
    backend: req.backend ?? 'auto',
  });
}
