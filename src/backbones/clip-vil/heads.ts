// Heads on the CLIP-ViL pooled output. The answer head is CLIP-ViL's `logit_fc` (VQAModel / GQAModel, as LXMERT's
// BertVisualAnswerHead): Linear(h, 2h) -> GeLU (exact erf) -> LayerNorm(2h, eps 1e-12) -> Linear(2h, #answers),
// initialised by init_bert_weights (weights N(0, 0.02), biases 0, LayerNorm (1, 0)). Names mirror the PyTorch
// nn.Sequential: logit_fc.0 (Linear), logit_fc.2 (LayerNorm), logit_fc.3 (Linear); index 1 is the parameter-free GeLU.
// The image-text matching head of pretraining is LXRT's `cls.seq_relationship` (Linear(h, 2) on the pooled output).
import type { Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm } from '../../nn/layers.js';

class LogitFc extends Module {
  readonly fc1: Linear; readonly norm: LayerNorm; readonly fc2: Linear;
  constructor(hidden: number, answers: number, rng: Rng, std: number) {
    super();
    this.fc1 = this.addChild('0', new Linear(hidden, 2 * hidden, rng.fork('logit_fc.0'), { init: { std }, zeroBias: true }));
    this.norm = this.addChild('2', new LayerNorm(2 * hidden, 1e-12));
    this.fc2 = this.addChild('3', new Linear(2 * hidden, answers, rng.fork('logit_fc.3'), { init: { std }, zeroBias: true }));
  }
}

export class AnswerHead extends Module {
  readonly logit_fc: LogitFc;
  constructor(readonly hidden: number, readonly numAnswers: number, rng: Rng, std = 0.02) {
    super();
    if (!Number.isInteger(numAnswers) || numAnswers < 1) throw new Error(`AnswerHead: the answer vocabulary must hold at least one answer, got ${numAnswers}`);
    this.logit_fc = this.addChild('logit_fc', new LogitFc(hidden, numAnswers, rng, std));
  }
  /** pooled [B, H] -> logits [B, #answers]. */
  forward(pooled: Tensor, ctx: ForwardCtx): Tensor {
    const f = this.logit_fc;
    return f.fc2.forward(f.norm.forward(ops().gelu(f.fc1.forward(pooled, ctx))), ctx);
  }
}

/** LXRT's cross-modality matching head (`cls.seq_relationship`): pooled [B, H] -> 2 logits (not matched, matched). */
export class MatchHead extends Module {
  readonly seq_relationship: Linear;
  constructor(hidden: number, rng: Rng, std = 0.02) {
    super();
    this.seq_relationship = this.addChild('seq_relationship', new Linear(hidden, 2, rng.fork('itm'), { init: { std }, zeroBias: true }));
  }
  forward(pooled: Tensor, ctx: ForwardCtx): Tensor { return this.seq_relationship.forward(pooled, ctx); }
}
