// One configuration of the engine benchmark, in its own process (mem-v1: one measurement per fresh process).
// Prints one JSON line. Usage: node dist/bench/engine-worker.js --config full|lora|frozen-head|side --ops lean|plain
import { parseArgs } from 'node:util';
import { tf, type Tensor } from '../src/engine/tf.js';
import { initBackend } from '../src/engine/backend.js';
import { Rng } from '../src/engine/rng.js';
import { setOpsMode } from '../src/engine/ops/index.js';
import { installTracker } from '../src/engine/memory/tracker.js';
import { MemoryProbe } from '../src/engine/memory/probe.js';
import { TextEncoder } from '../src/backbones/text/bert.js';
import { TextEncoderConfigSchema, TEXT_ENCODER_PRESETS } from '../src/backbones/text/config.js';
import { Module, type ForwardCtx } from '../src/nn/module.js';
import { Linear, activate } from '../src/nn/layers.js';
import { LowRankDelta } from '../src/nn/low-rank.js';
import type { Param } from '../src/nn/param.js';
import { AdamW } from '../src/train/optim.js';
import { crossEntropy } from '../src/train/losses.js';

export const BENCH_CONFIGS = ['full', 'lora', 'frozen-head', 'side'] as const;
export type BenchConfig = (typeof BENCH_CONFIGS)[number];

const { values } = parseArgs({ options: {
  config: { type: 'string', default: 'full' }, ops: { type: 'string', default: 'lean' }, backend: { type: 'string', default: 'wasm' },
  steps: { type: 'string', default: '3' }, warmup: { type: 'string', default: '1' }, batch: { type: 'string', default: '32' },
  seq: { type: 'string', default: '64' }, layers: { type: 'string', default: '4' }, hidden: { type: 'string', default: '256' },
} });
const config = values.config as BenchConfig;
if (!BENCH_CONFIGS.includes(config)) throw new Error(`unknown config ${config}; valid: ${BENCH_CONFIGS.join(', ')}`);
const opsMode = values.ops === 'plain' ? 'plain' : 'lean';
const B = Number(values.batch), T = Number(values.seq), steps = Number(values.steps), warmup = Number(values.warmup);

const backend = await initBackend(values.backend!);
const tracker = installTracker();
setOpsMode(opsMode);

const H = Number(values.hidden);
const cfg = TextEncoderConfigSchema.parse({ ...TEXT_ENCODER_PRESETS['bench-reference'], hidden_size: H, intermediate_size: 4 * H, num_hidden_layers: Number(values.layers), max_position_embeddings: T });
const encoder = new TextEncoder(cfg, 1);
const rng = new Rng(7);

/** [CLS] -> dense + tanh -> classifier (the reference model's head; always trainable). */
class Head extends Module {
  readonly dense: Linear; readonly out: Linear;
  constructor(h: number) { super(); this.dense = this.addChild('dense', new Linear(h, h, rng.fork('head'))); this.out = this.addChild('out', new Linear(h, 2, rng.fork('out'))); }
  forward(last: Tensor, ctx: ForwardCtx): Tensor {
    const cls = tf.reshape(tf.slice(last, [0, 0, 0], [B, 1, H]), [B, H]);
    return this.out.forward(activate(this.dense.forward(cls, ctx), 'tanh'), ctx);
  }
}

/** A small side network fed by every hidden state (UniPT/LST-like): per-layer down-projection, mixing, up. */
class SideNet extends Module {
  readonly down: Linear[] = []; readonly mix: Linear[] = []; readonly up: Linear;
  constructor(h: number, d: number, n: number) {
    super();
    for (let i = 0; i < n; i++) {
      this.down.push(this.addChild(`down${i}`, new Linear(h, d, rng.fork(`down${i}`))));
      this.mix.push(this.addChild(`mix${i}`, new Linear(d, d, rng.fork(`mix${i}`))));
    }
    this.up = this.addChild('up', new Linear(d, h, rng.fork('up')));
  }
  forward(hs: Tensor[], ctx: ForwardCtx): Tensor {
    let s: Tensor | null = null;
    hs.forEach((h, i) => { const z = this.down[i].forward(h, ctx); s = activate(this.mix[i].forward(s ? tf.add(s, z) : z, ctx), 'gelu'); });
    return this.up.forward(s!, ctx);
  }
}

