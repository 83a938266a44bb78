// Image-text retrieval benchmark (VSE∞ on vse-mini, mini itr-flickr30k by default): for each method, in a fresh
// process (mem-v1), trainable parameters, the mem-v1 peak over warm-up + timed training steps, and ms/step; printed
// side by side, or as one JSON object with --json. `--run` instead trains every method for the task's mini schedule
// and reports the test metrics and each whole run's wall and CPU time (process start included), with chance level.
//   node dist/bench/image-text.js [--json] [--task itr-flickr30k] [--methods full,lora,...] [--steps 3] [--warmup 1]
//                                 [--backbone models/vse-mini] [--batch 32] [--run]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const METHODS = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'] as const;

const { values } = parseArgs({ options: {
  json: { type: 'boolean', default: false }, worker: { type: 'boolean', default: false }, run: { type: 'boolean', default: false },
  task: { type: 'string', default: 'itr-flickr30k' }, methods: { type: 'string', default: METHODS.join(',') }, method: { type: 'string' },
  steps: { type: 'string', default: '3' }, warmup: { type: 'string', default: '1' }, backbone: { type: 'string', default: join(root, 'models', 'vse-mini') },
  batch: { type: 'string' }, seed: { type: 'string', default: '0' },
} });
const log = (s: string) => process.stderr.write(`${s}\n`);

interface WorkerResult {
  method: string; trainable: number; total: number; msPerStep: number | null; steps: number;
  memory: { peakBytes: number; breakdown: Record<string, number>; vmHWMBytes: number | null } | null;
  metrics?: Record<string, number>; validation?: Record<string, number>; wallSeconds?: number; cpuSeconds?: number; trainSteps?: number;
}

async function worker(): Promise<void> {
  const { initBackend } = await import('../src/engine/backend.js');
  const { installTracker } = await import('../src/engine/memory/tracker.js');
  const { MemoryProbe } = await import('../src/engine/memory/probe.js');
  const { Rng } = await import('../src/engine/rng.js');
  const { IMAGE_TEXT_FAMILY } = await import('../src/tasks/image-text/family.js');
  const { resolveRunSpec } = await import('../src/train/resolve-spec.js');
  const { train } = await import('../src/train/trainer.js');
  await initBackend('wasm');
  const tracker = installTracker();
  const method = values.method!;
  const spec = resolveRunSpec({ task: values.task!, method, seed: Number(values.seed), backend: 'wasm', ...(values.batch ? { train: { batchSize: Number(values.batch) } } : {}) });
  const rng = new Rng(spec.seed);
  const run = await IMAGE_TEXT_FAMILY.build({ spec, backboneDir: resolve(values.backbone!), rng: rng.fork('build') });
  const acc = run.model.accounting();
  const probe = new MemoryProbe(tracker);
  const out: WorkerResult = { method, trainable: acc.trainable, total: acc.total, msPerStep: null, steps: 0, memory: null };
  if (values.run) {
    const res = await train({ spec, run, probe, rng: rng.fork('train') });
    out.metrics = await run.evaluate('test');
    out.validation = res.bestValidation;
    out.msPerStep = res.msPerStep; out.trainSteps = res.steps;
    res.optimizer.dispose();
  } else {
    const steps = Number(values.warmup) + Number(values.steps);
    // the first epoch of VSE∞ sums over all negatives; the timed steps use the later epochs' hardest-negative loss
    // the same way (the loss is a few small ops, its mode does not move time or memory measurably)
    const res = await train({ spec: { ...spec, train: { ...spec.train, maxSteps: steps, epochs: 1 } }, run, probe, rng: rng.fork('train'), selectBest: false });
    out.msPerStep = res.msPerStep; out.steps = res.steps;
    const all = run.model.allParams();
    const sum = (xs: typeof all) => xs.reduce((a, p) => a + p.bytes, 0);
    const rep = probe.report({ frozenParams: sum(all.filter((p) => !p.trainable)), trainableParams: sum(all.filter((p) => p.trainable)), optimizerState: res.optimizer.stateBytes });
    out.memory = { peakBytes: rep.peakBytes, breakdown: rep.breakdown as unknown as Record<string, number>, vmHWMBytes: rep.vmHWMBytes };
    res.optimizer.dispose();
  }
  run.dispose();
  const cpu = process.cpuUsage();
  out.wallSeconds = process.uptime();
  out.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.log(JSON.stringify(out));
}

