// Adam / AdamW (decoupled weight decay) with global-norm gradient clipping. Written here rather than taken from
// tf.train so its state is known exactly (two moments per trainable parameter) for the memory breakdown, and so
// weight decay and per-group learning rates follow the PyTorch/Hugging Face conventions the papers used.
import { tf, type Tensor } from '../engine/tf.js';
import type { Param } from '../nn/param.js';

export interface AdamConfig {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Decoupled weight decay (AdamW); 0 = plain Adam. */
  weightDecay?: number;
  /** Clip the global gradient norm to this value (0 = off). */
  clipNorm?: number;
}

export interface ParamGroup { params: Param[]; lrScale?: number; weightDecay?: number }

interface Slot { m: tf.Variable; v: tf.Variable }

/** A zero-filled variable that owns its buffer alone (the initial tensor is released, so assign frees it). */
function zeroVariable(like: Tensor): tf.Variable {
  const z = tf.zerosLike(like);
  const v = tf.variable(z, false);
  z.dispose();
  return v;
}

export class AdamW {
  private readonly slots = new Map<Param, Slot>();
  private t = 0;
  private readonly groups: ParamGroup[];
  lr: number;

  constructor(groups: ParamGroup[] | Param[], readonly cfg: AdamConfig) {
    this.groups = groups.length && !('params' in (groups[0] as object)) ? [{ params: groups as Param[] }] : (groups as ParamGroup[]);
    this.lr = cfg.lr;
    for (const g of this.groups) for (const p of g.params) {
      if (!p.trainable) throw new Error('optimizer given a frozen parameter');
      this.slots.set(p, { m: zeroVariable(p.value), v: zeroVariable(p.value) });
    }
  }

  get params(): Param[] { return this.groups.flatMap((g) => g.params); }
  get stepCount(): number { return this.t; }

  /** Bytes of optimizer state (first and second moments). */
  get stateBytes(): number { let n = 0; for (const s of this.slots.values()) n += (s.m.size + s.v.size) * 4; return n; }

  /**
   * Applies one update from gradients keyed by variable name (as tf.variableGrads returns them). Returns the
   * global gradient norm before clipping.
   */
  apply(grads: Record<string, Tensor>): number {
    const b1 = this.cfg.beta1 ?? 0.9, b2 = this.cfg.beta2 ?? 0.999, eps = this.cfg.eps ?? 1e-8;
    this.t++;
    const bc1 = 1 - b1 ** this.t, bc2 = 1 - b2 ** this.t;
    const present = this.params.filter((p) => grads[p.variable.name]);
    const norm = tf.tidy(() => {
      const sq = present.map((p) => tf.sum(tf.square(grads[p.variable.name])));
      return sq.length ? Math.sqrt(tf.addN(sq).dataSync()[0]) : 0;
    });
    const clip = this.cfg.clipNorm ?? 0;
    const scale = clip > 0 && norm > clip ? clip / (norm + 1e-6) : 1;
    for (const g of this.groups) {
      const lr = this.lr * (g.lrScale ?? 1);
      const wd = g.weightDecay ?? this.cfg.weightDecay ?? 0;
      for (const p of g.params) {
        const grad = grads[p.variable.name];
        if (!grad) continue;
        const s = this.slots.get(p)!;
        tf.tidy(() => {
          const gr = scale !== 1 ? tf.mul(grad, scale) : grad;
          const m = tf.add(tf.mul(s.m, b1), tf.mul(gr, 1 - b1));
          const v = tf.add(tf.mul(s.v, b2), tf.mul(tf.square(gr), 1 - b2));
          s.m.assign(m); s.v.assign(v);
          let upd = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
          if (wd > 0) upd = tf.add(upd, tf.mul(p.value, wd));
          p.variable.assign(tf.sub(p.value, tf.mul(upd, lr)));
        });
      }
    }
    return norm;
  }

  dispose(): void { for (const s of this.slots.values()) { s.m.dispose(); s.v.dispose(); } this.slots.clear(); }
}