const head = new Head(H);
encoder.setTrainable(config === 'full');
const loras: LowRankDelta[] = [];
if (config === 'lora') {
  for (const layer of encoder.encoder.layer.items) for (const lin of [layer.attention.self.query, layer.attention.self.value]) {
    const d = new LowRankDelta(H, H, 8, 16, rng.fork(`lora${loras.length}`));
    loras.push(d); lin.addDelta((x, c) => d.forward(x, c));
  }
}
const side = config === 'side' ? new SideNet(H, 64, cfg.num_hidden_layers + 1) : null;
const trainable: Param[] = [...encoder.parameters(), ...head.parameters(), ...loras.flatMap((l) => l.parameters()), ...(side?.parameters() ?? [])].filter((p) => p.trainable);
const allParams = [...encoder.parameters(), ...head.parameters(), ...loras.flatMap((l) => l.parameters()), ...(side?.parameters() ?? [])];
const opt = new AdamW(trainable, { lr: 1e-4 });

const ids = tf.tensor(Int32Array.from({ length: B * T }, () => 1 + rng.int(cfg.vocab_size - 1)), [B, T], 'int32');
const mask = tf.ones([B, T]);
const labels = tf.tensor(Int32Array.from({ length: B }, () => rng.int(2)), [B], 'int32');
const ctx: ForwardCtx = { training: true, rng: rng.fork('dropout') };
// lean: frozen backbones run outside the tape; plain: everything on the tape, as plain tfjs autograd would
const outsideTape = opsMode === 'lean' && (config === 'frozen-head' || config === 'side');

function step(): number {
  let feats: Tensor[] | null = null;
  if (outsideTape) feats = tf.tidy(() => { const o = encoder.forward({ ids, mask }, ctx); return config === 'side' ? o.hiddenStates : [o.last]; });
  const { value, grads } = tf.variableGrads(() => {
    let last: Tensor;
    if (feats) last = config === 'side' ? tf.add(feats[feats.length - 1], side!.forward(feats, ctx)) : feats[0];
    else {
      const o = encoder.forward({ ids, mask }, ctx);
      last = config === 'side' ? tf.add(o.last, side!.forward(o.hiddenStates, ctx)) : o.last;
    }
    return crossEntropy(head.forward(last, ctx), labels) as tf.Scalar;
  }, trainable.map((p) => p.variable));
  opt.apply(grads);
  const v = value.dataSync()[0];
  tf.dispose([value, ...Object.values(grads)]);
  if (feats) tf.dispose(feats);
  return v;
}

const probe = new MemoryProbe(tracker);
for (let i = 0; i < warmup; i++) probe.step(step);
const times: number[] = []; let loss = 0;
for (let i = 0; i < steps; i++) { const t0 = performance.now(); loss = probe.step(step); times.push(performance.now() - t0); }
const bytes = (ps: Param[]) => ps.reduce((a, p) => a + p.bytes, 0);
const mem = probe.report({ frozenParams: bytes(allParams.filter((p) => !p.trainable)), trainableParams: bytes(trainable), optimizerState: opt.stateBytes });

// matmul FLOPs of one forward pass of the encoder (linears + attention)
const N = B * T, L = cfg.num_hidden_layers, F = cfg.intermediate_size;
const fwd = L * (2 * N * (4 * H * H + 2 * H * F) + 4 * B * T * T * H);
const sideF = side ? (cfg.num_hidden_layers + 1) * 2 * N * (H * 64 + 64 * 64) + 2 * N * 64 * H : 0;
const executed = config === 'full' ? 3 * fwd : config === 'lora' ? 2 * fwd : config === 'frozen-head' ? (outsideTape ? fwd : fwd) : fwd + 3 * sideF;
const ms = times.reduce((a, b) => a + b, 0) / times.length;
console.log(JSON.stringify({
  config, ops: opsMode, backend: backend.name, threads: backend.wasm?.threads ?? null, batch: B, seq: T, layers: L, hidden: H,
  msPerStep: ms, msSteps: times, gflops: executed / ms / 1e6, flopsPerStep: executed, loss,
  trainableParams: trainable.reduce((a, p) => a + p.size, 0), totalParams: allParams.reduce((a, p) => a + p.size, 0), memory: mem,
}));
process.exit(0);
