// 2-D convolution (NHWC, filter [kh, kw, cin/groups, cout]) with a lean gradient: saves x and W. The wasm backend
// has no Conv2DBackpropFilter kernel, so the filter gradient is one matmul of the transposed im2col matrix (the kh*kw
// shifted input windows, cut with long-run plain slices) against dy, on the fast untransposed path.
import { tf, type Tensor } from '../tf.js';
import { tracedSave, customGrad } from './trace.js';

export const CONV2D_SAVES = ['x', 'W'] as const;
export const FROZEN_CONV2D_SAVES = [] as const;

export interface Conv2dOptions {
  stride?: number;
  /** 'same' (TensorFlow rule), 'valid', or symmetric zero padding in pixels. */
  pad?: 'same' | 'valid' | number;
  groups?: number;
}

interface Geometry { top: number; bottom: number; left: number; right: number; outH: number; outW: number }

export function convGeometry(H: number, W: number, kh: number, kw: number, stride: number, pad: 'same' | 'valid' | number): Geometry {
  if (pad === 'same') {
    const outH = Math.ceil(H / stride), outW = Math.ceil(W / stride);
    const ph = Math.max((outH - 1) * stride + kh - H, 0), pw = Math.max((outW - 1) * stride + kw - W, 0);
    return { top: Math.floor(ph / 2), bottom: ph - Math.floor(ph / 2), left: Math.floor(pw / 2), right: pw - Math.floor(pw / 2), outH, outW };
  }
  const p = pad === 'valid' ? 0 : pad;
  return { top: p, bottom: p, left: p, right: p, outH: Math.floor((H + 2 * p - kh) / stride) + 1, outW: Math.floor((W + 2 * p - kw) / stride) + 1 };
}

function padArg(g: Geometry): [[number, number], [number, number], [number, number], [number, number]] {
  return [[0, 0], [g.top, g.bottom], [g.left, g.right], [0, 0]];
}

/**
 * The kh*kw input windows of the (zero-padded) input, one per filter tap, each [B, outH, outW*C]: window (i, j)
 * holds xp[b, i + y*stride, j + x*stride, c]. Every copy is a plain slice whose innermost run is a whole output row
 * (outW*C values): wasm's StridedSlice runs a slow per-element path, and tfjs-wasm's Slice copies one innermost run
 * at a time in JS, so short runs (C values) are slow too. For stride s the padded input is first split into its s x s
 * phases xp[:, pi::s, pj::s, :] with one rank-4 transpose (the bottom/right edge zero-padded up to a multiple of s;
 * those zeros are never read), and window (i, j) is a slice of phase (i mod s, j mod s).
 */
function tapWindows(x: Tensor, kh: number, kw: number, stride: number, g: Geometry): Tensor[] {
  const [B, H, W, C] = x.shape as number[];
  const { outH, outW } = g, s = stride;
  const Hp = H + g.top + g.bottom, Wp = W + g.left + g.right;
  const Hs = Math.ceil(Hp / s) * s, Ws = Math.ceil(Wp / s) * s;
  const bottom = g.bottom + (Hs - Hp), right = g.right + (Ws - Wp);
  const xp = g.top || bottom || g.left || right ? tf.pad(x, [[0, 0], [g.top, bottom], [g.left, right], [0, 0]]) : x;
  const hs = Hs / s, ws = Ws / s;
  // phase (pi, pj) as [B, hs, ws*C]
  let phaseOf: (pi: number, pj: number) => Tensor;
  if (s === 1) {
    const whole = tf.reshape(xp, [B, Hs, Ws * C]);
    phaseOf = () => whole;
  } else {
    // [B*Hs, ws, s, C] -> [B*Hs, s(pj), ws, C] = [B*hs, s(pi), s(pj), ws*C]
    const split = tf.reshape(tf.transpose(tf.reshape(xp, [B * Hs, ws, s, C]), [0, 2, 1, 3]), [B * hs, s, s, ws * C]);
    const cache = new Map<number, Tensor>();
    phaseOf = (pi, pj) => {
      let t = cache.get(pi * s + pj);
      if (!t) { t = tf.reshape(tf.slice(split, [0, pi, pj, 0], [B * hs, 1, 1, ws * C]), [B, hs, ws * C]); cache.set(pi * s + pj, t); }
      return t;
    };
  }
  const out: Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const ph = phaseOf(i % s, j % s), oi = Math.floor(i / s), oj = Math.floor(j / s);
      out.push(oi === 0 && oj === 0 && hs === outH && ws === outW ? ph : tf.slice(ph, [0, oi, oj * C], [B, outH, outW * C]));
    }
  }
  return out;
}

