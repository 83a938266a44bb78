// Paper-scale memory check on T5-base (LST's GLUE setting: source length 128, GLUE targets of a few tokens): the
// mem-v1 peak of each method at small batch sizes, each configuration in a fresh process, a least-squares line
// peak = intercept + slope x batch per method, extrapolated to LST's batch 100 and printed beside LST's published
// training memory ("GB" = MiB/1000 of torch.cuda.max_memory_allocated) and ratios to full fine-tuning.
// The engines differ (tfjs-wasm keeps other tensors than PyTorch's autograd, e.g. pre-transposed frozen weights, and
// float32 everywhere), so the absolute GB are not comparable; the ratio method / full fine-tuning is.
// Full fine-tuning of T5-base cannot train in wasm32's 4 GiB heap (850 MiB of weights, 850 of gradients and 1,700 of
// AdamW moments before any activation or update temporary); its gradient step is measured without an optimizer and
// AdamW's state (two float32 moments per parameter, exact) is added; one attempt with AdamW documents the failure.
// Usage: node dist/bench/t5-memory.js [--batches 1,2,4] [--methods ...] [--steps 1] [--warmup 1] [--json]
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const METHODS = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'] as const;
const LABEL: Record<string, string> = {
  full: 'Full fine-tuning', bitfit: 'BitFit', adapter: 'Adapters (r=16)', lora: 'LoRA (rank 32 + biases)',
  prompt: 'Prompt tuning (100)', lst: 'LST (r=8, 9 of 12)', unipt: 'UniPT (enc-dec, D=8)',
};
/** LST paper (Figure 1 / abstract), T5-base, batch 100, length 128; BitFit and Prompt read off the figure. */
const LST_PUBLISHED_GB: Record<string, number | null> = { full: 17.6, bitfit: 10.7, adapter: 13.0, lora: 12.6, prompt: 11.6, lst: 5.5, unipt: null };
/** Ratios LST states in its abstract (69% / 26% savings); the others are published GB / 17.6. */
const LST_STATED_RATIO: Record<string, number> = { lst: 0.31, adapter: 0.74, lora: 0.72 };
const TARGET_BATCH = 100;

const { values } = parseArgs({ options: {
  json: { type: 'boolean', default: false }, batches: { type: 'string', default: '1,2,4' }, methods: { type: 'string', default: METHODS.join(',') },
  steps: { type: 'string', default: '1' }, warmup: { type: 'string', default: '1' }, source: { type: 'string', default: '128' },
  target: { type: 'string', default: '3' }, preset: { type: 'string', default: 't5-base' }, 'timeout-s': { type: 'string', default: '900' },
  'no-adamw-attempt': { type: 'boolean', default: false },
  // per-use (default): frozen weights' transposes are made at each use and freed, as PyTorch keeps no transposed
  // copy; cache: kept once per weight (the engine's fast default for training runs; +850 MB on T5-base)
  'frozen-transpose': { type: 'string', default: 'per-use' },
} });
const log = (s: string) => process.stderr.write(`${s}\n`);
const batches = values.batches!.split(',').map(Number);
const methods = values.methods!.split(',').filter(Boolean);
for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) { log(`unknown method "${m}"; valid: ${METHODS.join(', ')}`); process.exit(2); }
if (batches.some((b) => !Number.isInteger(b) || b < 1)) { log(`--batches must be positive integers, got ${values.batches}`); process.exit(2); }
if (!['cache', 'per-use'].includes(values['frozen-transpose']!)) { log(`--frozen-transpose must be cache or per-use, got ${values['frozen-transpose']}`); process.exit(2); }

interface WorkerOut {
  method: string; batch: number; optimizer: 'adamw' | 'none'; trainableBytes: number; msPerStep: number | null; buildSeconds: number;
  params: { total: number; trainable: number };
  memory: { peakBytes: number; persistentBytes: number; breakdown: Record<string, number>; vmHWMBytes: number | null };
}
type Point = { ok: true; out: WorkerOut; seconds: number } | { ok: false; batch: number; optimizer: string; reason: string; seconds: number };

