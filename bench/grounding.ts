// Grounding (MDETR) benchmark: for each method, trainable parameters, mem-v1 peak and ms/step, side by side, each
// method in a fresh process (mem-v1: one measurement per process). The model is mdetr-mini's architecture (cnn-mini
// CNN, text-mini-sized text encoder, d 64, 3 + 3 layers, 5 queries) with seeded random weights (memory and time do
// not depend on the values), the step is the trainer's (frozen-only work outside the tape in a tidy, loss and
// gradients inside it, one AdamW update) on mini RefCOCO batches (48 px scenes, batch 32), with the CNN features
// cached as the mini runs cache them (--pixels: the CNN runs in each step's frozen phase instead).
// With --train, each method (plus a frozen-backbone "probe": MDETR frozen, only its heads train) instead runs the
// whole mini recipe of a grounding task (`unipt run`'s spec: the task's mini schedule, the method's mini settings, the
// committed mdetr-mini checkpoint) in a fresh process, and the bench prints validation / test Precision@1, the whole
// run's wall time (process start included) and the task's chance levels (a box drawn from the training
// targets; one of the scene's objects picked at random).
// Usage: node dist/bench/grounding.js [--json] [--methods full,lora,...] [--steps 3] [--batch 32] [--pixels]
//        node dist/bench/grounding.js --train [--task vg-refcoco] [--methods ...] [--backbone <dir>] [--json]
//        node dist/bench/grounding.js --worker <method> ...   (one measurement, one JSON line)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { tf, type Tensor } from '../src/engine/tf.js';
import { initBackend } from '../src/engine/backend.js';
import { Rng } from '../src/engine/rng.js';
import { installTracker } from '../src/engine/memory/tracker.js';
import { MemoryProbe, type MemoryReport } from '../src/engine/memory/probe.js';
import { AdamW } from '../src/train/optim.js';
import { sampleScene, renderScene, referringExpressions, writeSceneTokenizer } from '../src/data/scenes/index.js';
import { normalizeInPlace } from '../src/data/images/index.js';
import { loadTokenizer } from '../src/data/tokenizer/index.js';
import { TEXT_ENCODER_PRESETS } from '../src/backbones/text/config.js';
import { findBackbone } from '../src/registry/index.js';
import { MdetrModel } from '../src/backbones/mdetr/model.js';
import { mdetrMiniConfig } from '../src/train/mini-backbones/mdetr-mini.js';
import { CNN_MINI_CONFIG } from '../src/train/mini-backbones/cnn-mini.js';
import { applyGroundingMethod } from '../src/tasks/grounding/methods.js';
import { GroundingTaskModel } from '../src/tasks/grounding/model.js';
import { makeBatch } from '../src/tasks/grounding/batches.js';
import { computeFeatureCache } from '../src/tasks/grounding/features.js';
import { packedImages, type GroundingItem } from '../src/tasks/grounding/data/types.js';
import { MINI_REFEXP, headSpan } from '../src/tasks/grounding/data/mini.js';
import { xyxyToCxcywh } from '../src/tasks/grounding/boxes.js';
import { runUniptSync } from './unipt-run.js';

const METHODS = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'] as const;
const SELF = fileURLToPath(import.meta.url);
/** Mini configs the sweep uses for methods whose defaults are sized for paper models (prompt: 100 tokens). */
const BENCH_CONFIGS: Record<string, Record<string, unknown>> = { prompt: { tokens: 10 } };

const { values } = parseArgs({ options: {
  json: { type: 'boolean', default: false }, methods: { type: 'string', default: METHODS.join(',') }, steps: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '1' }, batch: { type: 'string', default: '32' }, pixels: { type: 'boolean', default: false },
  worker: { type: 'string' }, train: { type: 'boolean', default: false }, task: { type: 'string', default: 'vg-refcoco' },
  backbone: { type: 'string' },
} });
const log = (s: string) => process.stderr.write(`${s}\n`);

interface WorkerResult {
  method: string; msPerStep: number; cpuMsPerStep: number; trainable: number; total: number; loss: number; memory: MemoryReport;
}

