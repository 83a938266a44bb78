// Scaled dot-product attention core over [B, H, T, d] heads, with an optional additive bias/mask and attention
// dropout. Saves q, k, v and the softmax p (plus a boolean dropout mask), as PyTorch's math path does. Only rank-4
// transposes are used: a rank-5 transpose runs at ~15 M elements/s on wasm.
import { tf, type Tensor } from '../tf.js';
import type { Rng } from '../rng.js';
import { dropoutMask } from './dropout.js';
import { tracedSave, customGrad } from './trace.js';

export const ATTENTION_SAVES = ['q', 'k', 'v', 'p'] as const;
export const ATTENTION_SAVES_DROPOUT = ['q', 'k', 'v', 'p', 'mask'] as const;
/** splitHeads / mergeHeads are pure layout changes: their gradients need nothing saved. */
export const HEADS_SAVES = [] as const;

export interface AttentionOptions {
  /** Multiplies q kᵀ (default 1/√d; T5 uses 1). */
  scale?: number;
  /** Additive mask broadcastable to [B, H, Tq, Tk] (e.g. -1e9 at padded keys); not differentiated. */
  mask?: Tensor | null;
  dropoutRate?: number;
  rng?: Rng;
}

/**
 * [B*T, H*d] -> [B, H, T, d]. One custom op that saves nothing: as separate tape ops, the Reshape would keep the
 * linear output alive (tfjs's Reshape gradient saves its input) next to the transposed copy attention saves.
 */
