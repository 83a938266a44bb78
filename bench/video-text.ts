// Video-text benchmark (CLIP4Clip meanP on clip-mini, mini vtr-msrvtt by default): for each method, in a fresh
// process (mem-v1), trainable parameters, the mem-v1 peak over warm-up + timed training steps, and ms/step; printed
// side by side, or as one JSON object with --json. `--run` instead trains every method for the task's mini schedule
// and reports the test metrics and the wall/CPU time of each whole run (process start included), plus the frozen
// zero-shot model and chance level.
//   node dist/bench/video-text.js [--json] [--task vtr-msrvtt] [--methods full,lora,...] [--steps 3] [--warmup 1]
//                                 [--backbone models/clip-mini] [--run]
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
  task: { type: 'string', default: 'vtr-msrvtt' }, methods: { type: 'string', default: METHODS.join(',') }, method: { type: 'string' },
  steps: { type: 'string', default: '3' }, warmup: { type: 'string', default: '1' }, backbone: { type: 'string', default: join(root, 'models', 'clip-mini') },
  'zero-shot': { type: 'boolean', default: false }, seed: { type: 'string', default: '0' },
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
  const { VIDEO_TEXT_FAMILY } = await import('../src/tasks/video-text/family.js');
  const { resolveRunSpec } = await import('../src/train/resolve-spec.js');
  const { train } = await import('../src/train/trainer.js');
  await initBackend('wasm');
  const tracker = installTracker();
  const method = values.method!;
  const spec = resolveRunSpec({ task: values.task!, method, seed: Number(values.seed), backend: 'wasm' });
  const rng = new Rng(spec.seed);
  const run = await VIDEO_TEXT_FAMILY.build({ spec, backboneDir: resolve(values.backbone!), rng: rng.fork('build') });
  const acc = run.model.accounting();
  const probe = new MemoryProbe(tracker);
  const out: WorkerResult = { method, trainable: acc.trainable, total: acc.total, msPerStep: null, steps: 0, memory: null };
  if (values['zero-shot']) {
    out.metrics = await run.evaluate('test');
  } else if (values.run) {
    const res = await train({ spec, run, probe, rng: rng.fork('train') });
    out.metrics = await run.evaluate('test');
    out.validation = res.bestValidation;
    out.msPerStep = res.msPerStep; out.trainSteps = res.steps;
    res.optimizer.dispose();
  } else {
    const steps = Number(values.warmup) + Number(values.steps);
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
  if (existsSync(join(dir, 'model.safetensors'))) return;
  log(`clip-mini is not in ${dir}: pretraining it once (deterministic)`);
  const { initBackend } = await import('../src/engine/backend.js');
  const { CLIP_MINI } = await import('../src/train/mini-backbones/clip-mini.js');
  await initBackend('wasm');
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true }); mkdirSync(tmp, { recursive: true });
  await CLIP_MINI.build(tmp, log);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
}

function spawnWorker(method: string, extra: string[]): WorkerResult {
  const t0 = Date.now();
  const args = [fileURLToPath(import.meta.url), '--worker', '--method', method, '--task', values.task!, '--backbone', values.backbone!, '--steps', values.steps!, '--warmup', values.warmup!, '--seed', values.seed!, ...extra];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`worker ${method} failed (exit ${r.status}):\n${r.stderr}`);
  const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerResult;
  res.wallSeconds = (Date.now() - t0) / 1000;
  log(`  ${method}${extra.length ? ` ${extra.join(' ')}` : ''}: done in ${res.wallSeconds.toFixed(1)} s wall, ${res.cpuSeconds?.toFixed(1)} s CPU`);
  return res;
}

