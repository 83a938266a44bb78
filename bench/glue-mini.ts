// The mini GLUE matrix: every method on every mini GLUE task through `unipt run` (one process per run, as a sweep
// runs them), printed beside the constant baseline (the best constant prediction on the same test split) and whether
// the training loss fell. Usage: node dist/bench/glue-mini.js [--tasks a,b] [--methods a,b] [--backbone id]
// [--jobs n] [--learn] [--set key=value ...] [--json]
// Without --learn each run uses the task's mini settings: on text-mini sized for the 15-minute mini sweep (1-5 epochs),
// on t5-mini (not in the sweep) LST's small/large split (src/tasks/glue-t5/mini-train.ts, 1-20 epochs);
// --learn trains longer, as LST does on small vs large tasks (20 vs 10 epochs at paper scale): LST's 20 epochs on the
// tasks whose mini test set is half the dev set (CoLA, MRPC, STS-B, RTE: 1,000-1,200 training examples), 4 on the
// others (2,000-2,400). A --set wins over it.
import pLimit from 'p-limit';
import { GLUE_TASK_IDS, glueSchema, loadGlue, type GlueTaskId } from '../src/tasks/glue/data/index.js';
import { computeGlueMetrics } from '../src/tasks/glue/metrics.js';
import { GLUE_DATA_SEED } from '../src/tasks/glue/family.js';
import { METHODS } from '../src/registry/methods.js';
import { runUnipt } from './unipt-run.js';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : undefined; };
const sets = argv.flatMap((a, i) => (a === '--set' ? [argv[i + 1]] : []));
const tasks = (opt('tasks')?.split(',') ?? [...GLUE_TASK_IDS]) as GlueTaskId[];
const methods = opt('methods')?.split(',') ?? METHODS.map((m) => m.id);
const backbone = opt('backbone') ?? 'text-mini';
const jobs = Number(opt('jobs') ?? 1);
const json = argv.includes('--json');
const learn = argv.includes('--learn');
/** --learn epochs: LST's small tasks (dev halved into validation/test) get more passes than the large ones. */
const LEARN_EPOCHS = { small: 20, large: 4 } as const;
const SMALL_TASKS: readonly string[] = GLUE_TASK_IDS.filter((t) => glueSchema(t).splitRule === 'small');
const learnSets = (task: string): string[] => (learn ? [`train.epochs=${SMALL_TASKS.includes(task) ? LEARN_EPOCHS.small : LEARN_EPOCHS.large}`] : []);

/** The best headline a constant prediction reaches on the test split (STS-B: a constant has no correlation, 0). */
async function constantBaseline(task: GlueTaskId): Promise<number> {
  const data = await loadGlue(task, { source: 'mini' }, GLUE_DATA_SEED);
  const gold = data.test.map((x) => x.label);
  if (!data.meta.labels) return 0;
  const scores = data.meta.labels.map((_, c) => Object.values(computeGlueMetrics(task, gold.map(() => c), gold))[0]);
  return Math.max(...scores);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const limit = pLimit(jobs);
const t0 = performance.now();
const baselines = Object.fromEntries(await Promise.all(tasks.map(async (t) => [t, await constantBaseline(t)] as const)));
const rows = await Promise.all(tasks.flatMap((task) => methods.map((method) => limit(async () => {
  const r = await runUnipt({ task, method, sets: [...learnSets(task), ...sets], extra: ['--backbone', backbone] });
  const head = r.metricDefs[0].name;
  const k = Math.max(1, Math.floor(r.stepLosses.length / 10));
  const lossFirst = mean(r.stepLosses.slice(0, k)), lossLast = mean(r.stepLosses.slice(-k));
  const metric = r.final.test[head];
  const row = { task, method, status: r.status, metric: head, test: metric, constant: baselines[task], beats: metric > baselines[task], lossFirst, lossLast, lossFell: lossLast < lossFirst, seconds: r.timings.totalSeconds };
  if (!json) console.log(`${task.padEnd(10)} ${method.padEnd(8)} ${r.status.padEnd(9)} ${head} ${metric?.toFixed(2).padStart(6)} vs constant ${baselines[task].toFixed(2).padStart(6)} ${row.beats ? 'BEATS' : 'below'}  loss ${lossFirst.toFixed(3)} -> ${lossLast.toFixed(3)}  ${r.timings.totalSeconds.toFixed(1)} s`);
  return row;
}))));
const beaten = rows.filter((r) => r.beats && r.lossFell).length;
if (json) console.log(JSON.stringify({ backbone, learn: learn ? LEARN_EPOCHS : null, sets, rows, beaten, total: rows.length, seconds: (performance.now() - t0) / 1000 }));
else console.log(`\n${beaten}/${rows.length} runs beat the constant baseline with a falling loss (backbone ${backbone}${learn ? `, --learn: ${LEARN_EPOCHS.small} epochs on ${SMALL_TASKS.join('/')}, ${LEARN_EPOCHS.large} on the others` : ''}${sets.length ? `, --set ${sets.join(' ')}` : ''}); ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exitCode = beaten === rows.length ? 0 : 1;