async function worker(method: string): Promise<void> {
  await initBackend('wasm');
  const tracker = installTracker();
  const B = Number(values.batch), steps = Number(values.steps), warmup = Number(values.warmup);
  const dir = mkdtempSync(join(tmpdir(), 'grounding-bench-'));
  writeSceneTokenizer(dir);
  const tok = await loadTokenizer(dir);
  rmSync(dir, { recursive: true, force: true });
  const textMini = findBackbone('text-mini')?.config ?? TEXT_ENCODER_PRESETS['bench-reference'];
  const config = mdetrMiniConfig({ ...textMini, vocab_size: tok.vocabSize }, { ...CNN_MINI_CONFIG });
  const model = new MdetrModel(config, 1);
  const rng = new Rng(7);
  const S = MINI_REFEXP.imageSize;
  const items: GroundingItem[] = [];
  const px = new Float32Array(B * S * S * 3);
  const data = rng.fork('data');
  for (let i = 0; items.length < B; i++) {
    const scene = sampleScene(data, MINI_REFEXP.scenes);
    const [e] = referringExpressions(scene, data, 1, { size: S, style: 'refcoco' });
    if (!e) continue;
    px.set(normalizeInPlace(renderScene(scene, S), 'imagenet'), items.length * S * S * 3);
    const box = xyxyToCxcywh([e.box.x / S, e.box.y / S, (e.box.x + e.box.w) / S, (e.box.y + e.box.h) / S]);
    items.push({ caption: e.text, image: items.length, targets: [{ box, spans: [headSpan(e.text, scene.objects[e.targetId].shape)] }], evalBox: [0, 0, 1, 1], width: S, height: S });
  }
  const split = { name: 'bench', items, images: packedImages(px, S) };
  const cache = values.pixels ? null : computeFeatureCache(model, split.images);
  const runtime = applyGroundingMethod(method, BENCH_CONFIGS[method] ?? {}, model, rng.fork('method'));
  const tm = new GroundingTaskModel(model, runtime);
  const groups = tm.paramGroups();
  const trainable = groups.flatMap((g) => g.params);
  const opt = new AdamW(groups, { lr: 1e-4 });
  const c = { tok, maxLength: Math.min(config.num_classes + 1, model.textEncoder.maxLength), numClasses: config.num_classes };
  const batch = makeBatch(split, items.map((_, i) => i), c, cache);
  const ctx = { training: true, rng: rng.fork('dropout') };
  const step = (): number => {
    const prepared = tf.tidy(() => tm.prepare(batch, ctx));
    try {
      const { value, grads } = tf.variableGrads(() => tm.loss(batch, prepared, ctx) as tf.Scalar, trainable.map((p) => p.variable));
      const v = value.dataSync()[0];
      opt.apply(grads);
      tf.dispose([value, ...Object.values(grads)] as Tensor[]);
      return v;
    } finally { tf.dispose(prepared); }
  };
  const probe = new MemoryProbe(tracker);
  const times: number[] = [], cpu: number[] = [];
  let loss = NaN;
  for (let i = 0; i < warmup + steps; i++) {
    const t0 = performance.now(), c0 = process.cpuUsage();
    loss = probe.step(step);
    const dc = process.cpuUsage(c0);
    if (i >= warmup) { times.push(performance.now() - t0); cpu.push((dc.user + dc.system) / 1000); }
  }
  const all = tm.allParams();
  const bytes = (ps: typeof all) => ps.reduce((a, p) => a + p.bytes, 0);
  const mem = probe.report({ frozenParams: bytes(all.filter((p) => !p.trainable)), trainableParams: bytes(trainable), optimizerState: opt.stateBytes });
  const acc = tm.accounting();
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const out: WorkerResult = { method, msPerStep: mean(times), cpuMsPerStep: mean(cpu), trainable: acc.trainable, total: acc.total, loss, memory: mem };
  console.log(JSON.stringify(out));
  process.exit(0);
}

interface TrainResult {
  method: string; trainable: number; total: number; steps: number; msPerStep: number | null;
  validation: Record<string, number>; test: Record<string, number>; trainSeconds: number; evalSeconds: number;
}

