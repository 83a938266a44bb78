// `unipt ingest <file|folder>...`: records RunResult files (results/runs/<id>.json, or bundles copied from other
// machines) into the store, so the store can always be rebuilt from the files.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { openStore } from '../store/index.js';
import type { RunResult } from '../train/spec.js';
import { InputError } from '../util/errors.js';
import { addDbOption, dbPathOf } from './common.js';

function resultFiles(paths: string[]): string[] {
  return paths.flatMap((p) => {
    const abs = resolve(p);
    let st;
    try { st = statSync(abs); } catch { throw new InputError(`${abs}: no such file or folder`); }
    return st.isDirectory() ? readdirSync(abs).filter((f) => f.endsWith('.json')).sort().map((f) => join(abs, f)) : [abs];
  });
}

export function readResultFile(file: string): { id: string; result: RunResult } {
  let r: RunResult;
  try { r = JSON.parse(readFileSync(file, 'utf8')) as RunResult; } catch (e) { throw new InputError(`${file}: not JSON: ${(e as Error).message}`); }
  if (r?.schema !== 'unipt.run-result/v1') throw new InputError(`${file}: not a RunResult (schema is ${JSON.stringify(r?.schema)}, expected "unipt.run-result/v1")`);
  const id = r.runId ?? basename(file, '.json');
  if (!/^[0-9a-f]{8,64}$/.test(id)) throw new InputError(`${file}: the result has no runId and the file name is not a run id`);
  return { id, result: r };
}

export function ingestCommand(paths: string[], o: { db?: string; experiment?: string; variant?: string }): number {
  const results = resultFiles(paths).map(readResultFile);   // all read and checked before anything is written
  const store = openStore(dbPathOf(o));
  try {
    for (const { id, result } of results) {
      store.recordResult(id, result, { resultPath: null, link: o.experiment ? { experiment: o.experiment, variant: o.variant ?? 'default', task: result.spec.task } : undefined });
    }
  } finally { store.close(); }
  process.stdout.write(`ingested ${results.length} run result(s) into ${dbPathOf(o)}\n`);
  return 0;
}

export function registerIngestCommand(program: Command): void {
  const cmd = program.command('ingest <paths...>').description('record RunResult JSON files (or folders of them) in the store, e.g. to rebuild it from results/runs/')
    .option('--experiment <name>', 'link the runs to this experiment')
    .option('--variant <name>', 'variant name for the links (default "default")');
  addDbOption(cmd).action((paths: string[], o: { db?: string; experiment?: string; variant?: string }) => { process.exitCode = ingestCommand(paths, o); });
}