function runWorker(method: string, batch: number, optimizer: 'adamw' | 'none'): Point {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(here, 't5-memory-worker.js'), '--method', method, '--batch', String(batch), '--optimizer', optimizer,
    '--steps', values.steps!, '--warmup', values.warmup!, '--source', values.source!, '--target', values.target!, '--preset', values.preset!, '--frozen-transpose', values['frozen-transpose']!],
  { encoding: 'utf8', maxBuffer: 1 << 24, timeout: Number(values['timeout-s']) * 1000 });
  const seconds = (Date.now() - t0) / 1000;
  if (r.status === 0) {
    const line = r.stdout.trim().split('\n').pop()!;
    log(`  ${method} batch ${batch}${optimizer === 'none' ? ' (no optimizer)' : ''}: ${((JSON.parse(line) as WorkerOut).memory.peakBytes / 2 ** 20).toFixed(0)} MiB, ${seconds.toFixed(0)} s`);
    return { ok: true, out: JSON.parse(line) as WorkerOut, seconds };
  }
  const err = `${r.stderr ?? ''}`;
  // "memory access out of bounds": the wasm heap could not grow (at 4 GiB, or fragmented below it) and a kernel wrote past it
  const oom = /offset is out of bounds|memory access out of bounds|Aborted\(\)|Out of memory|Cannot enlarge memory|RangeError: (Array buffer allocation failed|WebAssembly\.Memory)/.test(err);
  const reason = r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT' ? `timed out after ${values['timeout-s']} s`
    : oom ? 'out of memory: the wasm32 heap is limited to 4 GiB' : `exit ${r.status}: ${err.trim().split('\n').slice(-3).join(' | ')}`;
  log(`  ${method} batch ${batch}${optimizer === 'none' ? ' (no optimizer)' : ''}: FAILED (${reason}), ${seconds.toFixed(0)} s`);
  return { ok: false, batch, optimizer, reason, seconds };
}

/** Least-squares line through (x, y); with one point the slope is unknown. */
function fit(xs: number[], ys: number[]): { intercept: number; slope: number } | null {
  const n = xs.length;
  if (n < 2) return null;
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) { sxy += (xs[i] - mx) * (ys[i] - my); sxx += (xs[i] - mx) ** 2; }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { intercept: my - slope * mx, slope };
}

const MiB = (b: number) => b / 2 ** 20;
const started = Date.now();
log(`T5 memory bench: ${values.preset}, source ${values.source} / target ${values.target} tokens, batches ${batches.join(', ')}, ${values.warmup} warm-up + ${values.steps} measured step(s), frozen transposes ${values['frozen-transpose']}, one process per configuration`);
const results: Record<string, { points: Point[]; adamwAttempt: Point | null }> = {};
for (const m of methods) {
  const optimizer = m === 'full' ? 'none' : 'adamw';
  const attempt = m === 'full' && !values['no-adamw-attempt'] ? runWorker('full', batches[0], 'adamw') : null;
  const points: Point[] = [];
  for (const b of batches) {
    const p = runWorker(m, b, optimizer);
    points.push(p);
    // out of memory above a batch that fit: measure the batch in between, so the line still has three points
    const prev = [...points].reverse().find((q): q is Extract<Point, { ok: true }> => q.ok);
    if (!p.ok && p.reason.startsWith('out of memory') && prev && b - prev.out.batch > 1) points.push(runWorker(m, Math.floor((prev.out.batch + b) / 2), optimizer));
  }
  results[m] = { points, adamwAttempt: attempt };
}

