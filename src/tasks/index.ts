// Task families by id.
import { InputError } from '../util/errors.js';
import type { TaskFamily } from './family.js';
import { GLUE_FAMILY } from './glue/family.js';
import { IMAGE_TEXT_FAMILY } from './image-text/family.js';
import { VIDEO_TEXT_FAMILY } from './video-text/family.js';
import { VQA_FAMILY } from './vqa/family.js';
import { GROUNDING_FAMILY } from './grounding/family.js';

const FAMILIES: Record<string, TaskFamily> = Object.fromEntries(
  [GLUE_FAMILY, IMAGE_TEXT_FAMILY, VIDEO_TEXT_FAMILY, VQA_FAMILY, GROUNDING_FAMILY].map((f) => [f.id, f]),
);

export function getFamily(id: string): TaskFamily {
  const f = FAMILIES[id];
  if (!f) throw new InputError(`the task family "${id}" is not implemented yet; implemented families: ${Object.keys(FAMILIES).join(', ')}`);
  return f;
}

export function implementedFamilies(): string[] { return Object.keys(FAMILIES); }
