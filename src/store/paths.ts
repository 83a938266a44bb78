// Where results live: the store file, and next to it runs/<id>.json (every RunResult), logs/<id>.log and jobs/.
import { dirname, join, resolve } from 'node:path';
import { projectRoot } from '../train/env.js';

/** results/unipt.sqlite under the project root, or UNIPT_DB when set. */
export function defaultDbPath(): string {
  return process.env.UNIPT_DB ? resolve(process.env.UNIPT_DB) : join(projectRoot(), 'results', 'unipt.sqlite');
}

/** The folder that holds a store's run files and logs: the store's own folder. */
export function resultsDirFor(dbPath: string): string { return dirname(resolve(dbPath)); }
