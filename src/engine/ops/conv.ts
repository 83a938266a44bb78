// 2-D convolution (NHWC, filter [kh, kw, cin/groups, cout]) with a lean gradient: saves x and W. The wasm backend
// has no Conv2DBackpropFilter kernel, so the filter gradient is computed as kh*kw plain matmuls of shifted input
// windows against dy (each on the fast untransposed path after an explicit transpose).
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

function filterGrad(x: Tensor, dy: Tensor, kh: number, kw: number, stride: number, g: Geometry): Tensor {
  const [B, , , C] = x.shape as number[];
  const Co = (dy.shape as number[])[3];
  const N = B * g.outH * g.outW;
  const dy2 = tf.reshape(dy, [N, Co]) as tf.Tensor2D;
  const xp = g.top || g.bottom || g.left || g.right ? tf.pad(x, padArg(g)) : x;
  const taps: Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const win = kh === 1 && kw === 1 && stride === 1 ? xp
        : tf.stridedSlice(xp, [0, i, j, 0], [B, i + (g.outH - 1) * stride + 1, j + (g.outW - 1) * stride + 1, C], [1, stride, stride, 1]);
      taps.push(tf.matMul(tf.transpose(tf.reshape(win, [N, C]) as tf.Tensor2D), dy2));
    }
  }
  return tf.reshape(tf.stack(taps), [kh, kw, C, Co]);
}

/** Applies fn group by group to the parts' slices and concatenates along `axis` (one group: fn itself). */
function forEachGroup(groups: number, parts: Tensor[][], fn: (...ts: Tensor[]) => Tensor, axis: number): Tensor {
  if (groups === 1) return fn(...parts.map((p) => p[0]));
  return tf.concat(Array.from({ length: groups }, (_, i) => fn(...parts.map((p) => p[i]))), axis);
}

function splitGroups(t: Tensor, groups: number): Tensor[] { return groups === 1 ? [t] : tf.split(t, groups, 3); }

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
    (xi, wi) => tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, stride, tfPad), 3);
  const dInput = (dy: Tensor, ww: Tensor) => forEachGroup(groups, [splitGroups(dy, groups), splitGroups(ww, groups)],
    (dyi, wi) => tf.conv2dTranspose(dyi as tf.Tensor4D, wi as tf.Tensor4D, xgShape, stride, tfPad), 3);
  if (trainW) {
    const f = customGrad((xx: Tensor, ww: Tensor, save: tf.GradSaveFunc) => {
      tracedSave('conv2d', CONV2D_SAVES, save, [xx, ww]);
      return {
        value: fwd(xx, ww),
        gradFunc: (dy: Tensor, [sx, sw]: Tensor[]) => tf.tidy(() => [
          dInput(dy, sw),
          forEachGroup(groups, [splitGroups(sx, groups), splitGroups(dy, groups)], (xi, dyi) => filterGrad(xi, dyi, kh, kw, stride, g), 3),
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
