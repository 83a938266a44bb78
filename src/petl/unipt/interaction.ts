// The parallel-interaction core shared by every UniPT variant (reference §2.1):
//   A_i  = rowL1Norm( ReLU( (F_N · F_iᵀ) ⊙ keyMask ) )      rows normalised with the variant's eps convention
//   F'_i = (A_i + R) · F_i                                   R = identity (query length = key length), a token
//                                                            selector (CLIP4Clip adds the CLS/EOT token back) or 0
// `reluL1Attention` is one lean custom-gradient op for the whole product: it keeps q, k, the normalised weights and
// the row norms for the backward pass, not the raw scores, their ReLU and the residual sum that tfjs autograd (or
// PyTorch) would keep. The ablation kinds `softmax` (softmax(q kᵀ/√d) instead of ReLU + L1) and `off` (F'_i = F_i)
// live here too, as do the pooling operators the variants use for the guide vector and the gate.
import { tf, type Tensor } from '../../engine/tf.js';
import { ops } from '../../engine/ops/index.js';
import { tracedSave, customGrad } from '../../engine/ops/trace.js';

export type InteractionKind = 'relu-l1' | 'softmax' | 'off';
export const INTERACTION_KINDS: readonly InteractionKind[] = ['relu-l1', 'softmax', 'off'];

/** `add`: x / (Σ|x| + eps) (VSE∞, CLIP-ViL, MDETR). `clamp`: x / max(Σ|x|, eps) (CLIP4Clip). */
export type EpsMode = 'add' | 'clamp';

export interface L1Norm { eps: number; mode: EpsMode }

/** What is added to the normalised weights before they multiply the values. */
export type Residual =
  | { kind: 'identity' }
  /** A constant [B|1, Lq, Lk] matrix (e.g. one-hot token selectors), not differentiated. */
  | { kind: 'matrix'; matrix: Tensor };

export interface InteractArgs {
  /** [B, Lq, d]: the guide's features (the query). */
  query: Tensor;
  /** [B, Lk, d]: one layer's features (keys and values). */
  keys: Tensor;
  /** Multiplicative 0/1 mask broadcastable to [B, Lq, Lk] (see keyMask, causalMask); null = none. */
  mask?: Tensor | null;
  residual?: Residual | null;
}

function residualMatrix(r: Residual | null | undefined, Lq: number, Lk: number): Tensor | null {
  if (!r) return null;
  if (r.kind === 'matrix') return r.matrix;
  if (Lq !== Lk) throw new Error(`interaction: the identity term needs query length = key length, got ${Lq} and ${Lk}`);
  return tf.reshape(tf.eye(Lq), [1, Lq, Lq]);
}

export const RELU_L1_ATTENTION_SAVES = ['q', 'k', 'W', 'n'] as const;

/**
 * out = (W + R) k with W = rowL1(ReLU((q kᵀ) ⊙ mask)). Gradients flow to q and k; mask and R are constants.
 * Backward (n = row norm, pass = 1 where the norm was not clamped):
 *   dW = dO kᵀ;  dA = (dW − pass · Σ_j dW⊙W) / n;  dS = dA ⊙ [W > 0] ⊙ mask;
 *   dq = dS k;   dk = dSᵀ q + (W + R)ᵀ dO.
 */