/**
 * dW[i, j, c, o] = Σ_{b,y,x} xp[b, i + y*stride, j + x*stride, c] · dy[b, y, x, o], as ONE matmul of the transposed
 * im2col matrix [kh*kw*C, N] (taps stacked, then one rank-3 transpose) with dy [N, Co], on the untransposed fast
 * path; its rows come out in the filter's [kh, kw, C] order. Each entry is the same length-N dot product as before.
 */
function filterGrad(x: Tensor, dy: Tensor, kh: number, kw: number, stride: number, g: Geometry): Tensor {
  const C = (x.shape as number[])[3];
  const Co = (dy.shape as number[])[3];
  const N = dy.size / Co, T = kh * kw;
  const dy2 = tf.reshape(dy, [N, Co]) as tf.Tensor2D;
  // each stage frees the previous one at once, so at most two copies of the windows are live (the per-tap version
  // held the windows, their transposes and the padded input until the end of the backward pass)
  const taps = tf.tidy(() => tapWindows(x, kh, kw, stride, g));
  const stacked = T === 1 ? taps[0] : tf.concat(taps, 0);
  if (T > 1) tf.dispose(taps);
  const colsT = tf.reshape(tf.transpose(tf.reshape(stacked, [T, N, C]), [0, 2, 1]), [T * C, N]) as tf.Tensor2D;
  stacked.dispose();
  const dW = tf.matMul(colsT, dy2);
  colsT.dispose();
  return tf.reshape(dW, [kh, kw, C, Co]);
}

/** Applies fn group by group to the parts' slices and joins the results along the channel axis (one group: fn itself). */
function forEachGroup(groups: number, parts: Tensor[][], fn: (...ts: Tensor[]) => Tensor): Tensor {
  if (groups === 1) return fn(...parts.map((p) => p[0]));
  return concatGroups(Array.from({ length: groups }, (_, i) => fn(...parts.map((p) => p[i]))));
}

/**
 * tf.split(t, groups, 3) for a rank-4 t, as one rank-3 transpose to group-major order plus contiguous leading-axis
 * slices: wasm's SplitV (and Concat on the last axis) copy one channel run of every pixel at a time in JS.
 */
function splitGroups(t: Tensor, groups: number): Tensor[] {
  if (groups === 1) return [t];
  const shape = t.shape as number[], last = shape[3] / groups, lead = t.size / shape[3];
  return tf.tidy(() => {
    const byGroup = tf.transpose(tf.reshape(t, [lead, groups, last]), [1, 0, 2]);
    return Array.from({ length: groups }, (_, i) => tf.reshape(tf.slice(byGroup, [i, 0, 0], [1, lead, last]), [...shape.slice(0, 3), last]));
  });
}

/** tf.concat(parts, 3) for equally shaped rank-4 parts: a leading-axis concat and one rank-3 transpose. */
function concatGroups(parts: Tensor[]): Tensor {
  const shape = parts[0].shape as number[], last = shape[3], lead = parts[0].size / last;
  return tf.tidy(() => {
    const stacked = tf.concat(parts.map((p) => tf.reshape(p, [1, lead, last])), 0);
    return tf.reshape(tf.transpose(stacked, [1, 0, 2]), [...shape.slice(0, 3), parts.length * last]);
  });
}

