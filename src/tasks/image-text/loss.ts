// VSE∞'s ContrastiveLoss (lib/loss.py): hinge triplet loss on cosine similarities of l2-normalised embeddings with
// margin 0.2, in both directions (caption retrieval for each image, image retrieval for each caption), summed over
// the batch. max_violation (VSE++) keeps only the hardest negative of each query; without it every violating
// negative counts (VSE0, used by VSE∞ for the first epoch: vse_mean_warmup_epochs 1).
import { tf, type Tensor } from '../../engine/tf.js';

export const VSE_MARGIN = 0.2;

/** im, cap: [B, D], row i of each a matching pair. Returns the scalar loss. */
export function contrastiveLoss(im: Tensor, cap: Tensor, opts: { margin?: number; maxViolation: boolean }): Tensor {
  const margin = opts.margin ?? VSE_MARGIN;
  const B = im.shape[0];
  if (cap.shape[0] !== B) throw new Error(`contrastiveLoss: ${B} images but ${cap.shape[0]} captions`);
  // explicit transpose: matMul with transposeB takes wasm's slow path
  const scores = tf.matMul(im as tf.Tensor2D, tf.transpose(cap as tf.Tensor2D));   // [B images, B captions]
  const diag = tf.sum(tf.mul(im, cap), 1);
  const offDiag = tf.sub(1, tf.eye(B));
  const costS = tf.mul(tf.relu(tf.sub(tf.add(scores, margin), tf.reshape(diag, [B, 1]))), offDiag);    // negatives captions per image
  const costIm = tf.mul(tf.relu(tf.sub(tf.add(scores, margin), tf.reshape(diag, [1, B]))), offDiag);   // negative images per caption
  if (opts.maxViolation) return tf.add(tf.sum(tf.max(costS, 1)), tf.sum(tf.max(costIm, 0)));
  return tf.add(tf.sum(costS), tf.sum(costIm));
}
