// The masked-language-model head of BertForMaskedLM / RobertaForMaskedLM: dense -> activation -> LayerNorm, then a
// decoder tied to the word-embedding table plus an output bias. Local parameter names follow BERT's
// `cls.predictions.*`; `mlmHeadHfName` gives the checkpoint name for either model type.
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { customGrad, tracedSave } from '../../engine/ops/trace.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm, activate, type Activation } from '../../nn/layers.js';
import * as init from '../../nn/init.js';
import type { Param } from '../../nn/param.js';
import type { TextEncoderConfig } from './config.js';

export const TIED_DECODER_SAVES = ['h', 'E'] as const;

/**
 * logits = h Eᵀ + b for a tied embedding table E [V, H] (h [N, H], b [V]). Written as its own op so no matmul ever
 * needs a transposed operand flag (slow on wasm): the forward transposes E explicitly, dh = dy E needs no
 * transpose, dE = dyᵀ h transposes dy explicitly. Saves h and E (as PyTorch's linear saves its input and weight).
 */
export function tiedDecoder(h: Tensor, E: Tensor, b: Tensor): Tensor {
  const f = customGrad((hh: Tensor, ee: Tensor, bb: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('tiedDecoder', TIED_DECODER_SAVES, save, [hh, ee]);
    return {
      value: tf.tidy(() => tf.add(tf.matMul(hh as tf.Tensor2D, tf.transpose(ee as tf.Tensor2D)), bb)),
      gradFunc: (dy: Tensor, [sh, sE]: Tensor[]) => tf.tidy(() => [
        tf.matMul(dy as tf.Tensor2D, sE as tf.Tensor2D),
        tf.matMul(tf.transpose(dy as tf.Tensor2D), sh as tf.Tensor2D),
        tf.sum(dy, 0),
      ]),
    };
  }) as (a: Tensor, c: Tensor, d: Tensor) => Tensor;
  return f(h, E, b);
}

class MlmTransform extends Module {
  readonly dense: Linear;
  readonly LayerNorm: LayerNorm;
  constructor(cfg: TextEncoderConfig, rng: Rng) {
    super();
    this.dense = this.addChild('dense', new Linear(cfg.hidden_size, cfg.hidden_size, rng, { init: { std: cfg.initializer_range }, zeroBias: true }));
    this.LayerNorm = this.addChild('LayerNorm', new LayerNorm(cfg.hidden_size, cfg.layer_norm_eps));
  }
}

export class MlmHead extends Module {
  readonly transform: MlmTransform;
  readonly bias: Param;
  /** RoBERTa's lm_head always uses exact GELU; BERT's transform uses the config's hidden_act. */
  readonly activation: Activation;

  constructor(readonly config: TextEncoderConfig, seed: number) {
    super();
    const rng = new Rng(seed).fork('mlm-head-init');
    this.transform = this.addChild('transform', new MlmTransform(config, rng));
    this.bias = this.addParam('bias', init.zeros([config.vocab_size]), 'bias');
    this.activation = config.model_type === 'roberta' ? 'gelu' : config.hidden_act;
  }

  /** h: [N, H] hidden states (only the positions to predict); wordEmbeddings: the encoder's [V, H] table. */
  forward(h: Tensor, wordEmbeddings: Tensor, ctx: ForwardCtx): Tensor {
    const t = this.transform;
    const x = t.LayerNorm.forward(activate(t.dense.forward(h, ctx), this.activation));
    return tiedDecoder(x, wordEmbeddings, this.bias.value);
  }
}

/** The head's local parameter names (as `namedParameters()` gives them). */
export const MLM_HEAD_PARAMS = ['transform.dense.weight', 'transform.dense.bias', 'transform.LayerNorm.weight', 'transform.LayerNorm.bias', 'bias'] as const;

const ROBERTA_NAMES: Record<string, string> = {
  'transform.dense.weight': 'lm_head.dense.weight',
  'transform.dense.bias': 'lm_head.dense.bias',
  'transform.LayerNorm.weight': 'lm_head.layer_norm.weight',
  'transform.LayerNorm.bias': 'lm_head.layer_norm.bias',
  bias: 'lm_head.bias',
};

/** Checkpoint name of a head parameter: `cls.predictions.<local>` for BERT, `lm_head.*` for RoBERTa. */
export function mlmHeadHfName(local: string, modelType: 'bert' | 'roberta'): string {
  if (modelType === 'roberta') {
    const n = ROBERTA_NAMES[local];
    if (!n) throw new Error(`no RoBERTa name for MLM head parameter "${local}"`);
    return n;
  }
  return `cls.predictions.${local}`;
}

/** The inverse of mlmHeadHfName over both conventions (null when the name is not a head parameter). */
export function mlmHeadLocalName(hfName: string): string | null {
  if (hfName.startsWith('cls.predictions.')) {
    const local = hfName.slice('cls.predictions.'.length);
    return (MLM_HEAD_PARAMS as readonly string[]).includes(local) ? local : null;
  }
  for (const [local, hf] of Object.entries(ROBERTA_NAMES)) if (hf === hfName) return local;
  return null;
}
