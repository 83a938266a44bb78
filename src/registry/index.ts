// Lookups with errors that name the valid choices.
import { TASKS } from './tasks.js';
import { BACKBONES } from './backbones.js';
import type { BackboneDef, TaskDef } from './types.js';
import { RegistryError } from './errors.js';

export type { TaskDef, BackboneDef, TaskFamilyId, PaperTrain } from './types.js';

export { TASKS };
export { GLUE_TASKS } from './glue-tasks.js';
export { VL_TASKS } from './vl-tasks.js';

export { RegistryError } from './errors.js';
export { METHODS, getMethod, methodKeys, METHOD_MINI_TRAIN, METHOD_MINI_CONFIG } from './methods.js';
export {
  BACKBONE_FAMILIES, capabilityMatrix, capabilityOf, taskCapability, designApplicability, miniBackbonesOf,
  type CapabilityCell, type CapabilityContext,
} from './capability.js';
export {
  PAPER_TARGETS, paperTarget, allTargetCells, isKnownTarget, withinTarget,
  type PaperTarget, type UnknownTarget, type TargetQuantity, type TargetProvenance,
} from './targets.js';

export function getTask(id: string): TaskDef {
  const t = TASKS.find((x) => x.id === id);
  if (!t) throw new RegistryError(`unknown task "${id}"; valid tasks: ${TASKS.map((x) => x.id).join(', ')}`);
  return t;
}

export function findBackbone(id: string): BackboneDef | undefined { return BACKBONES.find((b) => b.id === id); }

export function getBackbone(id: string): BackboneDef {
  const b = findBackbone(id);
  if (!b) throw new RegistryError(`unknown backbone "${id}"; registry backbones: ${BACKBONES.map((x) => x.id).join(', ')} (or give a checkpoint folder)`);
  return b;
}

export { BACKBONES };
