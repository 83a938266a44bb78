// Video-text data: mini (procedural clips) or real (CLIP4Clip's MSR-VTT / MSVD files + frame folders).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import type { DataSource } from '../../../train/spec.js';
import { InputError } from '../../../util/errors.js';
import { generateMiniVideoText, miniFingerprint } from './mini.js';
import { loadMsrvtt, loadMsvd, resolveVideoTextFolder } from './real.js';
import { checkSplit, VIDEO_TEXT_TASK_IDS, type VideoTextData, type VideoTextTaskId } from './types.js';

export * from './types.js';
export { generateMiniVideoText, miniFingerprint, MINI_SIZES, MINI_FRAMES, MINI_DATA_SEED, MINI_VIDEO_TEXT_VERSION } from './mini.js';
export { loadMsrvtt, loadMsvd, resolveVideoTextFolder } from './real.js';
export { miniFrameStore, folderFrameStore, type FrameStore, type VideoFrames } from './frames.js';
export { readPickle, type PickleValue } from './pickle.js';
export { parseCsv } from './csv.js';

export function asVideoTextTask(id: string): VideoTextTaskId {
  if (!(VIDEO_TEXT_TASK_IDS as readonly string[]).includes(id)) throw new InputError(`"${id}" is not a video-text task (${VIDEO_TEXT_TASK_IDS.join(', ')})`);
  return id as VideoTextTaskId;
}

/** Loads a task's data; mini frames are rendered at `size` and normalised with `stats`. */
export function loadVideoText(task: VideoTextTaskId, source: DataSource, size: number, stats: { mean: number[]; std: number[] }): VideoTextData {
  const data = source.source === 'mini'
    ? generateMiniVideoText(task, size, stats)
    : (task === 'vtr-msrvtt' ? loadMsrvtt : loadMsvd)(resolveVideoTextFolder(task, source.path));
  const where = source.source === 'mini' ? `mini ${task}` : resolveVideoTextFolder(task, source.path);
  for (const s of ['train', 'validation', 'test'] as const) checkSplit(data[s], s, where);
  return data;
}

/**
 * Fingerprint without decoding anything: mini generator version and sizes; for real data a hash of the annotation
 * files plus the name and byte size of every frame file (frames are not read: a re-extraction that changes a
 * frame's bytes but not its size goes unnoticed).
 */
export function videoTextFingerprint(task: VideoTextTaskId, source: DataSource): string {
  if (source.source === 'mini') return miniFingerprint(task);
  const dir = resolveVideoTextFolder(task, source.path);
  const files = task === 'vtr-msrvtt'
    ? ['MSRVTT_train.9k.csv', 'MSRVTT_JSFUSION_test.csv', 'MSRVTT_data.json']
    : ['train_list.txt', 'val_list.txt', 'test_list.txt'];
  const h = createHash('sha256');
  for (const f of files) h.update(`${f}\n`).update(readFileSync(`${dir}/${f}`));
  if (task === 'vtr-msvd') {
    for (const f of ['raw-captions.json', 'raw-captions.pkl']) {
      try { h.update(`${f}\n`).update(readFileSync(`${dir}/${f}`)); break; } catch { /* the other caption file */ }
    }
  }
  const frames = `${dir}/frames`;
  if (existsSync(frames)) {
    for (const v of readdirSync(frames).sort()) {
      const vd = `${frames}/${v}`;
      if (!statSync(vd).isDirectory()) continue;
      for (const f of readdirSync(vd).sort()) h.update(`${v}/${f}:${statSync(`${vd}/${f}`).size}\n`);
    }
  }
  return `real:${h.digest('hex').slice(0, 16)}`;
}
