// Grounding data for a run: the mini procedural version of a refexp dataset or the real MDETR files.
import type { DataSource } from '../../../train/spec.js';
import { InputError } from '../../../util/errors.js';
import { miniRefexpData, miniRefexpFingerprint, MINI_REFEXP } from './mini.js';
import { loadRealRefexp, refexpFingerprint, type RefexpDataset } from './real.js';
import type { GroundingData } from './types.js';

export * from './types.js';
export { miniRefexpData, miniRefexpFingerprint, MINI_REFEXP, MINI_REFEXP_VERSION, evalSplitNames, headSpan, refexpItems, miniRefexpChance } from './mini.js';
export { sampleGroundingScene, type GroundingSceneOptions } from './scenes.js';
export { loadRealRefexp, loadRefexpSplit, refexpFingerprint, resolveRefexpFolder, annotationFile, type RefexpDataset } from './real.js';
export { parseRefexpJson, readRefexpJson, type RefexpExample } from './refexp-json.js';
export { spanTokenPositions, positiveMapRow, textOffset } from './tokens.js';

export const GROUNDING_TASK_IDS = ['vg-refcoco', 'vg-refcocoplus', 'vg-refcocog'] as const;
export type GroundingTaskId = (typeof GROUNDING_TASK_IDS)[number];

export const REFEXP_DATASETS: Record<GroundingTaskId, RefexpDataset> = {
  'vg-refcoco': { name: 'refcoco', evalSplits: ['val', 'testA', 'testB'] },
  'vg-refcocoplus': { name: 'refcoco+', evalSplits: ['val', 'testA', 'testB'] },
  'vg-refcocog': { name: 'refcocog', evalSplits: ['val', 'test'] },
};

/** Like GLUE's, the data seed is fixed: runs differing only in their training seed see the same examples. */
export const GROUNDING_DATA_SEED = 42;

export function refexpDataset(task: string): RefexpDataset {
  const ds = (REFEXP_DATASETS as Record<string, RefexpDataset>)[task];
  if (!ds) throw new InputError(`"${task}" is not a grounding task; grounding tasks: ${GROUNDING_TASK_IDS.join(', ')}`);
  return ds;
}

export function groundingFingerprint(task: string, source: DataSource): string {
  const ds = refexpDataset(task);
  return source.source === 'mini' ? miniRefexpFingerprint(ds.name, GROUNDING_DATA_SEED) : `real:${ds.name}:${refexpFingerprint(source.path, ds)}`;
}

/** Loads a task's data; `size` is the model's input resolution, `pickTrain` an optional training subset. */
export async function loadGroundingData(task: string, source: DataSource, size: number, pickTrain: (n: number) => number[] | null = () => null): Promise<GroundingData> {
  const ds = refexpDataset(task);
  if (source.source === 'real') return loadRealRefexp(source.path, ds, size, pickTrain);
  if (size !== MINI_REFEXP.imageSize) {
    throw new InputError(`mini ${ds.name} scenes are rendered at ${MINI_REFEXP.imageSize} px, but the backbone's config.json says image_size ${size}; use the mdetr-mini backbone (or a checkpoint trained at ${MINI_REFEXP.imageSize} px)`);
  }
  const data = miniRefexpData(ds.name, GROUNDING_DATA_SEED);
  const keep = pickTrain(data.train.items.length);
  if (keep) data.train = { ...data.train, items: keep.map((i) => data.train.items[i]) };
  return data;
}