/** One whole mini run of the task (the spec `unipt run --task <task> --method <m>` resolves), in this process. */
async function trainWorker(method: string): Promise<void> {
  const { resolveRunSpec } = await import('../src/train/resolve-spec.js');
  const { resolveBackbone } = await import('../src/train/backbone-dir.js');
  const { buildGroundingRun } = await import('../src/tasks/grounding/run.js');
  const { train } = await import('../src/train/trainer.js');
  await initBackend('wasm');
  const tracker = installTracker();
  const probeMode = method === 'probe';
  // the probe: full fine-tuning's schedule with everything but the heads frozen
  const spec = resolveRunSpec({ task: values.task!, method: probeMode ? 'full' : method, ...(values.backbone ? { backbone: values.backbone } : {}) });
  const { dir } = resolveBackbone(spec.backbone);
  const rng = new Rng(spec.seed);
  const run = await buildGroundingRun({ spec, backboneDir: dir, rng: rng.fork('build') });
  if (probeMode) {
    const tm = run.model as GroundingTaskModel;
    tm.mdetr.setTrainable(false);
    tm.mdetr.heads.setTrainable(true);
  }
  const acc = run.model.accounting();
  const t0 = performance.now();
  const out = await train({ spec, run, probe: new MemoryProbe(tracker), rng: rng.fork('train') });
  const t1 = performance.now();
  const test = await run.evaluate('test');
  const res: TrainResult = {
    method, trainable: acc.trainable, total: acc.total, steps: out.steps, msPerStep: out.msPerStep ?? null,
    validation: out.bestValidation, test, trainSeconds: (t1 - t0) / 1000, evalSeconds: (performance.now() - t1) / 1000,
  };
  out.optimizer.dispose();
  run.dispose();
  console.log(JSON.stringify(res));
  process.exit(0);
}

/**
 * One method's whole mini run: `unipt run` itself (the user path, its wall time as a sweep sees it) for the methods,
 * the in-process worker above for the probe (not a registry method).
 */
function runTrainWorker(method: string): TrainResult & { wallSeconds: number } {
  const t0 = Date.now();
  if (method === 'probe') {
    const res = spawnWorker<TrainResult>(method, ['--train', '--task', values.task!, ...(values.backbone ? ['--backbone', values.backbone] : [])]);
    const wallSeconds = (Date.now() - t0) / 1000;
    log(`  ${method}: done in ${wallSeconds.toFixed(1)} s`);
    return { ...res, wallSeconds };
  }
  const res = runUniptSync({ task: values.task!, method, extra: ['--backend', 'wasm', ...(values.backbone ? ['--backbone', values.backbone] : [])] });
  const wallSeconds = (Date.now() - t0) / 1000;
  if (res.status !== 'succeeded') throw new Error(`unipt run --method ${method} ended ${res.status}: ${res.error?.message ?? ''}`);
  log(`  ${method}: done in ${wallSeconds.toFixed(1)} s`);
  return {
    method, trainable: res.params?.trainable ?? NaN, total: res.params?.total ?? NaN, steps: res.timings.steps, msPerStep: res.timings.msPerStep,
    validation: res.final.validation, test: res.final.test, trainSeconds: res.timings.trainSeconds, evalSeconds: res.timings.evalSeconds, wallSeconds,
  };
}

async function trainMain(): Promise<void> {
  const { miniRefexpChance, refexpDataset, GROUNDING_DATA_SEED } = await import('../src/tasks/grounding/data/index.js');
  const methods = values.methods!.split(',').filter(Boolean);
  if (!methods.includes('probe')) methods.push('probe');
  for (const m of methods) if (m !== 'probe' && !(METHODS as readonly string[]).includes(m)) { log(`unknown method "${m}"; valid: ${METHODS.join(', ')}, probe`); process.exit(2); }
  const ds = refexpDataset(values.task!);
  log(`grounding bench (--train): ${values.task} on ${values.backbone ?? 'mdetr-mini'}, ${methods.length} methods, the whole mini run each, one process each`);
  const res: Record<string, ReturnType<typeof runTrainWorker>> = {};
  for (const m of methods) res[m] = runTrainWorker(m);
  const chance = miniRefexpChance(ds.name, GROUNDING_DATA_SEED);
  const splits = ds.evalSplits;
  const out = { task: values.task, backbone: values.backbone ?? 'mdetr-mini', methods: res, chance };
  if (values.json) { console.log(JSON.stringify(out)); return; }
  console.log(`\n${values.task}: Precision@1 (%) after the mini schedule, one fresh process per method (probe: heads only)`);
  console.log(`${'method'.padEnd(9)}${'trainable'.padStart(11)}${'steps'.padStart(7)}${splits.map((s) => s.padStart(8)).join('')}${'wall s'.padStart(9)}${'train s'.padStart(9)}`);
  for (const m of methods) {
    const r = res[m];
    console.log(`${m.padEnd(9)}${String(r.trainable).padStart(11)}${String(r.steps).padStart(7)}${splits.map((s) => (r.test[`p1_${s}`] ?? NaN).toFixed(1).padStart(8)).join('')}${r.wallSeconds.toFixed(1).padStart(9)}${r.trainSeconds.toFixed(1).padStart(9)}`);
  }
  console.log(`${'chance: box prior'.padEnd(27)}${splits.map((s) => chance[s].priorBox.toFixed(1).padStart(8)).join('')}`);
  console.log(`${'chance: random object'.padEnd(27)}${splits.map((s) => chance[s].randomObject.toFixed(1).padStart(8)).join('')}`);
  console.log('box prior = a training target box as the prediction; random object = the exact box of a random object of the scene.');
  console.log('wall s = the whole process (start, load, data, training, evaluation; `unipt run` for the methods, the bench worker for the probe); train s = the training loop.');
}

