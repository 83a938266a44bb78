// `unipt run`: one experiment end to end in this process; prints metrics, parameters, mem-v1 memory and time;
// --json writes the full RunResult (atomically).
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { getMethod, methodKeys } from '../registry/index.js';
import { resolveRunSpec } from '../train/resolve-spec.js';
import { runOnce } from '../train/run-once.js';
import { ensureBackbone } from '../train/pretrain.js';
import { writeFileAtomic } from '../util/fs.js';
import { InputError } from '../util/errors.js';
import { BACKEND_NAMES, initBackend, type BackendName } from '../engine/backend.js';
import type { DataSource, RunResult } from '../train/spec.js';
import { parseSetArgs } from './set-args.js';
import { identityForRun, storeRunResult } from './store-run.js';
import { dbPathOf } from './common.js';
import { ProgressLine, summarizeResult } from './output.js';

export interface RunCliOptions {
  task: string; method: string; backbone?: string; data: string; seed: string; set: string[]; json?: string; backend: string;
  timeLimit?: string;
}

export function dataSource(arg: string): DataSource {
  return arg === 'mini' ? { source: 'mini' } : { source: 'real', path: resolve(arg) };
}

/** Resolves CLI arguments to a RunSpec (throws InputError on bad input; writes nothing). */
export function specFromCli(o: RunCliOptions) {
  const method = getMethod(o.method);
  const sets = parseSetArgs(o.set, method.id, methodKeys(method));
  const seed = Number(o.seed);
  if (!Number.isInteger(seed) || seed < 0) throw new InputError(`--seed must be a non-negative integer, got "${o.seed}"`);
  if (!(BACKEND_NAMES as readonly string[]).includes(o.backend)) throw new InputError(`unknown backend "${o.backend}"; valid backends: ${BACKEND_NAMES.join(', ')}`);
  return resolveRunSpec({
    task: o.task, method: method.id, methodConfig: sets.method, backbone: o.backbone, data: dataSource(o.data),
    seed, backend: o.backend as BackendName, train: sets.train,
  });
}

/** Runs a spec with a progress line; returns the result. Used by `run` and `rerun`. */
export async function runWithProgress(spec: ReturnType<typeof specFromCli>, opts: { runId?: string; timeLimitSeconds?: number } = {}): Promise<RunResult> {
  await initBackend(spec.backend);
  await ensureBackbone(spec.backbone, (line) => process.stderr.write(`${line}\n`));
  const progress = new ProgressLine();
  const t0 = Date.now();
  const result = await runOnce(spec, {
    runId: opts.runId,
    timeLimitSeconds: opts.timeLimitSeconds,
    log: (line) => process.stderr.write(`${line}\n`),
    onStep: (s) => {
      const el = (Date.now() - t0) / 1000;
      const eta = s.step > 0 ? (el / s.step) * (s.totalSteps - s.step) : 0;
      progress.update(`epoch ${s.epoch + 1}/${spec.train.epochs}  step ${s.step}/${s.totalSteps}  loss ${s.loss.toFixed(4)}  lr ${s.lr.toExponential(2)}  ETA ${eta.toFixed(0)} s`);
    },
    onEpoch: (e) => progress.update(`epoch ${e.epoch + 1}: train loss ${e.trainLoss.toFixed(4)}, validation ${Object.entries(e.validation).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}`, true),
  });
  progress.done();
  return result;
}

export function registerRunCommand(program: Command): void {
  program.command('run')
    .description('run one experiment end to end (train, validate each epoch, test) and print metrics, parameters, mem-v1 memory and time')
    .requiredOption('--task <id>', 'task id, e.g. glue-sst2 (see `unipt list tasks`)')
    .requiredOption('--method <id>', 'method id: full, bitfit, adapter, lora, prompt, lst, unipt')
    .option('--backbone <id|folder>', 'registry backbone id or a Hugging Face checkpoint folder (default: the task\'s mini backbone)')
    .option('--data <mini|folder>', 'mini (procedural, built in) or a folder with the real dataset', 'mini')
    .option('--seed <n>', 'seed for every random source', '0')
    .option('--set <key=value>', 'override a method-config key, or a training key as train.<key> (repeatable)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--backend <name>', `tensor backend: ${BACKEND_NAMES.join(', ')}`, 'auto')
    .option('--time-limit <seconds>', 'end the run as timed-out after this many seconds')
    .option('--json <file>', 'write the full RunResult JSON to this file')
    .option('--db <file>', 'results store the run is recorded in (default results/unipt.sqlite; experiment "adhoc")')
    .option('--no-store', 'do not record the run in the results store')
    .action(async (o: RunCliOptions & { db?: string; store?: boolean }) => {
      const spec = specFromCli(o);
      // The store hook (harness): the run's identity is computed before it starts, its result recorded after.
      const identity = o.store === false ? null : await identityForRun(spec, (line) => process.stderr.write(`${line}\n`));
      const result = await runWithProgress(spec, { runId: identity?.id, timeLimitSeconds: o.timeLimit ? Number(o.timeLimit) : undefined });
      console.log(`${spec.task} / ${spec.method.id} on ${spec.backbone} (seed ${spec.seed}, data ${spec.data.source})`);
      for (const line of summarizeResult(result)) console.log(`  ${line}`);
      if (o.json) { writeFileAtomic(resolve(o.json), `${JSON.stringify(result, null, 2)}\n`); console.log(`  RunResult written to ${o.json}`); }
      if (identity) {
        const { resultPath } = storeRunResult(identity, result, dbPathOf(o));
        console.log(`  stored as run ${identity.id} in ${dbPathOf(o)} (experiment "adhoc"), RunResult in ${resultPath}`);
      }
      process.exitCode = result.status === 'succeeded' ? 0 : 1;
    });
}