export function reluL1Attention(q: Tensor, k: Tensor, norm: L1Norm, mask: Tensor | null = null, residual: Tensor | null = null): Tensor {
  const f = customGrad((qq: Tensor, kk: Tensor, save: tf.GradSaveFunc) => {
    const [W, n, pass] = tf.tidy(() => {
      let s = tf.matMul(qq, kk, false, true);
      if (mask) s = tf.mul(s, mask);
      const a = tf.relu(s);
      const sum = tf.sum(a, -1, true);   // |a| = a after the ReLU
      const nn = norm.mode === 'add' ? tf.add(sum, norm.eps) : tf.maximum(sum, norm.eps);
      // torch.clamp passes the gradient where the input is >= min
      const p = norm.mode === 'clamp' ? tf.cast(tf.greaterEqual(sum, norm.eps), 'float32') : null;
      return [tf.div(a, nn), nn, p] as const;
    });
    const extras: Tensor[] = [], extraNames: string[] = [];
    if (pass) { extras.push(pass); extraNames.push('pass'); }
    if (mask) { extras.push(mask); extraNames.push('mask'); }
    if (residual) { extras.push(residual); extraNames.push('residual'); }
    tracedSave('reluL1Attention', [...RELU_L1_ATTENTION_SAVES, ...extraNames], save, [qq, kk, W, n, ...extras]);
    return {
      value: tf.tidy(() => tf.matMul(residual ? tf.add(W, residual) : W, kk)),
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.tidy(() => {
        const [sq, sk, sW, sn] = saved;
        let i = 4;
        const sPass = pass ? saved[i++] : null;
        const sMask = mask ? saved[i++] : null;
        const sRes = residual ? saved[i++] : null;
        const M = sRes ? tf.add(sW, sRes) : sW;
        const dW = tf.matMul(dy, sk, false, true);
        let rowDot = tf.sum(tf.mul(dW, sW), -1, true);
        if (sPass) rowDot = tf.mul(rowDot, sPass);
        let dS = tf.mul(tf.div(tf.sub(dW, rowDot), sn), tf.step(sW, 0));
        if (sMask) dS = tf.mul(dS, sMask);
        const dq = tf.matMul(dS, sk);
        const dk = tf.add(tf.matMul(dS, sq, true, false), tf.matMul(M, dy, true, false));
        return [dq, dk];
      }),
    };
  }) as (a: Tensor, b: Tensor) => Tensor;
  return f(q, k);
}

export const RELU_L1_NORMALIZE_SAVES = ['W', 'n'] as const;

