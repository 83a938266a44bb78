// One `unipt run` in a fresh process, as a sweep runs it, returning its RunResult: the shared way the benches that
// train whole runs (methods, glue-mini, grounding --train) start them. The run writes its RunResult with --json into a
// temporary folder; unless the caller names a store (--db), --no-store keeps bench runs out of results/.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../src/train/env.js';
import type { RunResult } from '../src/train/spec.js';

/** `unipt run` arguments for a task and method, then any extra flags (e.g. --backbone, --seed, --db). */
export interface UniptRunArgs { task: string; method: string; sets?: string[]; extra?: string[] }

function command(a: UniptRunArgs, json: string): string[] {
  const store = a.extra?.includes('--db') ? [] : ['--no-store'];
  return [join(projectRoot(), 'bin', 'unipt.js'), 'run', '--task', a.task, '--method', a.method, ...store, '--json', json,
    ...(a.sets ?? []).flatMap((s) => ['--set', s]), ...(a.extra ?? [])];
}

/**
 * A run that wrote its RunResult is returned whatever its exit code (a failed or diverged run exits 1 and still
 * records why; the caller reads `status`); one that wrote none (bad input, crash) throws with its stderr.
 */
function collect(a: UniptRunArgs, json: string, code: number | null, stderr: string): RunResult {
  if (!existsSync(json)) throw new Error(`unipt run --task ${a.task} --method ${a.method} exited ${code} without a result:\n${stderr.slice(-2000)}`);
  return JSON.parse(readFileSync(json, 'utf8')) as RunResult;
}

export function runUniptSync(a: UniptRunArgs): RunResult {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-bench-run-'));
  try {
    const json = join(dir, 'run.json');
    const r = spawnSync(process.execPath, command(a, json), { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
    return collect(a, json, r.status, r.stderr ?? '');
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** As runUniptSync, without blocking: benches that run several at a time (p-limit) use this one. */
export async function runUnipt(a: UniptRunArgs): Promise<RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-bench-run-'));
  try {
    const json = join(dir, 'run.json');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, command(a, json), { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => { err += d; });
      child.on('error', reject);
      child.on('exit', (c) => resolve({ code: c, stderr: err }));
    });
    return collect(a, json, code, stderr);
  } finally { rmSync(dir, { recursive: true, force: true }); }
}
