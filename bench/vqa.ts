// VQA family benchmark (CLIP-ViL on the mini VQA data): for each method, in a fresh process each (mem-v1), the
// trainable parameters, the mem-v1 peak (with its transient part) and ms/step over a warm-up step and a few timed
// steps on one batch; checks that UniPT's and LST's peaks are at most half of full fine-tuning's. With --train, each
// method (plus a frozen-backbone "probe": only logit_fc trains) also trains the whole mini recipe and reports its
// validation / test metric and wall time, next to the chance levels of the task.
// Usage: node dist/bench/vqa.js [--task vqa-vqav2|vqa-gqa] [--methods full,lst,...] [--configs clipvil|defaults]
//        [--backbone <dir>] [--batch 32] [--steps 3] [--train] [--epochs N] [--json]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const SELF = fileURLToPath(import.meta.url);
const ALL = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'] as const;

/** Method settings of LST's CLIP-ViL scripts (adapter r=8, LoRA 64 with alpha 32, LST r=4 on every layer, no
 *  sampling bias, no final LayerNorm, random side init) and UniPT's (r=2, the variant's defaults). */
export const CLIPVIL_CONFIGS: Record<string, Record<string, unknown>> = {
  full: {}, bitfit: {}, adapter: { reduction_factor: 8 }, lora: { r: 64, alpha: 32 }, prompt: { tokens: 10 },
  lst: { r: 4, layers: 'all', add_bias_sampling: false, final_layer_norm: false, init: 'random' }, unipt: {}, probe: {},
};

const { values } = parseArgs({ options: {
  worker: { type: 'string' }, task: { type: 'string', default: 'vqa-vqav2' }, methods: { type: 'string', default: ALL.join(',') },
  configs: { type: 'string', default: 'clipvil' }, backbone: { type: 'string' }, batch: { type: 'string', default: '32' },
  steps: { type: 'string', default: '3' }, warmup: { type: 'string', default: '1' }, train: { type: 'boolean', default: false },
  epochs: { type: 'string' }, json: { type: 'boolean', default: false },
} });

interface WorkerResult {
  method: string; task: string; trainable: number; total: number; msPerStep: number;
  memory: { peakBytes: number; breakdown: { transient: number }; vmHWMBytes: number | null };
  train?: { validation: Record<string, number>; test: Record<string, number>; bestEpoch: number | null; seconds: number; epochs: number; lr: number };
}

