// One run in this process (`unipt worker <job.json>`), started by a sweep: runs the spec, heartbeats its progress
// into the store, writes the RunResult atomically to results/runs/<id>.json and then records it in the store in one
// transaction. SIGTERM (a sweep's second Ctrl-C) ends the run `cancelled` at the next step.
import { readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { openStore } from '../store/index.js';
import { runOnce } from '../train/run-once.js';
import { writeFileAtomic } from '../util/fs.js';
import { InputError } from '../util/errors.js';
import type { RunSpec } from '../train/spec.js';

export interface WorkerJob {
  runId: string;
  spec: RunSpec;
  dbPath: string;
  resultPath: string;
  timeLimitSeconds: number | null;
  /** Minimum interval between heartbeats written to the store. */
  heartbeatMs: number;
}

const JobSchema = z.object({
  runId: z.string().min(1), spec: z.record(z.string(), z.unknown()), dbPath: z.string().min(1), resultPath: z.string().min(1),
  timeLimitSeconds: z.number().positive().nullable(), heartbeatMs: z.number().positive(),
}).strict();

export function readJob(file: string): WorkerJob {
  let raw: unknown;
  try { raw = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { throw new InputError(`${file}: cannot read the worker job: ${(e as Error).message}`); }
  const r = JobSchema.safeParse(raw);
  if (!r.success) throw new InputError(`${file}: invalid worker job: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data as unknown as WorkerJob;
}

export async function runWorker(jobFile: string, log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<number> {
  const job = readJob(jobFile);
  const store = openStore(job.dbPath);
  store.attachWorker(job.runId, process.pid);
  const ac = new AbortController();
  const onSignal = (sig: string) => () => { log(`${sig}: cancelling at the next step`); ac.abort(); };
  process.on('SIGTERM', onSignal('SIGTERM'));
  process.on('SIGINT', onSignal('SIGINT'));
  // Steps heartbeat as they go; this timer covers long evaluations between steps.
  const timer = setInterval(() => store.heartbeat(job.runId), Math.max(job.heartbeatMs, 1000) * 5);
  timer.unref();
  let lastBeat = 0;
  try {
    const result = await runOnce(job.spec, {
      runId: job.runId,
      timeLimitSeconds: job.timeLimitSeconds ?? undefined,
      signal: ac.signal,
      log,
      onStep: (s) => {
        const t = Date.now();
        if (t - lastBeat >= job.heartbeatMs || s.step === s.totalSteps) {
          lastBeat = t;
          store.heartbeat(job.runId, { epoch: s.epoch, step: s.step, totalSteps: s.totalSteps, loss: s.loss, lr: s.lr });
          log(`step ${s.step}/${s.totalSteps} epoch ${s.epoch + 1} loss ${s.loss.toFixed(5)} lr ${s.lr.toExponential(3)}`);
        }
      },
      onEpoch: (e) => log(`epoch ${e.epoch + 1}: train loss ${e.trainLoss.toFixed(5)}; validation ${JSON.stringify(e.validation)} (${e.seconds.toFixed(1)} s)`),
    });
    writeFileAtomic(job.resultPath, `${JSON.stringify(result, null, 2)}\n`);
    store.recordResult(job.runId, result, { resultPath: job.resultPath });
    const cpu = process.cpuUsage();
    log(`finished: ${result.status}${result.error ? ` (${result.error.message})` : ''}; result in ${job.resultPath}; process CPU ${(cpu.user / 1e6).toFixed(1)} s user + ${(cpu.system / 1e6).toFixed(1)} s system`);
    return 0;
  } catch (e) {
    const err = e as Error;
    log(`error: ${err.stack ?? err.message}`);
    store.recordFailure(job.runId, 'failed', `${err.name}: ${err.message}`);
    return 1;
  } finally {
    clearInterval(timer);
    store.close();
    rmSync(jobFile, { force: true });   // the sweep removes it too, unless it died meanwhile
  }
}
