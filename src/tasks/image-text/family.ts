// The image-text retrieval family (VSE∞): itr-flickr30k, itr-coco-1k and itr-coco-5k (the last two are two
// evaluations of one MSCOCO training; see run.ts).
import type { TaskFamily } from '../family.js';
import type { RunSpec } from '../../train/spec.js';
import { ITR_TASK_IDS, itrDataFingerprint } from './data/index.js';

export const IMAGE_TEXT_FAMILY: TaskFamily = {
  id: 'image-text',
  tasks: ITR_TASK_IDS,
  async build(args) {
    const { buildItrRun } = await import('./run.js');
    return buildItrRun(args);
  },
  dataFingerprint(spec: RunSpec): string { return itrDataFingerprint(spec.task, spec.data); },
};