/** This bench as a worker process for `method` (extra args after --worker): the JSON object of its last stdout line. */
function spawnWorker<T>(method: string, extra: string[]): T {
  const r = spawnSync(process.execPath, [SELF, '--worker', method, ...extra], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`worker ${method} failed (exit ${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

function runWorker(method: string): WorkerResult {
  const t0 = Date.now();
  const res = spawnWorker<WorkerResult>(method, ['--steps', values.steps!, '--warmup', values.warmup!, '--batch', values.batch!, ...(values.pixels ? ['--pixels'] : [])]);
  log(`  ${method}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return res;
}

async function main(): Promise<void> {
  if (values.worker) return values.train ? trainWorker(values.worker) : worker(values.worker);
  if (values.train) return trainMain();
  const methods = values.methods!.split(',').filter(Boolean);
  for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) { log(`unknown method "${m}"; valid: ${METHODS.join(', ')}`); process.exit(2); }
  log(`grounding benchmark (MDETR mini architecture): ${methods.length} methods, ${values.warmup} warm-up + ${values.steps} timed steps, batch ${values.batch}, one process each`);
  const results: Record<string, WorkerResult> = {};
  for (const m of methods) results[m] = runWorker(m);
  const full = results.full?.memory.peakBytes ?? null;
  const MB = (b: number) => b / 2 ** 20;
  const out = {
    family: 'grounding', model: 'mdetr-mini architecture (cnn-mini, text 4 x 64, d 64, 3 + 3 layers, 5 queries), random weights',
    batch: Number(values.batch), cnn: values.pixels ? 'in each step (frozen phase)' : 'features cached once per image',
    methods: Object.fromEntries(methods.map((m) => {
      const r = results[m];
      return [m, { trainable_params: r.trainable, total_params: r.total, mem_peak_bytes: r.memory.peakBytes, breakdown: r.memory.breakdown, vm_hwm_bytes: r.memory.vmHWMBytes, ms_per_step: r.msPerStep, cpu_ms_per_step: r.cpuMsPerStep, peak_over_full: full ? r.memory.peakBytes / full : null }];
    })),
    check: full ? Object.fromEntries(['unipt', 'lst'].filter((m) => results[m]).map((m) => [m, results[m].memory.peakBytes <= full / 2])) : null,
  };
  if (values.json) { console.log(JSON.stringify(out)); return; }
  console.log(`\n${out.model}; batch ${out.batch}; CNN ${out.cnn}`);
  console.log(`${'method'.padEnd(10)}${'trainable'.padStart(12)}${'peak MB'.padStart(10)}${'transient'.padStart(11)}${'optim'.padStart(8)}${'ms/step'.padStart(10)}${'cpu ms'.padStart(9)}${'peak/full'.padStart(11)}`);
  for (const m of methods) {
    const e = out.methods[m];
    console.log(`${m.padEnd(10)}${e.trainable_params.toLocaleString('en-US').padStart(12)}${MB(e.mem_peak_bytes).toFixed(1).padStart(10)}${MB(e.breakdown.transient).toFixed(1).padStart(11)}${MB(e.breakdown.optimizerState).toFixed(1).padStart(8)}${e.ms_per_step.toFixed(0).padStart(10)}${e.cpu_ms_per_step.toFixed(0).padStart(9)}${(e.peak_over_full === null ? '-' : e.peak_over_full.toFixed(2)).padStart(11)}`);
  }
  if (out.check) for (const [m, ok] of Object.entries(out.check)) console.log(`${m} peak <= half of full fine-tuning's: ${ok ? 'yes' : 'NO'}`);
  console.log('mem-v1 peak = unique live tensor bytes over warm-up + timed steps; VmHWM adds ~140 MB of Node baseline.');
  console.log('ms/step = wall clock; cpu ms = the process\'s CPU time per step (the wall time a single-threaded run takes on an idle core).');
}

await main();
