// 2-D convolution (NHWC, filter [kh, kw, cin/groups, cout]) with a lean gradient: saves x and W. The wasm backend
// has no Conv2DBackpropFilter kernel, so the filter gradient is computed as kh*kw plain matmuls of shifted input
// windows against dy (each on the fast untransposed path after an explicit transpose).
import { tf, type Tensor } from '../tf.js';
import { tracedSave, customGrad } from './trace.js';

export const CONV2D_SAVES = ['x', 'W'] as const;

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

function conv2dSingle(x: Tensor, W: Tensor, stride: number, pad: 'same' | 'valid' | number, trainW: boolean): Tensor {
  const [kh, kw] = W.shape as number[];
  const xs = x.shape as number[];
  const g = convGeometry(xs[1], xs[2], kh, kw, stride, pad);
  const tfPad = typeof pad === 'number' ? padArg(g) : pad;
  const fwd = (xx: Tensor, ww: Tensor) => tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, stride, tfPad);
  const dInput = (dy: Tensor, ww: Tensor) => tf.conv2dTranspose(dy as tf.Tensor4D, ww as tf.Tensor4D, x.shape as [number, number, number, number], stride, tfPad);
  if (trainW) {
    const f = customGrad((xx: Tensor, ww: Tensor, save: tf.GradSaveFunc) => {
      tracedSave('conv2d', CONV2D_SAVES, save, [xx, ww]);
      return {
        value: fwd(xx, ww),
        gradFunc: (dy: Tensor, [sx, sw]: Tensor[]) => tf.tidy(() => [dInput(dy, sw), filterGrad(sx, dy, kh, kw, stride, g)]),
      };
    }) as (a: Tensor, b: Tensor) => Tensor;
    return f(x, W);
  }
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('frozenConv2d', [], save, []);
    return { value: fwd(xx, W), gradFunc: (dy: Tensor) => dInput(dy, W) };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

/** Convolution with optional groups (ResNeXt); `trainW` false keeps W frozen (input gradient only). */
export function conv2d(x: Tensor, W: Tensor, opts: Conv2dOptions = {}, trainW = true): Tensor {
  const stride = opts.stride ?? 1, pad = opts.pad ?? 'same', groups = opts.groups ?? 1;
  if (groups === 1) return conv2dSingle(x, W, stride, pad, trainW);
  const xs = tf.split(x, groups, 3);
  const ws = tf.split(W, groups, 3);
  return tf.concat(xs.map((xi, i) => conv2dSingle(xi, ws[i], stride, pad, trainW)), 3);
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