async function worker(method: string): Promise<void> {
  const t0 = Date.now();
  const { initBackend } = await import('../src/engine/backend.js');
  const { installTracker } = await import('../src/engine/memory/tracker.js');
  const { MemoryProbe } = await import('../src/engine/memory/probe.js');
  const { tf } = await import('../src/engine/tf.js');
  const { Rng } = await import('../src/engine/rng.js');
  const { AdamW } = await import('../src/train/optim.js');
  const { parseRunSpec } = await import('../src/train/run-once.js');
  const { resolveTrainConfig, resolveMethodConfig } = await import('../src/train/resolve-spec.js');
  const { modelsDir } = await import('../src/train/backbone-dir.js');
  const { isComplete } = await import('../src/train/pretrain.js');
  const { join } = await import('node:path');
  const { train } = await import('../src/train/trainer.js');
  const { buildVqaRun } = await import('../src/tasks/vqa/run.js');
  await initBackend('wasm');
  const tracker = installTracker();
  const probeMode = method === 'probe';
  const methodId = probeMode ? 'bitfit' : method;
  const config = values.configs === 'defaults' ? resolveMethodConfig(methodId, {}) : resolveMethodConfig(methodId, CLIPVIL_CONFIGS[method]);
  const trainCfg = resolveTrainConfig(values.task!, methodId, { batchSize: Number(values.batch), ...(values.epochs ? { epochs: Number(values.epochs) } : {}) });
  const spec = parseRunSpec({ task: values.task, backbone: values.backbone ?? 'clip-vil-mini', method: { id: methodId, config }, train: trainCfg, data: { source: 'mini' }, seed: 0 });
  const dir = values.backbone ?? join(modelsDir(), 'clip-vil-mini');
  if (!isComplete(dir)) throw new Error(`no CLIP-ViL checkpoint in ${dir}: run \`unipt pretrain clip-vil-mini\` or pass --backbone <folder>`);
  const rng = new Rng(0);
  const run = await buildVqaRun({ spec, backboneDir: dir, rng: rng.fork('build') });
  const vqa = run.model as import('../src/tasks/vqa/model.js').VqaTaskModel;
  if (probeMode) vqa.model.setTrainable(false);   // frozen cross-modal encoder: only logit_fc trains
  const acc = run.model.accounting();
  const probe = new MemoryProbe(tracker);
  let result: WorkerResult;
  if (values.train) {
    const out = await train({ spec, run, probe, rng: rng.fork('train') });
    const test = await run.evaluate('test');
    const all = run.model.allParams();
    const bytes = (ps: typeof all) => ps.reduce((a, p) => a + p.bytes, 0);
    result = {
      method, task: values.task!, trainable: acc.trainable, total: acc.total, msPerStep: out.msPerStep ?? NaN,
      memory: probe.report({ frozenParams: bytes(all.filter((p) => !p.trainable)), trainableParams: bytes(all.filter((p) => p.trainable)), optimizerState: out.optimizer.stateBytes }),
      train: { validation: out.bestValidation, test, bestEpoch: out.bestEpoch, seconds: (Date.now() - t0) / 1000, epochs: spec.train.epochs, lr: spec.train.lr },
    };
  } else {
    const groups = run.model.paramGroups();
    const trainable = groups.flatMap((g) => g.params);
    const opt = new AdamW(groups, { lr: 1e-4 });
    const batch = run.trainBatches(0, rng.fork('batches'))[Symbol.iterator]().next().value!;
    const ctx = { training: true, rng: rng.fork('dropout') };
    const step = () => probe.step(() => {
      const prepared = tf.tidy(() => run.model.prepare(batch, ctx));
      const { value, grads } = tf.variableGrads(() => run.model.loss(batch, prepared, ctx) as import('../src/engine/tf.js').tf.Scalar, trainable.map((p) => p.variable));
      opt.apply(grads);
      tf.dispose([value, ...Object.values(grads), ...prepared]);
    });
    for (let i = 0; i < Number(values.warmup); i++) step();
    const times: number[] = [];
    for (let i = 0; i < Number(values.steps); i++) { const s = performance.now(); step(); times.push(performance.now() - s); }
    const all = run.model.allParams();
    const bytes = (ps: typeof all) => ps.reduce((a, p) => a + p.bytes, 0);
    result = {
      method, task: values.task!, trainable: acc.trainable, total: acc.total, msPerStep: times.reduce((a, b) => a + b, 0) / times.length,
      memory: probe.report({ frozenParams: bytes(all.filter((p) => !p.trainable)), trainableParams: bytes(trainable), optimizerState: opt.stateBytes }),
    };
    run.disposeBatch(batch);
    opt.dispose();
  }
  run.dispose();
  console.log(JSON.stringify(result));
}

