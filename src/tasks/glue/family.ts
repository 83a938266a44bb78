// The GLUE family: eight tasks on a BERT/RoBERTa-style encoder with a classification (or STS-B regression) head,
// or, when the backbone folder holds a T5, in text-to-text form (src/tasks/glue-t5).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskFamily, FamilyBuildArgs } from '../family.js';
import type { RunSpec } from '../../train/spec.js';
import { GLUE_TASK_IDS, glueSchema, miniDataFingerprint, resolveRealFolder, DEFAULT_DATA_SEED } from './data/index.js';
import { buildGlueEncoderRun } from './encoder-run.js';
import { readModelType } from '../../backbones/hf/model-type.js';

/** The data of a GLUE run does not depend on the run's seed: like LST, the split seed is fixed (42). */
export const GLUE_DATA_SEED = DEFAULT_DATA_SEED;

/** Hash of every data file (TSV, Parquet, MRPC text) under the folder, recursively, by relative path and content. */
function hashFolderFiles(dir: string): string {
  const h = createHash('sha256');
  const walk = (d: string, rel: string) => {
    for (const f of readdirSync(d).sort()) {
      const p = join(d, f);
      const st = statSync(p);
      if (st.isDirectory()) walk(p, `${rel}${f}/`);
      else if (/\.(tsv|parquet|txt)$/.test(f)) h.update(`${rel}${f}\n`).update(readFileSync(p));
    }
  };
  walk(dir, '');
  return h.digest('hex').slice(0, 16);
}

export const GLUE_FAMILY: TaskFamily = {
  id: 'glue',
  tasks: GLUE_TASK_IDS,
  async build(args: FamilyBuildArgs) {
    if (readModelType(args.backboneDir) === 't5') {
      const { buildGlueT5Run } = await import('../glue-t5/index.js');
      return buildGlueT5Run(args);
    }
    return buildGlueEncoderRun(args);
  },
  dataFingerprint(spec: RunSpec): string {
    const schema = glueSchema(spec.task);
    if (spec.data.source === 'mini') return miniDataFingerprint(schema.id, GLUE_DATA_SEED);
    const { dir, layout } = resolveRealFolder(schema, spec.data.path);
    return `${layout}:${hashFolderFiles(dir)}`;
  },
};
