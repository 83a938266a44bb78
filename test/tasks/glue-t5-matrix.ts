// The 8 GLUE tasks x 7 methods matrix on the mini T5 in text-to-text form (not a test file: a script, because it
// takes long). Each run is its own process (as `unipt run` does), with the registry's mini training defaults for the
// task and method and the mini T5 overlay (src/tasks/glue-t5/mini-train.ts) unless overridden; the table shows the test headline next to the constant baseline (the best
// single answer on the test split) and the share of invalid decoded strings.
// Usage: node dist/test/tasks/glue-t5-matrix.js [--backbone models/t5-mini] [--tasks glue-sst2,...] [--methods full,...]
//        [--epochs N] [--max-train N] [--batch N] [--large-val N] [--parallel 2] [--json]
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: {
  worker: { type: 'string' }, backbone: { type: 'string', default: 'models/t5-mini' }, tasks: { type: 'string' }, methods: { type: 'string' },
  epochs: { type: 'string' }, 'max-train': { type: 'string' }, batch: { type: 'string' }, parallel: { type: 'string', default: '1' },
  json: { type: 'boolean', default: false }, seed: { type: 'string', default: '0' },
  /** Validation examples taken from train for SST-2/QQP/QNLI (LST: 1,000); smaller only to save time. */
  'large-val': { type: 'string' },
} });

const TASKS = ['glue-cola', 'glue-sst2', 'glue-mrpc', 'glue-qqp', 'glue-stsb', 'glue-mnli', 'glue-qnli', 'glue-rte'];
const METHODS = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'];

interface CellResult {
  task: string; method: string; ok: boolean; error?: string; headline: string; test: Record<string, number>; validation: Record<string, number>;
  constant: number; trainable: number; steps: number; msPerStep: number | null; seconds: number; lr: number; epochs: number;
}

async function worker(arg: string): Promise<void> {
  const { task, method } = JSON.parse(arg) as { task: string; method: string };
  const { initBackend } = await import('../../src/engine/backend.js');
  const { Rng } = await import('../../src/engine/rng.js');
  const { installTracker } = await import('../../src/engine/memory/tracker.js');
  const { MemoryProbe } = await import('../../src/engine/memory/probe.js');
  const { RunSpecSchema } = await import('../../src/train/spec.js');
  const { train } = await import('../../src/train/trainer.js');
  const { resolveTrainConfig } = await import('../../src/train/resolve-spec.js');
  const { resolveMethodConfig } = await import('../../src/train/resolve-spec.js');
  const { METHOD_MINI_CONFIG } = await import('../../src/registry/index.js');
  const { buildGlueT5Run } = await import('../../src/tasks/glue-t5/run.js');
  const { loadGlue } = await import('../../src/tasks/glue/data/index.js');
  const { computeGlueMetrics, GLUE_METRIC_DEFS } = await import('../../src/tasks/glue/metrics.js');
  const { t5Target } = await import('../../src/tasks/glue-t5/format.js');
  await initBackend('wasm');
  const tracker = installTracker();
  const t0 = Date.now();
  const dir = resolve(values.backbone!);
  const trainCfg = { ...resolveTrainConfig(task, method, {}, 't5') } as Record<string, unknown>;
  if (values.epochs) trainCfg.epochs = Number(values.epochs);
  if (values['max-train']) trainCfg.maxTrainExamples = Number(values['max-train']);
  if (values.batch) trainCfg.batchSize = Number(values.batch);
  const spec = RunSpecSchema.parse({ task, backbone: dir, method: { id: method, config: resolveMethodConfig(method, METHOD_MINI_CONFIG[method] ?? {}) }, train: trainCfg, seed: Number(values.seed) });
  const headline = GLUE_METRIC_DEFS[task as keyof typeof GLUE_METRIC_DEFS][0].name;
  // constant baseline: the best single answer on the test split (a class, or for STS-B any constant: correlation 0)
  const data = await loadGlue(task, { source: 'mini' }, undefined, values['large-val'] ? { largeValidationSize: Number(values['large-val']) } : {});
  const gold = data.test.map((x) => (task === 'glue-stsb' ? Number(t5Target('glue-stsb', x.label)) : x.label));
  const candidates = task === 'glue-stsb' ? [2.5] : [...new Set(gold)];
  const constant = Math.max(...candidates.map((c) => computeGlueMetrics(task as never, gold.map(() => c), gold)[headline]));
  const base = { task, method, headline, constant, lr: spec.train.lr, epochs: spec.train.epochs };
  try {
    const run = await buildGlueT5Run({ spec, backboneDir: dir, rng: new Rng(spec.seed).fork('build') }, values['large-val'] ? { largeValidationSize: Number(values['large-val']) } : {});
    const out = await train({ spec, run, probe: new MemoryProbe(tracker), rng: new Rng(spec.seed).fork('train') });
    const test = await run.evaluate('test');
    const res: CellResult = { ...base, ok: true, test, validation: out.bestValidation, trainable: run.model.accounting().trainable, steps: out.steps, msPerStep: out.msPerStep, seconds: (Date.now() - t0) / 1000 };
    console.log(JSON.stringify(res));
  } catch (e) {
    console.log(JSON.stringify({ ...base, ok: false, error: (e as Error).message, test: {}, validation: {}, trainable: 0, steps: 0, msPerStep: null, seconds: (Date.now() - t0) / 1000 }));
  }
  process.exit(0);
}

