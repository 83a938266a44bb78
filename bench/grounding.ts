// Grounding (MDETR) benchmark: for each method, trainable parameters, mem-v1 peak and ms/step, side by side, each
// method in a fresh process (mem-v1: one measurement per process). The model is mdetr-mini's architecture (cnn-mini
// CNN, text-mini-sized text encoder, d 64, 4 + 4 layers, 10 queries) with seeded random weights (memory and time do
// not depend on the values), the step is the trainer's (frozen-only work outside the tape in a tidy, loss and
// gradients inside it, one AdamW update) on mini RefCOCO batches (48 px scenes, batch 32), with the CNN features
// cached as the mini runs cache them (--pixels: the CNN runs in each step's frozen phase instead).
// Usage: node dist/bench/grounding.js [--json] [--methods full,lora,...] [--steps 3] [--batch 32] [--pixels]
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

const METHODS = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'] as const;
/** Mini configs the sweep uses for methods whose defaults are sized for paper models (prompt: 100 tokens). */
const BENCH_CONFIGS: Record<string, Record<string, unknown>> = { prompt: { tokens: 10 } };

const { values } = parseArgs({ options: {
  json: { type: 'boolean', default: false }, methods: { type: 'string', default: METHODS.join(',') }, steps: { type: 'string', default: '3' },
  warmup: { type: 'string', default: '1' }, batch: { type: 'string', default: '32' }, pixels: { type: 'boolean', default: false },
  worker: { type: 'string' },
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

function runWorker(method: string): WorkerResult {
  const t0 = Date.now();
  const args = [fileURLToPath(import.meta.url), '--worker', method, '--steps', values.steps!, '--warmup', values.warmup!, '--batch', values.batch!, ...(values.pixels ? ['--pixels'] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`worker ${method} failed (exit ${r.status}):\n${r.stderr}`);
  log(`  ${method}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerResult;
}

async function main(): Promise<void> {
  if (values.worker) return worker(values.worker);
  const methods = values.methods!.split(',').filter(Boolean);
  for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) { log(`unknown method "${m}"; valid: ${METHODS.join(', ')}`); process.exit(2); }
  log(`grounding benchmark (MDETR mini architecture): ${methods.length} methods, ${values.warmup} warm-up + ${values.steps} timed steps, batch ${values.batch}, one process each`);
  const results: Record<string, WorkerResult> = {};
  for (const m of methods) results[m] = runWorker(m);
  const full = results.full?.memory.peakBytes ?? null;
  const MB = (b: number) => b / 2 ** 20;
  const out = {
    family: 'grounding', model: 'mdetr-mini architecture (cnn-mini, text 4 x 64, d 64, 4 + 4 layers, 10 queries), random weights',
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
