// Sequence-classification / regression head on the first token ([CLS]/<s>) of the sequence the method produces:
// dense + tanh + dropout + output, as Hugging Face's RobertaClassificationHead (BERT's pooler + classifier has the
// same shape). Always trainable; its parameters count as "added".
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, dropout, activate } from '../../nn/layers.js';

export class ClassificationHead extends Module {
  readonly dense: Linear;
  readonly out_proj: Linear;
  constructor(hidden: number, readonly outputs: number, rng: Rng, readonly dropoutRate = 0.1) {
    super();
    this.dense = this.addChild('dense', new Linear(hidden, hidden, rng.fork('head.dense'), { init: { std: 0.02 } }));
    this.out_proj = this.addChild('out_proj', new Linear(hidden, outputs, rng.fork('head.out'), { init: { std: 0.02 } }));
  }

  /** sequence [B, T, H] -> logits [B, outputs] */
  forward(sequence: Tensor, ctx: ForwardCtx): Tensor {
    const [B, , H] = sequence.shape as number[];
    const first = tf.reshape(tf.slice(sequence, [0, 0, 0], [B, 1, H]), [B, H]);
    const h = activate(this.dense.forward(dropout(first, this.dropoutRate, ctx), ctx), 'tanh');
    return this.out_proj.forward(dropout(h, this.dropoutRate, ctx), ctx);
  }
}
