// Losses with lean gradients.
import { tf, type Tensor } from '../engine/tf.js';
import { customGrad, tracedSave } from '../engine/ops/trace.js';

export const CROSS_ENTROPY_SAVES = ['p', 'labels'] as const;

/** Mean softmax cross-entropy of logits [N, C] against integer labels [N]; saves the probabilities and the labels. */
export function crossEntropy(logits: Tensor, labels: Tensor): Tensor {
  const [N, C] = logits.shape as number[];
  const f = customGrad((lg: Tensor, save: tf.GradSaveFunc) => {
    const lab = tf.cast(labels, 'int32') as tf.Tensor1D;
    const [loss, p] = tf.tidy(() => {
      const logp = tf.logSoftmax(lg);
      return [tf.neg(tf.div(tf.sum(tf.mul(logp, tf.oneHot(lab, C))), N)), tf.exp(logp)];
    });
    tracedSave('crossEntropy', CROSS_ENTROPY_SAVES, save, [p, lab]);
    return {
      value: loss,
      gradFunc: (dy: Tensor, [sp, sl]: Tensor[]) => tf.tidy(() => tf.mul(tf.sub(sp, tf.oneHot(sl as tf.Tensor1D, C)), tf.div(dy, N))),
    };
  });
  return f(logits);
}

/** Mean squared error (regression heads, e.g. STS-B). */
export function mse(pred: Tensor, target: Tensor): Tensor {
  return tf.mean(tf.square(tf.sub(tf.reshape(pred, [-1]), tf.reshape(target, [-1]))));
}

/** Mean binary cross-entropy with logits against soft targets in [0, 1] (VQA). */
export function bceWithLogits(logits: Tensor, targets: Tensor): Tensor {
  // max(x,0) - x t + log(1 + exp(-|x|)), numerically stable
  return tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
}