function runWorker(method: string): WorkerResult {
  const args = [SELF, '--worker', method, '--task', values.task!, '--configs', values.configs!, '--batch', values.batch!, '--steps', values.steps!, '--warmup', values.warmup!];
  if (values.backbone) args.push('--backbone', values.backbone);
  if (values.train) args.push('--train');
  if (values.epochs) args.push('--epochs', values.epochs);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`worker ${method} failed (exit ${r.status}):\n${r.stderr}`);
  process.stderr.write(`  ${method}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkerResult;
}

async function chance(task: string): Promise<{ majority: number; uniform: number }> {
  const { generateMiniVqa } = await import('../src/tasks/vqa/data/mini.js');
  const { computeVqaMetrics, goldAnswer } = await import('../src/tasks/vqa/metrics.js');
  const s = generateMiniVqa({ task: task as 'vqa-vqav2' | 'vqa-gqa', imageSize: 8 });
  const counts = new Map<string, number>();
  for (const ex of s.train) { const g = goldAnswer(ex.label!)!; counts.set(g, (counts.get(g) ?? 0) + 1); }
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const m = (pred: string[]) => Object.values(computeVqaMetrics(task as 'vqa-vqav2', pred, s.test.map((x) => x.label)))[0];
  const uniform = s.answers.label2ans.reduce((a, ans) => a + m(s.test.map(() => ans)), 0) / s.answers.label2ans.length;
  return { majority: m(s.test.map(() => top)), uniform };
}

async function main(): Promise<void> {
  if (values.worker) { await worker(values.worker); return; }
  const methods = values.methods!.split(',').filter(Boolean);
  if (values.train && !methods.includes('probe')) methods.push('probe');
  for (const m of methods) if (!(m in CLIPVIL_CONFIGS)) { process.stderr.write(`unknown method "${m}"; valid: ${Object.keys(CLIPVIL_CONFIGS).join(', ')}\n`); process.exit(2); }
  process.stderr.write(`VQA bench: ${values.task}, ${methods.length} methods (${values.configs} configs), one process each${values.train ? ', full mini training' : `, ${values.warmup} warm-up + ${values.steps} timed steps of batch ${values.batch}`}\n`);
  const res: Record<string, WorkerResult> = {};
  for (const m of methods) res[m] = runWorker(m);
  const full = res.full?.memory.peakBytes;
  const ratio = (m: string) => (full && res[m] ? res[m].memory.peakBytes / full : null);
  const checks = { unipt_over_full: ratio('unipt'), lst_over_full: ratio('lst') };
  const ok = Object.values(checks).every((r) => r === null || r <= 0.5);
  const out = {
    task: values.task, backbone: values.backbone ?? 'clip-vil-mini', configs: values.configs, batch: Number(values.batch),
    methods: Object.fromEntries(methods.map((m) => [m, {
      trainable_params: res[m].trainable, total_params: res[m].total, mem_peak_bytes: res[m].memory.peakBytes,
      transient_bytes: res[m].memory.breakdown.transient, vm_hwm_bytes: res[m].memory.vmHWMBytes, ms_per_step: res[m].msPerStep,
      ...(res[m].train ? { train: res[m].train } : {}),
    }])),
    peak_ratio_to_full: checks, side_methods_at_most_half_of_full: ok,
    ...(values.train ? { chance: await chance(values.task!) } : {}),
  };
  if (values.json) { console.log(JSON.stringify(out)); } else {
    const MB = (b: number) => (b / 2 ** 20).toFixed(2).padStart(9);
    console.log(`\n${values.task} on ${out.backbone} (${values.configs} method configs), batch ${values.batch}`);
    console.log(`${'method'.padEnd(9)}${'trainable'.padStart(11)}${'peak MB'.padStart(10)}${'transient'.padStart(10)}${'ms/step'.padStart(9)}${values.train ? `${'val'.padStart(8)}${'test'.padStart(8)}${'run s'.padStart(8)}` : ''}`);
    for (const m of methods) {
      const r = res[m];
      const metric = (x?: Record<string, number>) => (x ? Object.values(x)[0].toFixed(1) : '-').padStart(8);
      console.log(`${m.padEnd(9)}${String(r.trainable).padStart(11)}${MB(r.memory.peakBytes)} ${MB(r.memory.breakdown.transient)}${r.msPerStep.toFixed(0).padStart(9)}${r.train ? `${metric(r.train.validation)}${metric(r.train.test)}${r.train.seconds.toFixed(1).padStart(8)}` : ''}`);
    }
    const f = (x: number | null) => (x === null ? '-' : x.toFixed(3));
    console.log(`\nmem-v1 peak / full fine-tuning: UniPT ${f(checks.unipt_over_full)}, LST ${f(checks.lst_over_full)} (must be <= 0.5: ${ok ? 'yes' : 'NO'})`);
    if (out.chance) console.log(`chance on test: majority answer ${out.chance.majority.toFixed(1)}, uniform random answer ${out.chance.uniform.toFixed(1)}`);
  }
  if (!ok) process.exitCode = 1;
}

await main();
