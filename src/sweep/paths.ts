// Where experiment files and real datasets are looked for.
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { projectRoot } from '../train/env.js';
import { InputError } from '../util/errors.js';

export function experimentsDir(): string { return join(projectRoot(), 'experiments'); }

/** Root of real datasets: UNIPT_DATA_DIR, or datasets/ under the project root. */
export function dataRoot(): string {
  return process.env.UNIPT_DATA_DIR ? resolve(process.env.UNIPT_DATA_DIR) : join(projectRoot(), 'datasets');
}

/** An experiment given as a file path, or as a name of experiments/<name>.yaml. */
export function resolveExperimentFile(nameOrPath: string): string {
  const candidates = isAbsolute(nameOrPath) || /[\\/]|\.ya?ml$/.test(nameOrPath)
    ? [resolve(nameOrPath)]
    : [join(experimentsDir(), `${nameOrPath}.yaml`), join(experimentsDir(), `${nameOrPath}.yml`), resolve(nameOrPath)];
  const hit = candidates.find((c) => existsSync(c));
  if (!hit) throw new InputError(`experiment "${nameOrPath}" not found (looked for ${candidates.join(', ')}); \`unipt list experiments\` lists them`);
  return hit;
}
