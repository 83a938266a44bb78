// One configuration of the T5 memory benchmark in its own process (mem-v1: one measurement per fresh process):
// a T5 (default t5-base, constant-initialised: memory does not depend on values) with one method attached exactly as
// a GLUE run attaches it, trained for warm-up + measured steps on random source/target ids, the trainer's step
// (frozen-only work outside the tape in a tidy, loss and gradients inside it, one AdamW update) inside the memory
// probe. Prints one JSON line.
// Usage: node dist/bench/t5-memory-worker.js --method full|bitfit|adapter|lora|prompt|lst|unipt --batch 4
import { parseArgs } from 'node:util';
import { tf, type Tensor } from '../src/engine/tf.js';
import { initBackend } from '../src/engine/backend.js';
import { Rng } from '../src/engine/rng.js';
import { installTracker } from '../src/engine/memory/tracker.js';
import { MemoryProbe } from '../src/engine/memory/probe.js';
import { extraCopies } from '../src/engine/memory/extra-copies.js';
import type { ForwardCtx } from '../src/nn/module.js';
import { AdamW } from '../src/train/optim.js';
import { T5Model, IGNORE_INDEX } from '../src/backbones/t5/model.js';
import { t5PresetConfig } from '../src/backbones/t5/config.js';
import { t5NeedsBiases } from '../src/petl/hosts/t5.js';
import { attachT5Method } from '../src/tasks/glue-t5/run.js';
import { T5Seq2SeqModel, type Seq2SeqBatch } from '../src/tasks/glue-t5/model.js';

/** LST's T5-base configurations (reference §3): the methods' defaults, which follow LST's configs. */
export const T5_BENCH_METHODS = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'lst', 'unipt'] as const;

const { values } = parseArgs({ options: {
  method: { type: 'string', default: 'full' }, batch: { type: 'string', default: '1' }, preset: { type: 'string', default: 't5-base' },
  source: { type: 'string', default: '128' }, target: { type: 'string', default: '3' }, steps: { type: 'string', default: '1' },
  warmup: { type: 'string', default: '1' }, backend: { type: 'string', default: 'wasm' },
  // 'none': gradients are computed and dropped, no optimizer state exists (full fine-tuning of T5-base: params,
  // gradients and AdamW's two moments do not fit together in wasm32's 4 GiB heap)
  optimizer: { type: 'string', default: 'adamw' },
  // 'per-use': frozen weights' transposes made at each use instead of cached (see engine/memory/extra-copies.ts)
  'frozen-transpose': { type: 'string', default: 'cache' },
} });
const useOptimizer = values.optimizer !== 'none';
const method = values.method!;
if (!(T5_BENCH_METHODS as readonly string[]).includes(method)) throw new Error(`unknown method ${method}; valid: ${T5_BENCH_METHODS.join(', ')}`);
const B = Number(values.batch), Ts = Number(values.source), Td = Number(values.target);
const steps = Number(values.steps), warmup = Number(values.warmup);

const backend = await initBackend(values.backend!);
const frozenTranspose = values['frozen-transpose'];
if (frozenTranspose !== 'cache' && frozenTranspose !== 'per-use') throw new Error(`--frozen-transpose must be cache or per-use, got ${frozenTranspose}`);
extraCopies.setMode(frozenTranspose);
const tracker = installTracker();
const t0 = performance.now();
const config = t5PresetConfig(values.preset!);
const model = new T5Model(config, 1, { init: 'constant', biases: t5NeedsBiases(method, {}) });
const rng = new Rng(7);
const runtime = attachT5Method(model, method, {}, rng.fork('method'));
const m = new T5Seq2SeqModel(model, runtime);
const buildSeconds = (performance.now() - t0) / 1000;
const trainable = m.paramGroups().flatMap((g) => g.params);
const opt = useOptimizer ? new AdamW(trainable, { lr: 1e-4 }) : null;

// random ids away from the special tokens; targets: Td - 1 tokens + </s> (GLUE labels are 1-3 tokens + </s>)
const ids = tf.tensor2d(Int32Array.from({ length: B * Ts }, () => 3 + rng.int(32000)), [B, Ts], 'int32');
const mask = tf.ones([B, Ts], 'int32');
const labels = Int32Array.from({ length: B * Td }, (_, i) => (i % Td === Td - 1 ? config.eos_token_id : 3 + rng.int(32000)));
if (labels.includes(IGNORE_INDEX)) throw new Error('unreachable');
const batch: Seq2SeqBatch = { size: B, ids, mask, labels, targetLength: Td };
const ctx: ForwardCtx = { training: true, rng: rng.fork('dropout') };

function step(): number {
  const prepared: Tensor[] = tf.tidy(() => m.prepare(batch, ctx));
  try {
    const { value, grads } = tf.variableGrads(() => m.loss(batch, prepared, ctx) as tf.Scalar, trainable.map((p) => p.variable));
    const v = value.dataSync()[0];
    opt?.apply(grads);
    tf.dispose([value, ...Object.values(grads)]);
    return v;
  } finally {
    tf.dispose(prepared);
  }
}

const probe = new MemoryProbe(tracker);
const times: number[] = [];
let loss = NaN;
for (let i = 0; i < warmup + steps; i++) {
  const s0 = performance.now();
  loss = probe.step(step);
  if (i >= warmup) times.push(performance.now() - s0);
}
const all = m.allParams();
const bytes = (ps: typeof all) => ps.reduce((a, p) => a + p.bytes, 0);
const memory = probe.report({ frozenParams: bytes(all.filter((p) => !p.trainable)), trainableParams: bytes(trainable), optimizerState: opt?.stateBytes ?? 0 });
console.log(JSON.stringify({
  method, preset: values.preset, frozenTranspose, optimizer: useOptimizer ? 'adamw' : 'none', trainableBytes: bytes(trainable), batch: B, sourceLength: Ts, targetLength: Td, backend: backend.name,
  params: m.accounting(), buildSeconds, msPerStep: times.length ? times.reduce((a, b) => a + b, 0) / times.length : null, loss, memory,
}));
process.exit(0);
