// Elementwise activations with lean gradients: GELU (erf and tanh forms) and QuickGELU save their input, ReLU
// saves its output (as PyTorch does; the output is usually kept by the next layer anyway, so it costs nothing extra).
import { tf, type Tensor } from '../tf.js';
import { tracedSave, customGrad } from './trace.js';

export const GELU_SAVES = ['x'] as const;
export const RELU_SAVES = ['y'] as const;
export const SOFTMAX_SAVES = ['y'] as const;

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/** Exact GELU: x Φ(x). */
export function gelu(x: Tensor): Tensor {
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('gelu', GELU_SAVES, save, [xx]);
    return {
      value: tf.tidy(() => tf.mul(tf.mul(xx, 0.5), tf.add(tf.erf(tf.mul(xx, Math.SQRT1_2)), 1))),
      gradFunc: (dy: Tensor, [sx]: Tensor[]) => tf.tidy(() => {
        const cdf = tf.mul(tf.add(tf.erf(tf.mul(sx, Math.SQRT1_2)), 1), 0.5);
        const pdf = tf.mul(tf.exp(tf.mul(tf.square(sx), -0.5)), INV_SQRT_2PI);
        return tf.mul(dy, tf.add(cdf, tf.mul(sx, pdf)));
      }),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

/** tanh-approximated GELU ("gelu_new" in Hugging Face): 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³))). */
export function geluTanh(x: Tensor): Tensor {
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('geluTanh', GELU_SAVES, save, [xx]);
    return {
      value: tf.tidy(() => {
        const inner = tf.mul(tf.add(xx, tf.mul(tf.pow(xx, 3), 0.044715)), SQRT_2_OVER_PI);
        return tf.mul(tf.mul(xx, 0.5), tf.add(tf.tanh(inner), 1));
      }),
      gradFunc: (dy: Tensor, [sx]: Tensor[]) => tf.tidy(() => {
        const x2 = tf.square(sx);
        const inner = tf.mul(tf.mul(sx, tf.add(tf.mul(x2, 0.044715), 1)), SQRT_2_OVER_PI);
        const t = tf.tanh(inner);
        const dinner = tf.mul(tf.add(tf.mul(x2, 3 * 0.044715), 1), SQRT_2_OVER_PI);
        const d = tf.add(tf.mul(tf.add(t, 1), 0.5), tf.mul(tf.mul(tf.mul(sx, 0.5), tf.sub(1, tf.square(t))), dinner));
        return tf.mul(dy, d);
      }),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

/** CLIP's QuickGELU: x σ(1.702 x). */
export function quickGelu(x: Tensor): Tensor {
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('quickGelu', GELU_SAVES, save, [xx]);
    return {
      value: tf.tidy(() => tf.mul(xx, tf.sigmoid(tf.mul(xx, 1.702)))),
      gradFunc: (dy: Tensor, [sx]: Tensor[]) => tf.tidy(() => {
        const s = tf.sigmoid(tf.mul(sx, 1.702));
        return tf.mul(dy, tf.add(s, tf.mul(tf.mul(tf.mul(sx, 1.702), s), tf.sub(1, s))));
      }),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

export function relu(x: Tensor): Tensor {
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    const y = tf.relu(xx);
    tracedSave('relu', RELU_SAVES, save, [y]);
    return { value: y, gradFunc: (dy: Tensor, [sy]: Tensor[]) => tf.tidy(() => tf.mul(dy, tf.step(sy, 0))) };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

/** Softmax over the last axis. */
export function softmax(x: Tensor): Tensor {
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    const y = tf.softmax(xx);
    tracedSave('softmax', SOFTMAX_SAVES, save, [y]);
    return {
      value: y,
      gradFunc: (dy: Tensor, [sy]: Tensor[]) => tf.tidy(() => tf.mul(sy, tf.sub(dy, tf.sum(tf.mul(dy, sy), -1, true)))),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

// ---- plain tfjs autograd references ----
export const plainGelu = (x: Tensor): Tensor => tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
export const plainGeluTanh = (x: Tensor): Tensor =>
  tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), SQRT_2_OVER_PI)), 1));
export const plainQuickGelu = (x: Tensor): Tensor => tf.mul(x, tf.sigmoid(tf.mul(x, 1.702)));
export const plainRelu = (x: Tensor): Tensor => tf.relu(x);
export const plainSoftmax = (x: Tensor): Tensor => tf.softmax(x);
