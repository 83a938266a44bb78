// `unipt doctor`: is this machine ready? Backend, versions, the store, mini checkpoints, and for every task whether
// its real-data folder is there (and if not, what belongs there and where to get it).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { initBackend } from '../engine/backend.js';
import { BACKBONES, TASKS } from '../registry/index.js';
import { currentCapabilityContext } from '../registry/implementation.js';
import { openStore } from '../store/index.js';
import { dataRoot } from '../sweep/paths.js';
import { backboneReady } from '../sweep/prepare.js';
import { modelsDir } from '../train/backbone-dir.js';
import { gitCommit, hostInfo, projectRoot } from '../train/env.js';
import { addDbOption, dbPathOf, printJson } from './common.js';

const require = createRequire(import.meta.url);
function version(pkg: string): string | null {
  try { return (require(`${pkg}/package.json`) as { version: string }).version; } catch { return null; }
}

export async function doctorCommand(o: { db?: string; json?: boolean; backend?: string }): Promise<number> {
  const root = projectRoot();
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const packages = Object.fromEntries(['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node-gpu', 'better-sqlite3', 'zod', 'yaml', 'commander', 'p-limit', '@huggingface/transformers'].map((p) => [p, version(p)]));
  let backend: unknown;
  try { backend = await initBackend(o.backend ?? 'auto'); } catch (e) { backend = { error: (e as Error).message }; }
  const dbPath = dbPathOf(o);
  let store: Record<string, unknown> = { path: dbPath, exists: existsSync(dbPath) };
  if (existsSync(dbPath)) {
    try {
      const s = openStore(dbPath, { readonly: true });
      store = { ...store, schemaVersion: s.schemaVersion(), runs: s.countRows('runs'), quickCheck: (s.db.pragma('quick_check') as { quick_check: string }[]).map((r) => r.quick_check).join('; ') };
      s.close();
    } catch (e) { store = { ...store, error: (e as Error).message }; }
  }
  const ctx = currentCapabilityContext();
  const minis = BACKBONES.filter((b) => b.kind === 'mini').map((b) => ({ id: b.id, family: b.family, folder: join(modelsDir(), b.id), present: backboneReady(b.id), howToMake: `unipt pretrain ${b.id} (a sweep does it on first use)` }));
  const data = TASKS.map((t) => {
    const folder = join(dataRoot(), t.realData.folder);
    return { task: t.id, familyImplemented: ctx.taskFamilies.includes(t.family), folder, found: existsSync(folder), expected: t.realData.layout, source: t.realData.source };
  });
  const report = {
    unipt: pkg.version, commit: gitCommit(), node: process.version, ...hostInfo(), cpus: availableParallelism(), memoryBytes: totalmem(),
    packages, backend, store, taskFamilies: ctx.taskFamilies, methods: ctx.methods, miniBackbones: minis, dataRoot: dataRoot(), data,
  };
  if (o.json) { printJson(report); return 0; }
  const w = (s = '') => process.stdout.write(`${s}\n`);
  w(`unipt ${pkg.version} (commit ${report.commit ?? 'unknown'}), node ${process.version}, ${report.platform}, ${report.cpus} CPU core(s), ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  w(`packages: ${Object.entries(packages).map(([k, v]) => `${k} ${v ?? '(not installed)'}`).join(', ')}`);
  const b = backend as { name?: string; fallbacks?: { backend: string; reason: string }[]; error?: string };
  w(b.error ? `backend: ERROR ${b.error}` : `backend: ${b.name}${b.fallbacks?.length ? ` (not used: ${b.fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ')})` : ''}`);
  w(`store: ${dbPath} ${store.exists ? `(schema v${store.schemaVersion ?? '?'}, ${store.runs ?? '?'} runs, quick_check ${store.quickCheck ?? store.error})` : '(not created yet)'}`);
  w(`task families implemented: ${ctx.taskFamilies.join(', ') || '(none)'}; methods: ${ctx.methods.join(', ')}`);
  w('mini checkpoints:');
  for (const m of minis) w(`  ${m.id.padEnd(12)} ${m.present ? `present in ${m.folder}` : `missing: ${m.howToMake}`}`);
  w(`real data under ${dataRoot()} (set UNIPT_DATA_DIR to change):`);
  for (const d of data) {
    w(`  ${d.task.padEnd(16)} ${d.found ? `found ${d.folder}` : `missing ${d.folder}`}${d.familyImplemented ? '' : ' [task family not implemented yet]'}`);
    if (!d.found) { w(`      expected: ${d.expected}`); w(`      get it:   ${d.source}`); }
  }
  return 0;
}

export function registerDoctorCommand(program: Command): void {
  const cmd = program.command('doctor').description('check the backend, versions, the store, mini checkpoints and real-data folders')
    .option('--backend <name>', 'backend to try (default auto)')
    .option('--json', 'print JSON');
  addDbOption(cmd).action(async (o: { db?: string; json?: boolean; backend?: string }) => { process.exitCode = await doctorCommand(o); });
}
