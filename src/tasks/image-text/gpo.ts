// VSE∞'s Generalized Pooling Operator (lib/modules/aggr/gpo.py, GPO(d_pe=32, d_hidden=32)): sin/cos positional
// encodings of positions 0..n-1 run through a 1-layer bidirectional GRU (packed: the backward direction starts at
// each sequence's own last element); the two directions are averaged, a bias-free Linear gives one score per
// position, padded positions get -10000, weights = softmax(score / 0.1) over positions; the features are sorted in
// descending order per dimension (padding pushed last with -10000, then zeroed) and pooled with those weights.
// The weights depend only on the sequence lengths, so the GRU runs once per distinct length (forward direction:
// once in all, its state at t does not depend on the length) and the rows are gathered per example.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import { sortDescending } from './sort.js';

/** positional_encoding_1d(d, n): pe[p, 2i] = sin(p / 10000^(2i/d)), pe[p, 2i+1] = cos(...). */
export function positionalEncoding(d: number, n: number): Float32Array {
  const pe = new Float32Array(n * d);
  for (let p = 0; p < n; p++) {
    for (let i = 0; i < d; i += 2) {
      const div = Math.exp(i * -(Math.log(10000) / d));
      pe[p * d + i] = Math.sin(p * div);
      if (i + 1 < d) pe[p * d + i + 1] = Math.cos(p * div);
    }
  }
  return pe;
}

/** One direction of a PyTorch GRU layer; weights stored [in, 3H] (gate order r, z, n as PyTorch). */
class GruDirection {
  constructor(readonly wIh: Param, readonly wHh: Param, readonly bIh: Param, readonly bHh: Param, readonly H: number) {}

  /** gi: [U, T, 3H] input projections; mask [U, T] (1 = inside the sequence) or null; reverse = run t = T-1..0. */
  run(gi: Tensor, mask: Tensor | null, reverse: boolean): Tensor[] {
    const [U, T] = gi.shape, H = this.H, o = ops();
    let h: Tensor = tf.zeros([U, H]);
    const out: Tensor[] = new Array(T);
    const order = reverse ? Array.from({ length: T }, (_, i) => T - 1 - i) : Array.from({ length: T }, (_, i) => i);
    // one unstack (its gradient is one stack) instead of a slice per step (each slice's gradient pads back to the
    // whole [U, T, 3H] input: T full-size temporaries in the backward pass)
    const steps = tf.unstack(gi, 1);
    const masks = mask ? tf.unstack(mask, 1) : null;
    for (const t of order) {
      const g = steps[t];
      const gh = o.linear(h, this.wHh.value, this.bHh.value, this.wHh.trainable, this.bHh.trainable);
      const r = tf.sigmoid(tf.add(tf.slice(g, [0, 0], [U, H]), tf.slice(gh, [0, 0], [U, H])));
      const z = tf.sigmoid(tf.add(tf.slice(g, [0, H], [U, H]), tf.slice(gh, [0, H], [U, H])));
      const n = tf.tanh(tf.add(tf.slice(g, [0, 2 * H], [U, H]), tf.mul(r, tf.slice(gh, [0, 2 * H], [U, H]))));
      let hn = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h));
      // positions past a sequence's end keep the zero state, so the reverse pass starts fresh at its last element
      if (masks) hn = tf.mul(hn, tf.reshape(masks[t], [U, 1]));
      h = hn;
      out[t] = h;
    }
    return out;
  }
}

export class Gpo extends Module {
  readonly gru: Module;
  readonly linear: Linear;
  private readonly fwd: GruDirection;
  private readonly bwd: GruDirection;