export function splitHeads(x: Tensor, B: number, T: number, heads: number): Tensor {
  const inShape = x.shape;
  const d = inShape[inShape.length - 1] / heads;
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('splitHeads', HEADS_SAVES, save, []);
    return {
      value: tf.tidy(() => tf.transpose(tf.reshape(xx, [B, T, heads, d]), [0, 2, 1, 3])),
      gradFunc: (dy: Tensor) => tf.tidy(() => tf.reshape(tf.transpose(dy, [0, 2, 1, 3]), inShape)),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

/** [B, H, T, d] -> [B*T, H*d] (saves nothing; see splitHeads). */
export function mergeHeads(x: Tensor): Tensor {
  const [B, H, T, d] = x.shape;
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('mergeHeads', HEADS_SAVES, save, []);
    return {
      value: tf.tidy(() => tf.reshape(tf.transpose(xx, [0, 2, 1, 3]), [B * T, H * d])),
      gradFunc: (dy: Tensor) => tf.tidy(() => tf.transpose(tf.reshape(dy, [B, T, H, d]), [0, 2, 1, 3])),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

function reduceToShape(g: Tensor, shape: number[]): Tensor {
  const axes: number[] = [];
  for (let i = 0; i < g.shape.length; i++) if (shape[i] === 1 && g.shape[i] !== 1) axes.push(i);
  return axes.length ? tf.sum(g, axes, true) : g;
}

/**
 * softmax(scale q kᵀ + mask + bias) v. A trainable positional bias (T5) is passed as `bias` and receives a
 * gradient summed to its own broadcast shape.
 */
export function attention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}, bias?: Tensor | null): Tensor {
  const scale = opts.scale ?? 1 / Math.sqrt(q.shape[q.shape.length - 1]);
  const rate = opts.dropoutRate ?? 0;
  const useDrop = rate > 0 && !!opts.rng;
  const keep = 1 / (1 - rate);
  const mask = opts.mask ?? null;
  const scores = (qq: Tensor, kk: Tensor, bb: Tensor | null): Tensor => {
    let s = tf.matMul(qq as tf.Tensor4D, kk as tf.Tensor4D, false, true) as Tensor;
    if (scale !== 1) s = tf.mul(s, scale);
    if (bb) s = tf.add(s, bb);
    if (mask) s = tf.add(s, mask);
    return s;
  };
  const backward = (dO: Tensor, sq: Tensor, sk: Tensor, sv: Tensor, sp: Tensor, m: Tensor | null): Tensor[] => {
    const pd = m ? tf.where(m, tf.mul(sp, keep), tf.zerosLike(sp)) : sp;
    let dp = tf.matMul(dO as tf.Tensor4D, sv as tf.Tensor4D, false, true) as Tensor;
    if (m) dp = tf.where(m, tf.mul(dp, keep), tf.zerosLike(dp));
    const ds = tf.mul(sp, tf.sub(dp, tf.sum(tf.mul(dp, sp), -1, true)));
    const dsScaled = scale !== 1 ? tf.mul(ds, scale) : ds;
    return [
      tf.matMul(dsScaled as tf.Tensor4D, sk as tf.Tensor4D),
      tf.matMul(dsScaled as tf.Tensor4D, sq as tf.Tensor4D, true, false),
      tf.matMul(pd as tf.Tensor4D, dO as tf.Tensor4D, true, false),
      ds,
    ];
  };
  const forward = (qq: Tensor, kk: Tensor, vv: Tensor, bb: Tensor | null, save: tf.GradSaveFunc) => {
    const p = tf.tidy(() => tf.softmax(scores(qq, kk, bb)));
    const m = useDrop ? dropoutMask(p.shape, rate, opts.rng!) : null;
    if (m) tracedSave('attention', ATTENTION_SAVES_DROPOUT, save, [qq, kk, vv, p, m]);
    else tracedSave('attention', ATTENTION_SAVES, save, [qq, kk, vv, p]);
    const value = tf.tidy(() => tf.matMul((m ? tf.where(m, tf.mul(p, keep), tf.zerosLike(p)) : p) as tf.Tensor4D, vv as tf.Tensor4D));
    return value;
  };
  if (bias) {
    const f = customGrad((qq: Tensor, kk: Tensor, vv: Tensor, bb: Tensor, save: tf.GradSaveFunc) => ({
      value: forward(qq, kk, vv, bb, save),
      gradFunc: (dO: Tensor, s: Tensor[]) => tf.tidy(() => {
        const [dq, dk, dv, ds] = backward(dO, s[0], s[1], s[2], s[3], s[4] ?? null);
        return [dq, dk, dv, reduceToShape(ds, bb.shape)];
      }),
    })) as (a: Tensor, b: Tensor, c: Tensor, d: Tensor) => Tensor;
    return f(q, k, v, bias);
  }
  const f = customGrad((qq: Tensor, kk: Tensor, vv: Tensor, save: tf.GradSaveFunc) => ({
    value: forward(qq, kk, vv, null, save),
    gradFunc: (dO: Tensor, s: Tensor[]) => tf.tidy(() => backward(dO, s[0], s[1], s[2], s[3], s[4] ?? null).slice(0, 3)),
  })) as (a: Tensor, b: Tensor, c: Tensor) => Tensor;
  return f(q, k, v);
}

/** Plain tfjs autograd reference with the same mask stream. */
export function plainAttention(q: Tensor, k: Tensor, v: Tensor, opts: AttentionOptions = {}, bias?: Tensor | null): Tensor {
  const scale = opts.scale ?? 1 / Math.sqrt(q.shape[q.shape.length - 1]);
  const rate = opts.dropoutRate ?? 0;
  let s = tf.matMul(q as tf.Tensor4D, k as tf.Tensor4D, false, true) as Tensor;
  if (scale !== 1) s = tf.mul(s, scale);
  if (bias) s = tf.add(s, bias);
  if (opts.mask) s = tf.add(s, opts.mask);
  let p = tf.softmax(s);
  if (rate > 0 && opts.rng) {
    const m = dropoutMask(p.shape, rate, opts.rng);
    p = tf.where(m, tf.mul(p, 1 / (1 - rate)), tf.zerosLike(p));
  }
  return tf.matMul(p as tf.Tensor4D, v as tf.Tensor4D);
}
