// The VQA loss of LXMERT and CLIP-ViL: BCE-with-logits on the soft answer scores, nn.BCEWithLogitsLoss's mean over
// every (question, answer) entry, multiplied by the number of answers (`loss * logit.size(1)` in vqa.py / gqa.py), i.e.
// the per-question sum over answers averaged over the batch. (CLIP-ViL's released scripts pass --loss_scale 500, and
// that code path multiplies by 500 instead of by the answer count: a constant factor on every gradient.)
import { tf, type Tensor } from '../../engine/tf.js';
import { bceWithLogits } from '../../train/losses.js';

/** logits, targets: [B, #answers]. */
export function vqaBce(logits: Tensor, targets: Tensor): Tensor {
  const A = logits.shape[1]!;
  if (targets.shape[0] !== logits.shape[0] || targets.shape[1] !== A) throw new Error(`vqaBce: logits [${logits.shape}] and targets [${targets.shape}] differ`);
  return tf.mul(bceWithLogits(logits, targets), A);
}