/**
 * Convolution with optional groups (ResNeXt); `trainW` false keeps W frozen (input gradient only). Groups run
 * inside ONE custom-gradient op (split and concat off the tape), so only x and W are kept: splitting outside put
 * SplitV/Concat on the tape, whose saved per-group copies and outputs cost about |x| + |W| + |y| extra, and whose
 * per-group filter slices were disposed with the forward tidy before a frozen conv's backward pass needed them.
 */
export function conv2d(x: Tensor, W: Tensor, opts: Conv2dOptions = {}, trainW = true): Tensor {
  const stride = opts.stride ?? 1, pad = opts.pad ?? 'same', groups = opts.groups ?? 1;
  const [kh, kw, cinG, cout] = W.shape as number[];
  const xs = x.shape as number[];
  if (xs.length !== 4 || W.shape.length !== 4) throw new Error(`conv2d: x must be NHWC [B,H,W,C] and W [kh,kw,cin/groups,cout]; got x [${xs}], W [${W.shape}]`);
  if (xs[3] % groups !== 0 || cout % groups !== 0 || cinG * groups !== xs[3]) {
    throw new Error(`conv2d: ${groups} groups need x channels (${xs[3]}) = groups x W.shape[2] (${cinG}) and W.shape[3] (${cout}) divisible by groups`);
  }
  const g = convGeometry(xs[1], xs[2], kh, kw, stride, pad);
  const tfPad = typeof pad === 'number' ? padArg(g) : pad;
  const xgShape = [xs[0], xs[1], xs[2], xs[3] / groups] as [number, number, number, number];
  const fwd = (xx: Tensor, ww: Tensor) => forEachGroup(groups, [splitGroups(xx, groups), splitGroups(ww, groups)],
    (xi, wi) => tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, stride, tfPad));
  const dInput = (dy: Tensor, ww: Tensor) => forEachGroup(groups, [splitGroups(dy, groups), splitGroups(ww, groups)],
    (dyi, wi) => tf.conv2dTranspose(dyi as tf.Tensor4D, wi as tf.Tensor4D, xgShape, stride, tfPad));
  if (trainW) {
    const f = customGrad((xx: Tensor, ww: Tensor, save: tf.GradSaveFunc) => {
      tracedSave('conv2d', CONV2D_SAVES, save, [xx, ww]);
      return {
        value: fwd(xx, ww),
        gradFunc: (dy: Tensor, [sx, sw]: Tensor[]) => tf.tidy(() => [
          dInput(dy, sw),
          forEachGroup(groups, [splitGroups(sx, groups), splitGroups(dy, groups)], (xi, dyi) => filterGrad(xi, dyi, kh, kw, stride, g)),
        ]),
      };
    }) as (a: Tensor, b: Tensor) => Tensor;
    return f(x, W);
  }
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('frozenConv2d', FROZEN_CONV2D_SAVES, save, []);
    return { value: fwd(xx, W), gradFunc: (dy: Tensor) => tf.tidy(() => dInput(dy, W)) };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

/** Plain tfjs reference (its filter gradient needs Conv2DBackpropFilter: cpu backend only). */
export function plainConv2d(x: Tensor, W: Tensor, opts: Conv2dOptions = {}): Tensor {
  const stride = opts.stride ?? 1, pad = opts.pad ?? 'same', groups = opts.groups ?? 1;
  const one = (xi: Tensor, wi: Tensor) => {
    const xs = xi.shape as number[], ws = wi.shape as number[];
    const g = convGeometry(xs[1], xs[2], ws[0], ws[1], stride, pad);
    return tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, stride, typeof pad === 'number' ? padArg(g) : pad);
  };
  if (groups === 1) return one(x, W);
  const xs = tf.split(x, groups, 3), ws = tf.split(W, groups, 3);
  return tf.concat(xs.map((xi, i) => one(xi, ws[i])), 3);
}
