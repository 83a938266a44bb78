// Engine benchmark: trains the reference encoder (4 layers, hidden 256, 4 heads, FFN 1024, seq 64, batch 32, Adam)
// for full fine-tuning, LoRA-style frozen weights, frozen backbone + head, and a side network fed by all hidden
// states, once with the lean primitives and once with plain tfjs autograd, each configuration in a fresh process,
// and prints ms/step, GFLOP/s and mem-v1 peak side by side with the lean/plain ratios (and tfjs/PyTorch where
// Debian's python3-torch is installed). `-- --json` prints one JSON object instead.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const CONFIGS = ['full', 'lora', 'frozen-head', 'side'] as const;
const LABEL: Record<string, string> = { full: 'full fine-tuning', lora: 'LoRA r=8 (frozen W in tape)', 'frozen-head': 'frozen backbone + head', side: 'side net on all hidden states' };

const { values } = parseArgs({ options: {
  json: { type: 'boolean', default: false }, steps: { type: 'string', default: '3' }, warmup: { type: 'string', default: '1' },
  configs: { type: 'string', default: CONFIGS.join(',') }, 'no-plain': { type: 'boolean', default: false }, 'no-torch': { type: 'boolean', default: false },
} });
const log = (s: string) => process.stderr.write(`${s}\n`);

interface WorkerResult {
  config: string; ops: string; backend: string; threads: number | null; msPerStep: number; gflops: number;
  trainableParams: number; memory: { peakBytes: number; breakdown: Record<string, number>; vmHWMBytes: number | null };
}

function runWorker(config: string, ops: string): WorkerResult {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(here, 'engine-worker.js'), '--config', config, '--ops', ops, '--steps', values.steps!, '--warmup', values.warmup!], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`worker ${config}/${ops} failed (exit ${r.status}):\n${r.stderr}`);
  const line = r.stdout.trim().split('\n').pop()!;
  log(`  ${config} ${ops}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return JSON.parse(line) as WorkerResult;
}

function torchReference(configs: string[]): { version: string; threads: number; ms: Record<string, number> } | { absent: string } {
  if (values['no-torch']) return { absent: 'skipped (--no-torch)' };
  const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return { absent: `PyTorch is not installed for ${py} (apt-get install -y python3-torch libopenblas0-pthread)` };
  log('  PyTorch reference ...');
  const r = spawnSync(py, [join(root, 'bench', 'torch_reference.py'), '--steps', values.steps!, '--warmup', values.warmup!, '--configs', configs.join(',')], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return { absent: `PyTorch reference failed: ${r.stderr.trim().split('\n').pop()}` };
  const o = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; threads: number; configs: Record<string, { ms_per_step: number }> };
  return { version: o.torch, threads: o.threads, ms: Object.fromEntries(Object.entries(o.configs).map(([k, v]) => [k, v.ms_per_step])) };
}

const configs = values.configs!.split(',').filter(Boolean);
for (const c of configs) if (!(CONFIGS as readonly string[]).includes(c)) { log(`unknown config "${c}"; valid: ${CONFIGS.join(', ')}`); process.exit(2); }
log(`engine benchmark: ${configs.length} configurations x ${values['no-plain'] ? 'lean' : 'lean and plain'}, ${values.warmup} warm-up + ${values.steps} timed steps, one process each`);
const results: Record<string, { lean: WorkerResult; plain?: WorkerResult }> = {};
for (const c of configs) {
  results[c] = { lean: runWorker(c, 'lean') };
  if (!values['no-plain']) results[c].plain = runWorker(c, 'plain');
}
const torch = torchReference(configs);

const MB = (b: number) => b / 2 ** 20;
const out = {
  model: 'reference encoder: 4 layers, hidden 256, 4 heads, FFN 1024, seq 64, batch 32, Adam',
  backend: results[configs[0]].lean.backend, threads: results[configs[0]].lean.threads,
  pytorch: 'absent' in torch ? { present: false, reason: torch.absent } : { present: true, version: torch.version, threads: torch.threads },
  configs: Object.fromEntries(configs.map((c) => {
    const { lean, plain } = results[c];
    const entry = (w: WorkerResult) => ({ ms_per_step: w.msPerStep, gflops: w.gflops, mem_peak_bytes: w.memory.peakBytes, breakdown: w.memory.breakdown, vm_hwm_bytes: w.memory.vmHWMBytes, trainable_params: w.trainableParams });
    return [c, {
      lean: entry(lean), plain: plain ? entry(plain) : null,
      ratios: plain ? { speedup_lean_over_plain: plain.msPerStep / lean.msPerStep, memory_lean_over_plain: lean.memory.peakBytes / plain.memory.peakBytes } : null,
      pytorch_ms_per_step: 'ms' in torch ? torch.ms[c] ?? null : null,
      tfjs_lean_over_pytorch_time: 'ms' in torch && torch.ms[c] ? lean.msPerStep / torch.ms[c] : null,
    }];
  })),
};

if (values.json) {
  console.log(JSON.stringify(out));
} else {
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (x: number, d = 0) => x.toFixed(d).padStart(8);
  console.log(`\n${out.model}; backend ${out.backend} (${out.threads ?? '-'} thread)`);
  console.log(`${pad('configuration', 32)}${pad('ops', 7)}${'ms/step'.padStart(8)}${'GFLOP/s'.padStart(9)}${'peak MB'.padStart(9)}${'transient'.padStart(10)}${'optim'.padStart(7)}${'params'.padStart(8)}${'extra'.padStart(7)}`);
  for (const c of configs) {
    for (const ops of ['lean', 'plain'] as const) {
      const w = results[c][ops]; if (!w) continue;
      const b = w.memory.breakdown;
      console.log(`${pad(ops === 'lean' ? LABEL[c] : '', 32)}${pad(ops, 7)}${num(w.msPerStep)}${num(w.gflops, 2).padStart(9)}${num(MB(w.memory.peakBytes), 1).padStart(9)}${num(MB(b.transient), 1).padStart(10)}${num(MB(b.optimizerState), 1).padStart(7)}${num(MB(b.frozenParams + b.trainableParams), 1).padStart(8)}${num(MB(b.extraCopies), 1).padStart(7)}`);
    }
  }
  console.log('\nratios');
  console.log(`${pad('configuration', 32)}${'lean speedup (plain/lean time)'.padStart(32)}${'lean/plain peak memory'.padStart(24)}${'tfjs lean / PyTorch time'.padStart(26)}`);
  for (const c of configs) {
    const e = out.configs[c];
    console.log(`${pad(LABEL[c], 32)}${(e.ratios ? `${e.ratios.speedup_lean_over_plain.toFixed(2)}x` : '-').padStart(32)}${(e.ratios ? e.ratios.memory_lean_over_plain.toFixed(2) : '-').padStart(24)}${(e.tfjs_lean_over_pytorch_time ? `${e.tfjs_lean_over_pytorch_time.toFixed(2)}x (${e.pytorch_ms_per_step!.toFixed(0)} ms)` : '-').padStart(26)}`);
  }
  console.log(out.pytorch.present ? `\nPyTorch ${out.pytorch.version}, ${out.pytorch.threads} thread (OpenBLAS 1 thread), same model and step.` : `\nPyTorch reference not run: ${out.pytorch.reason}`);
  console.log('plain = tfjs autograd with every op on the tape (frozen backbones inside it); lean = custom-gradient primitives, frozen-only work outside the tape, one tidy per layer.');
  console.log('mem-v1 peak = unique live tensor bytes over warm-up + timed steps (wasm allocator tracker); VmHWM adds ~140 MB of Node baseline.');
}