const rows = methods.map((m) => {
  const { points, adamwAttempt } = results[m];
  const ok = points.filter((p): p is Extract<Point, { ok: true }> => p.ok);
  // full fine-tuning measured without the optimizer: add AdamW's two moments per trainable parameter
  const stateBytes = (p: WorkerOut) => (p.optimizer === 'none' ? 2 * p.trainableBytes : 0);
  const peaks = ok.map((p) => MiB(p.out.memory.peakBytes + stateBytes(p.out)));
  const line = fit(ok.map((p) => p.out.batch), peaks);
  const at100 = line ? line.intercept + line.slope * TARGET_BATCH : null;
  return {
    method: m, label: LABEL[m],
    trainableParams: ok[0]?.out.params.trainable ?? null,
    measured: points.map((p) => (p.ok ? { batch: p.out.batch, peakMiB: MiB(p.out.memory.peakBytes), addedOptimizerStateMiB: MiB(stateBytes(p.out)), transientMiB: MiB(p.out.memory.breakdown.transient), msPerStep: p.out.msPerStep } : { batch: p.batch, failed: p.reason })),
    adamwAttempt: adamwAttempt ? (adamwAttempt.ok ? { batch: adamwAttempt.out.batch, peakMiB: MiB(adamwAttempt.out.memory.peakBytes) } : { batch: batches[0], failed: adamwAttempt.reason }) : null,
    interceptMiB: line?.intercept ?? null, slopeMiBPerExample: line?.slope ?? null,
    extrapolatedGB: at100 === null ? null : at100 / 1000,
    lstPublishedGB: LST_PUBLISHED_GB[m],
  };
});
const full = rows.find((r) => r.method === 'full');
const out = {
  bench: 't5-memory', protocol: 'mem-v1', frozenTranspose: values['frozen-transpose'], preset: values.preset, sourceLength: Number(values.source), targetLength: Number(values.target),
  batches, targetBatch: TARGET_BATCH, unit: 'GB = MiB / 1000 (LST: torch.cuda.max_memory_allocated / 1024^2 / 1000)',
  note: 'The engines differ (tfjs-wasm float32 with its own saved tensors and pre-transposed frozen weights vs PyTorch autograd on a GPU): the absolute GB are not comparable, the ratio method / full fine-tuning is. Full fine-tuning: gradient step measured without an optimizer (AdamW does not fit beside T5-base in the 4 GiB wasm32 heap) plus the exact AdamW state (2 x 4 bytes per parameter); its optimizer-update temporaries are not included.',
  rows: rows.map((r) => ({
    ...r,
    ratioToFull: full?.extrapolatedGB && r.extrapolatedGB !== null ? r.extrapolatedGB / full.extrapolatedGB : null,
    lstRatio: LST_STATED_RATIO[r.method] ?? (r.lstPublishedGB !== null ? r.lstPublishedGB / 17.6 : null),
    lstRatioSource: LST_STATED_RATIO[r.method] ? 'stated in LST\'s abstract' : r.lstPublishedGB !== null ? (r.method === 'full' ? 'by definition' : 'published GB / 17.6 (read off LST\'s Figure 1)') : 'not published',
  })),
  seconds: (Date.now() - started) / 1000,
};

if (values.json) {
  console.log(JSON.stringify(out));
} else {
  const f = (x: number | null, d = 1, w = 8) => (x === null ? '-' : x.toFixed(d)).padStart(w);
  console.log(`\nT5 memory (mem-v1 peak) on ${out.preset}, source ${out.sourceLength} / target ${out.targetLength} tokens, frozen transposes ${out.frozenTranspose}; extrapolated to batch ${TARGET_BATCH}`);
  const cols = [...new Set(out.rows.flatMap((r) => r.measured.map((p) => p.batch)))].sort((a, b) => a - b);
  console.log(`${'method'.padEnd(26)}${cols.map((b) => `b=${b} MiB`.padStart(11)).join('')}${'slope MiB/ex'.padStart(14)}${'@100 GB'.padStart(9)}${'LST GB'.padStart(8)}${'ratio'.padStart(7)}${'LST ratio'.padStart(11)}`);
  for (const r of out.rows) {
    const cells = cols.map((b) => {
      const p = r.measured.find((q) => q.batch === b);
      return (!p ? '' : 'failed' in p ? 'fail' : (p.peakMiB + p.addedOptimizerStateMiB).toFixed(0)).padStart(11);
    }).join('');
    console.log(`${r.label.padEnd(26)}${cells}${f(r.slopeMiBPerExample, 1, 14)}${f(r.extrapolatedGB, 2, 9)}${f(r.lstPublishedGB, 1, 8)}${f(r.ratioToFull, 2, 7)}${f(r.lstRatio, 2, 11)}`);
  }
  for (const r of out.rows) {
    const fails = r.measured.filter((p) => 'failed' in p);
    if (fails.length) console.log(`  ${r.label}: ${fails.map((p) => `batch ${p.batch} failed (${(p as { failed: string }).failed})`).join('; ')}`);
    if (r.adamwAttempt) console.log(`  ${r.label} with AdamW at batch ${r.adamwAttempt.batch}: ${'failed' in r.adamwAttempt ? `failed (${r.adamwAttempt.failed})` : `${r.adamwAttempt.peakMiB.toFixed(0)} MiB`}`);
  }
  console.log('\nfull fine-tuning cells = measured gradient step without an optimizer + AdamW state (2 x 4 bytes per parameter, exact).');
  console.log('LST ratio: LST 0.31, Adapters 0.74 and LoRA 0.72 as LST\'s abstract states them; BitFit and Prompt = figure-read GB / 17.6; UniPT: not published.');
  console.log('The engines differ (tfjs-wasm float32, its own saved tensors and pre-transposed frozen weights, vs PyTorch on a GPU): compare the ratio to full fine-tuning, not the absolute GB.');
  console.log(`(${out.seconds.toFixed(0)} s)`);
}