/** rowL1(ReLU(x)) over the last axis (the CNN variant's per-patch saliency weights); lean gradient. */
export function reluL1Normalize(x: Tensor, norm: L1Norm): Tensor {
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    const [W, n, pass] = tf.tidy(() => {
      const a = tf.relu(xx);
      const sum = tf.sum(a, -1, true);
      const nn = norm.mode === 'add' ? tf.add(sum, norm.eps) : tf.maximum(sum, norm.eps);
      const p = norm.mode === 'clamp' ? tf.cast(tf.greaterEqual(sum, norm.eps), 'float32') : null;
      return [tf.div(a, nn), nn, p] as const;
    });
    tracedSave('reluL1Normalize', pass ? [...RELU_L1_NORMALIZE_SAVES, 'pass'] : RELU_L1_NORMALIZE_SAVES, save, pass ? [W, n, pass] : [W, n]);
    return {
      value: W,
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.tidy(() => {
        const [sW, sn, sPass] = saved;
        let rowDot = tf.sum(tf.mul(dy, sW), -1, true);
        if (sPass) rowDot = tf.mul(rowDot, sPass);
        return tf.mul(tf.div(tf.sub(dy, rowDot), sn), tf.step(sW, 0));
      }),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

/**
 * Ablation: softmax(q kᵀ / √d) over the unmasked keys instead of ReLU + L1 (the usual scaled dot-product form;
 * masked keys get -1e9 before the softmax). The residual term is kept as configured.
 */
export function softmaxAttention(q: Tensor, k: Tensor, mask: Tensor | null = null, residual: Tensor | null = null): Tensor {
  const d = q.shape[q.shape.length - 1];
  let s = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
  if (mask) s = tf.add(s, tf.mul(tf.sub(1, mask), -1e9));
  const W = ops().softmax(s);
  return tf.matMul(residual ? tf.add(W, residual) : W, k);
}

/** F'_i for one layer under the configured interaction kind. */
export function interact(kind: InteractionKind, norm: L1Norm, a: InteractArgs): Tensor {
  const Lq = (a.query.shape as number[])[1], Lk = (a.keys.shape as number[])[1];
  if (kind === 'off') {
    // No interaction at all: the layer's own features (or, with a query shorter than the keys, the selected token)
    if (!a.residual || a.residual.kind === 'identity') {
      if (Lq !== Lk) throw new Error(`interaction "off" keeps F_i, which needs query length = key length (got ${Lq} and ${Lk})`);
      return a.keys;
    }
    return tf.matMul(a.residual.matrix, a.keys);
  }
  const R = residualMatrix(a.residual, Lq, Lk);
  return kind === 'relu-l1' ? reluL1Attention(a.query, a.keys, norm, a.mask ?? null, R) : softmaxAttention(a.query, a.keys, a.mask ?? null, R);
}

// ---- masks and selectors (constants) ----

/** [B, L] 0/1 key mask -> [B, 1, L] (broadcast over query rows). */
export function keyMask(mask: Tensor): Tensor {
  const [B, L] = mask.shape as number[];
  return tf.reshape(mask, [B, 1, L]);
}

/** [1, L, L] lower-triangular 0/1 mask: query t sees keys 0..t. */
export function causalMask(L: number): Tensor {
  const v = new Float32Array(L * L);
  for (let t = 0; t < L; t++) for (let j = 0; j <= t; j++) v[t * L + j] = 1;
  return tf.tensor3d(v, [1, L, L]);
}

/** [B, 1, L] one-hot rows selecting token `positions[b]` (null: token 0 in every row). */
export function tokenSelector(B: number, L: number, positions: readonly number[] | null): Tensor {
  const pos = positions ?? new Array<number>(B).fill(0);
  if (pos.length !== B) throw new Error(`token positions: got ${pos.length} positions for a batch of ${B}`);
  const v = new Float32Array(B * L);
  pos.forEach((p, b) => {
    if (!Number.isInteger(p) || p < 0 || p >= L) throw new Error(`token positions: row ${b} has position ${p}, outside 0..${L - 1}`);
    v[b * L + p] = 1;
  });
  return tf.tensor3d(v, [B, 1, L]);
}

/** [B, L] 0/1 mask from valid lengths (VSE∞ `lengths`). */
export function lengthsToMask(lengths: readonly number[], L: number): Tensor {
  const v = new Float32Array(lengths.length * L);
  lengths.forEach((n, b) => {
    if (!Number.isInteger(n) || n < 0 || n > L) throw new Error(`lengths: row ${b} has length ${n}, outside 0..${L}`);
    for (let t = 0; t < n; t++) v[b * L + t] = 1;
  });
  return tf.tensor2d(v, [lengths.length, L]);
}

// ---- pooling ----

export type PoolKind = 'masked-mean' | 'masked-mean-clamp1';

/**
 * Mean over tokens of [B, L, d] -> [B, d]. With a mask: Σ(F ⊙ m) / Σm, the denominator clamped to >= 1 for
 * CLIP4Clip's `masked-mean-clamp1`; without one, the plain mean.
 */
export function pool(F: Tensor, mask: Tensor | null, kind: PoolKind = 'masked-mean'): Tensor {
  if (!mask) return tf.mean(F, 1);
  const denom = tf.tidy(() => {
    const s = tf.sum(mask, 1, true);
    return kind === 'masked-mean-clamp1' ? tf.maximum(s, 1) : s;
  });
  return tf.div(tf.sum(tf.mul(F, tf.expandDims(mask, -1)), 1), denom);
}

/**
 * Causal running mean over tokens: [B, L, d] -> [B, L, d], row t = mean of rows 0..t. Computed as a product with a
 * constant lower-triangular averaging matrix: tf.cumsum's gradient is wrong along a non-last axis in tfjs 4.22 (it
 * comes back transposed).
 */
export function causalMean(F: Tensor): Tensor {
  const [B, L] = F.shape as number[];
  const v = new Float32Array(B * L * L);
  for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) for (let j = 0; j <= t; j++) v[(b * L + t) * L + j] = 1 / (t + 1);
  return tf.matMul(tf.tensor3d(v, [B, L, L]), F);
}
