// The video-text family (CLIP4Clip meanP on CLIP): vtr-msrvtt and vtr-msvd.
import type { TaskFamily, FamilyBuildArgs } from '../family.js';
import type { RunSpec } from '../../train/spec.js';
import { asVideoTextTask, videoTextFingerprint, VIDEO_TEXT_TASK_IDS } from './data/index.js';

export const VIDEO_TEXT_FAMILY: TaskFamily = {
  id: 'video-text',
  tasks: VIDEO_TEXT_TASK_IDS,
  async build(args: FamilyBuildArgs) {
    const { buildVideoTextRun } = await import('./run.js');
    return buildVideoTextRun(args);
  },
  dataFingerprint(spec: RunSpec): string { return videoTextFingerprint(asVideoTextTask(spec.task), spec.data); },
};