async function main(): Promise<void> {
  await ensureBackbone(resolve(values.backbone!));
  const methods = values.methods!.split(',').filter(Boolean);
  for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) { log(`unknown method "${m}"; valid: ${METHODS.join(', ')}`); process.exit(2); }
  const MB = (b: number) => b / 2 ** 20;
  if (values.run) {
    log(`video-text mini runs: ${values.task}, ${methods.length} methods, each a whole run in a fresh process`);
    const zero = spawnWorker('unipt', ['--zero-shot']);
    const results = methods.map((m) => spawnWorker(m, ['--run']));
    const nVideos = values.task === 'vtr-msvd' ? 80 : 100;
    const out = {
      task: values.task, chance: { t2v_r1: 100 / nVideos, t2v_mdr: (nVideos + 1) / 2 },
      zeroShot: zero.metrics,
      methods: Object.fromEntries(results.map((r) => [r.method, { test: r.metrics, validation: r.validation, trainable: r.trainable, steps: r.trainSteps, ms_per_step: r.msPerStep, wall_seconds: r.wallSeconds, cpu_seconds: r.cpuSeconds }])),
    };
    if (values.json) { console.log(JSON.stringify(out)); return; }
    const f = (x: number | undefined, d = 1) => (x === undefined ? '-' : x.toFixed(d)).padStart(8);
    console.log(`\n${values.task} (mini), test split; chance R@1 ${out.chance.t2v_r1.toFixed(1)}%, chance MdR ${out.chance.t2v_mdr}`);
    console.log(`${'method'.padEnd(12)}${'t2v R@1'.padStart(8)}${'R@5'.padStart(8)}${'R@10'.padStart(8)}${'MdR'.padStart(8)}${'v2t R@1'.padStart(8)}${'R@5'.padStart(8)}${'MdR'.padStart(8)}${'steps'.padStart(7)}${'wall s'.padStart(8)}${'CPU s'.padStart(8)}`);
    const row = (name: string, m: Record<string, number> | undefined, r?: WorkerResult) => console.log(`${name.padEnd(12)}${f(m?.t2v_r1)}${f(m?.t2v_r5)}${f(m?.t2v_r10)}${f(m?.t2v_mdr)}${f(m?.v2t_r1)}${f(m?.v2t_r5)}${f(m?.v2t_mdr)}${(r?.trainSteps !== undefined ? String(r.trainSteps) : '-').padStart(7)}${f(r?.wallSeconds)}${f(r?.cpuSeconds)}`);
    row('zero-shot', zero.metrics);
    for (const r of results) row(r.method, r.metrics, r);
    return;
  }
  log(`video-text benchmark: ${values.task} (mini) on clip-mini, ${methods.length} methods, ${values.warmup} warm-up + ${values.steps} timed steps, one process each`);
  const results = methods.map((m) => spawnWorker(m, []));
  const full = results.find((r) => r.method === 'full');
  const out = {
    task: values.task, backbone: values.backbone,
    methods: Object.fromEntries(results.map((r) => [r.method, {
      trainable_params: r.trainable, total_params: r.total, mem_peak_bytes: r.memory!.peakBytes, breakdown: r.memory!.breakdown,
      vm_hwm_bytes: r.memory!.vmHWMBytes, ms_per_step: r.msPerStep, peak_over_full: full ? r.memory!.peakBytes / full.memory!.peakBytes : null,
    }])),
  };
  if (values.json) { console.log(JSON.stringify(out)); return; }
  console.log(`\n${values.task} mini on clip-mini: batch of the task's mini setup, wasm, mem-v1 peak over ${values.warmup} warm-up + ${values.steps} steps`);
  console.log(`${'method'.padEnd(10)}${'trainable'.padStart(11)}${'peak MB'.padStart(9)}${'/ full'.padStart(8)}${'transient'.padStart(10)}${'params'.padStart(8)}${'optim'.padStart(7)}${'extra'.padStart(7)}${'ms/step'.padStart(9)}`);
  for (const r of results) {
    const b = r.memory!.breakdown;
    console.log(`${r.method.padEnd(10)}${r.trainable.toLocaleString('en-US').padStart(11)}${MB(r.memory!.peakBytes).toFixed(1).padStart(9)}${(full ? (r.memory!.peakBytes / full.memory!.peakBytes).toFixed(2) : '-').padStart(8)}${MB(b.transient).toFixed(1).padStart(10)}${MB(b.frozenParams + b.trainableParams).toFixed(1).padStart(8)}${MB(b.optimizerState).toFixed(1).padStart(7)}${MB(b.extraCopies).toFixed(1).padStart(7)}${(r.msPerStep ?? NaN).toFixed(0).padStart(9)}`);
  }
  console.log('mem-v1 peak = unique live tensor bytes (wasm allocator) over the measured steps; transient = peak - persistent state.');
}

if (values.worker) await worker(); else await main();
