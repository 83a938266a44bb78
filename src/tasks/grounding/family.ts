// The grounding family (MDETR style): RefCOCO, RefCOCO+ and RefCOCOg referring-expression comprehension.
import type { TaskFamily, FamilyBuildArgs } from '../family.js';
import type { RunSpec } from '../../train/spec.js';
import { GROUNDING_TASK_IDS, groundingFingerprint } from './data/index.js';

export const GROUNDING_FAMILY: TaskFamily = {
  id: 'grounding',
  tasks: GROUNDING_TASK_IDS,
  async build(args: FamilyBuildArgs) {
    const { buildGroundingRun } = await import('./run.js');
    return buildGroundingRun(args);
  },
  dataFingerprint(spec: RunSpec): string { return groundingFingerprint(spec.task, spec.data); },
};
