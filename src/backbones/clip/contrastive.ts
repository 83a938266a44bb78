// CLIP's symmetric contrastive loss as CLIP4Clip's CrossEn: the mean of the cross-entropy of each row of the
// similarity matrix against its diagonal entry (text -> video) and of each column (video -> text).
import { tf, type Tensor } from '../../engine/tf.js';
import { crossEntropy } from '../../train/losses.js';

/** sim [N, N] (logit-scaled similarities, row i = query i, matching item on the diagonal) -> scalar loss. */
export function symmetricInfoNce(sim: Tensor): Tensor {
  const [N, M] = sim.shape as number[];
  if (sim.rank !== 2 || N !== M) throw new Error(`symmetricInfoNce: similarity must be a square [N, N] matrix, got [${sim.shape}]`);
  const labels = tf.range(0, N, 1, 'int32');
  const loss = tf.mul(tf.add(crossEntropy(sim, labels), crossEntropy(tf.transpose(sim), labels)), 0.5);
  labels.dispose();
  return loss;
}

/** Rows scaled to unit L2 norm (eps keeps an all-zero row finite). */
export function l2normalize(x: Tensor, eps = 1e-12): Tensor {
  return tf.tidy(() => tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), -1, true), eps))));
}
