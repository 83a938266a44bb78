// Task families by id.
import { InputError } from '../util/errors.js';
import type { TaskFamily } from './family.js';
import { GLUE_FAMILY } from './glue/family.js';

const FAMILIES: Record<string, TaskFamily> = { glue: GLUE_FAMILY };

export function getFamily(id: string): TaskFamily {
  const f = FAMILIES[id];
  if (!f) throw new InputError(`the task family "${id}" is not implemented yet; implemented families: ${Object.keys(FAMILIES).join(', ')}`);
  return f;
}

export function implementedFamilies(): string[] { return Object.keys(FAMILIES); }