function runCell(task: string, method: string): Promise<CellResult> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [fileURLToPath(import.meta.url), '--worker', JSON.stringify({ task, method }), ...process.argv.slice(2)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      try { res(JSON.parse(line) as CellResult); } catch {
        res({ task, method, ok: false, error: `worker exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`, headline: '', test: {}, validation: {}, constant: NaN, trainable: 0, steps: 0, msPerStep: null, seconds: 0, lr: NaN, epochs: 0 });
      }
    });
  });
}

async function main(): Promise<void> {
  const tasks = values.tasks ? values.tasks.split(',') : TASKS;
  const methods = values.methods ? values.methods.split(',') : METHODS;
  const jobs = tasks.flatMap((t) => methods.map((m) => [t, m] as const));
  const results: CellResult[] = [];
  let next = 0;
  const started = Date.now();
  const lane = async () => {
    while (next < jobs.length) {
      const [t, m] = jobs[next++];
      const r = await runCell(t, m);
      results.push(r);
      process.stderr.write(`${t} ${m}: ${r.ok ? `${r.headline} ${r.test[r.headline]?.toFixed(1)} (constant ${r.constant.toFixed(1)}, invalid ${r.test.invalid?.toFixed(1)}%) ${r.steps} steps ${r.seconds.toFixed(0)} s` : `FAILED ${r.error}`}\n`);
    }
  };
  await Promise.all(Array.from({ length: Number(values.parallel) }, lane));
  const cell = (t: string, m: string) => results.find((r) => r.task === t && r.method === m)!;
  if (values.json) { console.log(JSON.stringify({ backbone: values.backbone, results, seconds: (Date.now() - started) / 1000 })); return; }
  console.log(`\nT5 text-to-text GLUE on ${values.backbone} (mini data): test headline metric (%)  [beats the constant baseline: +]`);
  console.log(`${'task'.padEnd(11)}${'constant'.padStart(9)}${methods.map((m) => m.padStart(10)).join('')}`);
  for (const t of tasks) {
    const c = cell(t, methods[0]);
    console.log(`${t.padEnd(11)}${(Number.isFinite(c?.constant) ? c.constant.toFixed(1) : '-').padStart(9)}${methods.map((m) => {
      const r = cell(t, m);
      if (!r.ok) return 'FAIL'.padStart(10);
      const v = r.test[r.headline];
      return `${v.toFixed(1)}${v > r.constant ? '+' : ' '}`.padStart(10);
    }).join('')}`);
  }
  const beat = results.filter((r) => r.ok && r.test[r.headline] > r.constant).length;
  console.log(`\n${beat} of ${results.length} runs beat the constant baseline; invalid decoded strings (mean over runs): ${(results.filter((r) => r.ok).reduce((a, r) => a + (r.test.invalid ?? 0), 0) / Math.max(1, results.filter((r) => r.ok).length)).toFixed(2)}%`);
  console.log(`headline: CoLA Matthews, MRPC/QQP mean(F1, acc), STS-B mean(Pearson, Spearman), others accuracy; training: registry mini defaults${values.epochs ? `, epochs ${values.epochs}` : ''}${values['max-train'] ? `, at most ${values['max-train']} training examples` : ''}${values['large-val'] ? `, ${values['large-val']} validation examples for SST-2/QQP/QNLI` : ''}; ${((Date.now() - started) / 60000).toFixed(0)} min`);
  for (const r of results.filter((x) => !x.ok)) console.log(`  ${r.task} ${r.method}: ${r.error}`);
}

if (values.worker) await worker(values.worker);
else await main();