async function ensureBackbone(dir: string): Promise<void> {
  if (existsSync(join(dir, 'model.safetensors')) && existsSync(join(dir, 'image', 'model.safetensors'))) return;
  log(`vse-mini is not in ${dir}: building it once (deterministic; pretrains text-mini / cnn-mini if they are missing)`);
  const { initBackend } = await import('../src/engine/backend.js');
  const { VSE_MINI } = await import('../src/train/mini-backbones/vse-mini.js');
  await initBackend('wasm');
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await VSE_MINI.build(tmp, log);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

function runWorker(method: string): WorkerResult {
  const args = [join(here, 'image-text.js'), '--worker', '--method', method, '--task', values.task!, '--steps', values.steps!, '--warmup', values.warmup!, '--backbone', values.backbone!, '--seed', values.seed!];
  if (values.batch) args.push('--batch', values.batch);
  if (values.run) args.push('--run');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`worker ${method} failed (exit ${r.status}):\n${r.stderr}`);
  log(`  ${method}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerResult;
}

async function main(): Promise<void> {
  if (values.worker) return worker();
  await ensureBackbone(resolve(values.backbone!));
  const methods = values.methods!.split(',').filter(Boolean);
  for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) { log(`unknown method "${m}"; valid: ${METHODS.join(', ')}`); process.exit(2); }
  log(`image-text benchmark: ${values.task}, ${methods.length} methods, ${values.run ? 'full mini runs' : `${values.warmup} warm-up + ${values.steps} timed steps`}, one process each`);
  const results: Record<string, WorkerResult> = {};
  for (const m of methods) results[m] = runWorker(m);
  const MB = (b: number) => b / 2 ** 20;
  const full = results.full?.memory?.peakBytes ?? null;
  // chance: i2t R@K = K * 5 / (5 n) captions, t2i R@K = K / n images, for n test images (5 captions each)
  const { MINI_ITR_SIZES } = await import('../src/tasks/image-text/data/mini.js');
  // itr-coco-1k's test metrics are averages over 5 folds of a fifth of the test images
  const nTest = values.task === 'itr-flickr30k' ? MINI_ITR_SIZES.f30k.test : values.task === 'itr-coco-1k' ? MINI_ITR_SIZES.coco.test / 5 : MINI_ITR_SIZES.coco.test;
  const chanceR = (K: number) => Math.min(100, (100 * K) / nTest);
  const chance = { rsum: 2 * (chanceR(1) + chanceR(5) + chanceR(10)) };
  const out = {
    task: values.task, backbone: values.backbone, mode: values.run ? 'run' : 'steps',
    chance: values.run ? chance : undefined,
    methods: Object.fromEntries(methods.map((m) => {
      const w = results[m];
      return [m, {
        trainable_params: w.trainable, total_params: w.total, ms_per_step: w.msPerStep,
        mem_peak_bytes: w.memory?.peakBytes ?? null, mem_breakdown: w.memory?.breakdown ?? null,
        peak_over_full: w.memory && full ? w.memory.peakBytes / full : null,
        vm_hwm_bytes: w.memory?.vmHWMBytes ?? null,
        ...(values.run ? { test: w.metrics, validation: w.validation, train_steps: w.trainSteps, wall_seconds: w.wallSeconds, cpu_seconds: w.cpuSeconds } : {}),
      }];
    })),
  };
  if (values.json) { console.log(JSON.stringify(out)); return; }
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (x: number | null | undefined, d = 0, w = 10) => (x === null || x === undefined ? '-' : x.toFixed(d)).padStart(w);
  if (!values.run) {
    console.log(`\n${values.task} on ${values.backbone}: mem-v1 over ${values.warmup} warm-up + ${values.steps} timed steps, one fresh process per method`);
    console.log(`${pad('method', 9)}${'trainable'.padStart(11)}${'of total'.padStart(11)}${'peak MB'.padStart(10)}${'transient'.padStart(10)}${'/ full'.padStart(8)}${'ms/step'.padStart(10)}`);
    for (const m of methods) {
      const e = out.methods[m];
      console.log(`${pad(m, 9)}${num(e.trainable_params, 0, 11)}${num(e.total_params, 0, 11)}${num(e.mem_peak_bytes === null ? null : MB(e.mem_peak_bytes), 1)}${num(e.mem_breakdown ? MB(e.mem_breakdown.transient) : null, 1)}${num(e.peak_over_full, 2, 8)}${num(e.ms_per_step)}`);
    }
    console.log('UniPT and LST must stay at or below 0.50 of full fine-tuning\'s peak (issue 6).');
  } else {
    console.log(`\n${values.task}: test metrics after the mini schedule (chance rsum ${chance.rsum.toFixed(1)}), one fresh process per method`);
    console.log(`${pad('method', 9)}${'rsum'.padStart(8)}${'i2t R@1'.padStart(9)}${'t2i R@1'.padStart(9)}${'steps'.padStart(7)}${'ms/step'.padStart(9)}${'wall s'.padStart(8)}${'cpu s'.padStart(8)}`);
    for (const m of methods) {
      const e = out.methods[m] as { test: Record<string, number>; train_steps: number; ms_per_step: number | null; wall_seconds: number; cpu_seconds: number };
      console.log(`${pad(m, 9)}${num(e.test.rsum, 1, 8)}${num(e.test.i2t_r1, 1, 9)}${num(e.test.t2i_r1, 1, 9)}${num(e.train_steps, 0, 7)}${num(e.ms_per_step, 0, 9)}${num(e.wall_seconds, 1, 8)}${num(e.cpu_seconds, 1, 8)}`);
    }
  }
}

await main();
