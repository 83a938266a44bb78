// Sequence-classification / regression head over the sequence the method produces: a pooled vector (the first token
// [CLS]/<s>, or the masked mean of the tokens) -> dense + tanh + dropout + output, as Hugging Face's
// RobertaClassificationHead (BERT's pooler + classifier has the same shape). Always trainable; its parameters count
// as "added". Mean pooling is what the GLUE encoder path uses: its mini backbones are pretrained by MLM only, so
// their [CLS] output never had a training signal (BERT's comes from next-sentence prediction), which would leave
// every method that keeps the backbone frozen reading an untrained feature.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, dropout, activate } from '../../nn/layers.js';

export type HeadPooling = 'first' | 'mean';

export class ClassificationHead extends Module {
  readonly dense: Linear;
  readonly out_proj: Linear;
  constructor(hidden: number, readonly outputs: number, rng: Rng, readonly dropoutRate = 0.1, readonly pooling: HeadPooling = 'first') {
    super();
    this.dense = this.addChild('dense', new Linear(hidden, hidden, rng.fork('head.dense'), { init: { std: 0.02 } }));
    this.out_proj = this.addChild('out_proj', new Linear(hidden, outputs, rng.fork('head.out'), { init: { std: 0.02 } }));
  }

  /** sequence [B, T, H] (mask [B, T], 1 = token, needed for mean pooling) -> logits [B, outputs] */
  forward(sequence: Tensor, ctx: ForwardCtx, mask?: Tensor): Tensor {
    const [B, , H] = sequence.shape as number[];
    let pooled: Tensor;
    if (this.pooling === 'mean') {
      if (!mask) throw new Error('ClassificationHead: mean pooling needs the attention mask');
      const m = tf.expandDims(tf.cast(mask, 'float32'), 2);
      pooled = tf.div(tf.sum(tf.mul(sequence, m), 1), tf.maximum(tf.sum(m, 1), 1));
    } else {
      pooled = tf.reshape(tf.slice(sequence, [0, 0, 0], [B, 1, H]), [B, H]);
    }
    const h = activate(this.dense.forward(dropout(pooled, this.dropoutRate, ctx), ctx), 'tanh');
    return this.out_proj.forward(dropout(h, this.dropoutRate, ctx), ctx);
  }
}
