// The VQA family (CLIP-ViL style): vqa-vqav2 (VQA soft accuracy) and vqa-gqa (exact-match accuracy) on a CLIP-ViL
// backbone, mini data from the procedural scenes or the real LXMERT-format files.
import type { TaskFamily, FamilyBuildArgs } from '../family.js';
import type { RunSpec } from '../../train/spec.js';
import { VQA_TASK_IDS } from './metrics.js';
import { asVqaTask, buildVqaRun, vqaDataFingerprint } from './run.js';

export const VQA_FAMILY: TaskFamily = {
  id: 'vqa',
  tasks: VQA_TASK_IDS,
  build: (args: FamilyBuildArgs) => buildVqaRun(args),
  dataFingerprint: (spec: RunSpec) => vqaDataFingerprint(asVqaTask(spec.task), spec.data),
};