  constructor(readonly dPe = 32, readonly dHidden = 32, rng: Rng) {
    super();
    const H = dHidden, k = 1 / Math.sqrt(H);
    const gru = new (class extends Module {
      make(name: string, shape: number[], role: 'weight' | 'bias', layout: 'linear' | 'plain'): Param { return this.addParam(name, init.uniform(shape, -k, k, rng), role, layout); }
    })();
    const dir = (suffix: string) => new GruDirection(
      gru.make(`weight_ih_l0${suffix}`, [dPe, 3 * H], 'weight', 'linear'),
      gru.make(`weight_hh_l0${suffix}`, [H, 3 * H], 'weight', 'linear'),
      gru.make(`bias_ih_l0${suffix}`, [3 * H], 'bias', 'plain'),
      gru.make(`bias_hh_l0${suffix}`, [3 * H], 'bias', 'plain'), H);
    this.fwd = dir('');
    this.bwd = dir('_reverse');
    this.gru = this.addChild('gru', gru);
    this.linear = this.addChild('linear', new Linear(H, 1, rng, { bias: false }));
  }

  /** Pooling weights [B, T] for the given lengths (T = max length); rows sum to 1 over each sequence. */
  poolWeights(lengths: readonly number[], ctx: ForwardCtx): Tensor {
    const T = Math.max(...lengths), o = ops();
    const uniq = [...new Set(lengths)].sort((a, b) => a - b), U = uniq.length;
    const pe = tf.tensor2d(positionalEncoding(this.dPe, T), [T, this.dPe]);
    const giF = tf.reshape(o.linear(pe, this.fwd.wIh.value, this.fwd.bIh.value, this.fwd.wIh.trainable, this.fwd.bIh.trainable), [1, T, 3 * this.dHidden]);
    const giB = tf.reshape(o.linear(pe, this.bwd.wIh.value, this.bwd.bIh.value, this.bwd.wIh.trainable, this.bwd.bIh.trainable), [1, T, 3 * this.dHidden]);
    const maskU = tf.tensor2d(uniq.flatMap((L) => Array.from({ length: T }, (_, t) => (t < L ? 1 : 0))), [U, T]);
    const fw = tf.stack(this.fwd.run(giF, null, false), 1);                                       // [1, T, H]
    const bw = tf.stack(this.bwd.run(tf.tile(giB, [U, 1, 1]), maskU, true), 1);                   // [U, T, H]
    const emb = tf.div(tf.add(fw, bw), 2);
    const scores = tf.reshape(this.linear.forward(emb, ctx), [U, T]);
    const masked = tf.add(tf.mul(scores, maskU), tf.mul(tf.sub(1, maskU), -10000));
    const w = ops().softmax(tf.div(masked, 0.1));                                                  // [U, T]
    const rows = tf.tensor1d(lengths.map((L) => uniq.indexOf(L)), 'int32');
    return tf.gather(w, rows);
  }

  /** features [B, T', D] (T' >= max length; extra positions ignored), lengths per example. Returns [B, D]. */
  forward(features: Tensor, lengths: readonly number[], ctx: ForwardCtx): Tensor {
    const [B, Tf, D] = features.shape;
    if (lengths.length !== B) throw new Error(`GPO: ${B} feature rows but ${lengths.length} lengths`);
    const T = Math.max(...lengths);
    if (T > Tf || Math.min(...lengths) < 1) throw new Error(`GPO: lengths must be in 1..${Tf}, got ${Math.min(...lengths)}..${T}`);
    const weights = this.poolWeights(lengths, ctx);                                               // [B, T]
    const x = T === Tf ? features : tf.slice(features, [0, 0, 0], [B, T, D]);
    const mask = tf.tensor3d(lengths.flatMap((L) => Array.from({ length: T }, (_, t) => (t < L ? 1 : 0))), [B, T, 1]);
    const filled = tf.add(tf.mul(x, mask), tf.mul(tf.sub(1, mask), -10000));
    const sorted = tf.transpose(sortDescending(tf.transpose(filled, [0, 2, 1])), [0, 2, 1]);      // sort over positions
    const clean = tf.mul(sorted, mask);
    return tf.sum(tf.mul(clean, tf.expandDims(weights, 2)), 1);
  }
}
