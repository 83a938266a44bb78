// BERT / RoBERTa encoder: post-LN, learned positions, GELU. Parameter names follow Hugging Face's BertModel /
// RobertaModel, so safetensors checkpoints load one-to-one (linear weights transposed). Returns every hidden state
// (embeddings output + each layer). Sites for methods: `embeddings:output` (prompt tokens), and per layer
// `encoder.layer.<i>:attention_output` / `:ffn_output` (adapters, before each residual add + LayerNorm).
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { ops, splitHeads, mergeHeads } from '../../engine/ops/index.js';
import { Module, ModuleList, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm, Embedding, dropout, activate } from '../../nn/layers.js';
import type { TextEncoderConfig } from './config.js';

class BertEmbeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly token_type_embeddings: Embedding;
  readonly LayerNorm: LayerNorm;
  constructor(readonly cfg: TextEncoderConfig, rng: Rng) {
    super();
    const std = cfg.initializer_range;
    this.word_embeddings = this.addChild('word_embeddings', new Embedding(cfg.vocab_size, cfg.hidden_size, rng, std));
    this.position_embeddings = this.addChild('position_embeddings', new Embedding(cfg.max_position_embeddings, cfg.hidden_size, rng, std));
    this.token_type_embeddings = this.addChild('token_type_embeddings', new Embedding(cfg.type_vocab_size, cfg.hidden_size, rng, std));
    this.LayerNorm = this.addChild('LayerNorm', new LayerNorm(cfg.hidden_size, cfg.layer_norm_eps));
  }
  override declaredSites(): readonly string[] { return ['output']; }

  forward(ids: Tensor, positionIds: Tensor, typeIds: Tensor | null, ctx: ForwardCtx): Tensor {
    let x = tf.add(this.word_embeddings.forward(ids), this.position_embeddings.forward(positionIds));
    x = tf.add(x, typeIds ? this.token_type_embeddings.forward(typeIds) : this.typeZero());
    x = dropout(this.LayerNorm.forward(x), this.cfg.hidden_dropout_prob, ctx);
    return this.site('output', x, ctx);
  }

  /** Token type 0 for every position: row 0 of the table, broadcast (no gather over a zeros tensor). */
  private typeZero(): Tensor {
    const t = this.token_type_embeddings.weight;
    return tf.slice(t.value, [0, 0], [1, this.cfg.hidden_size]);
  }
}

class BertSelfAttention extends Module {
  readonly query: Linear; readonly key: Linear; readonly value: Linear;
  constructor(readonly cfg: TextEncoderConfig, rng: Rng) {
    super();
    const init = { std: cfg.initializer_range };
    this.query = this.addChild('query', new Linear(cfg.hidden_size, cfg.hidden_size, rng, { init, zeroBias: true }));
    this.key = this.addChild('key', new Linear(cfg.hidden_size, cfg.hidden_size, rng, { init, zeroBias: true }));
    this.value = this.addChild('value', new Linear(cfg.hidden_size, cfg.hidden_size, rng, { init, zeroBias: true }));
  }
}

class BertSelfOutput extends Module {
  readonly dense: Linear; readonly LayerNorm: LayerNorm;
  constructor(cfg: TextEncoderConfig, rng: Rng, inDim: number) {
    super();
    this.dense = this.addChild('dense', new Linear(inDim, cfg.hidden_size, rng, { init: { std: cfg.initializer_range }, zeroBias: true }));
    this.LayerNorm = this.addChild('LayerNorm', new LayerNorm(cfg.hidden_size, cfg.layer_norm_eps));
  }
}

class BertAttention extends Module {
  readonly self: BertSelfAttention; readonly output: BertSelfOutput;
  constructor(cfg: TextEncoderConfig, rng: Rng) {
    super();
    this.self = this.addChild('self', new BertSelfAttention(cfg, rng));
    this.output = this.addChild('output', new BertSelfOutput(cfg, rng, cfg.hidden_size));
  }
}

class BertIntermediate extends Module {
  readonly dense: Linear;
  constructor(cfg: TextEncoderConfig, rng: Rng) {
    super();
    this.dense = this.addChild('dense', new Linear(cfg.hidden_size, cfg.intermediate_size, rng, { init: { std: cfg.initializer_range }, zeroBias: true }));
  }
}

export class BertLayer extends Module {
  readonly attention: BertAttention; readonly intermediate: BertIntermediate; readonly output: BertSelfOutput;
  constructor(readonly cfg: TextEncoderConfig, rng: Rng) {
    super();
    this.attention = this.addChild('attention', new BertAttention(cfg, rng));
    this.intermediate = this.addChild('intermediate', new BertIntermediate(cfg, rng));
    this.output = this.addChild('output', new BertSelfOutput(cfg, rng, cfg.intermediate_size));
  }
  override declaredSites(): readonly string[] { return ['attention_output', 'ffn_output']; }

  /** x: [B*T, H] (flattened tokens); maskAdd: [B, 1, 1, T] additive. */
  forward(x: Tensor, B: number, T: number, maskAdd: Tensor, ctx: ForwardCtx): Tensor {
    const { cfg } = this;
    const nh = cfg.num_attention_heads;
    const sa = this.attention.self;
    const q = splitHeads(sa.query.forward(x, ctx), B, T, nh);
    const k = splitHeads(sa.key.forward(x, ctx), B, T, nh);
    const v = splitHeads(sa.value.forward(x, ctx), B, T, nh);
    const ctxv = ops().attention(q, k, v, { mask: maskAdd, dropoutRate: ctx.training ? cfg.attention_probs_dropout_prob : 0, rng: ctx.rng });
    let a = dropout(this.attention.output.dense.forward(mergeHeads(ctxv), ctx), cfg.hidden_dropout_prob, ctx);
    a = this.site('attention_output', a, ctx);
    const h1 = this.attention.output.LayerNorm.forwardAdd(x, a);
    const mid = activate(this.intermediate.dense.forward(h1, ctx), cfg.hidden_act);
    let f = dropout(this.output.dense.forward(mid, ctx), cfg.hidden_dropout_prob, ctx);
    f = this.site('ffn_output', f, ctx);
    return this.output.LayerNorm.forwardAdd(h1, f);
  }
}

class BertEncoder extends Module {
  readonly layer: ModuleList<BertLayer>;
  constructor(cfg: TextEncoderConfig, rng: Rng) {
    super();
    this.layer = this.addChild('layer', new ModuleList(Array.from({ length: cfg.num_hidden_layers }, () => new BertLayer(cfg, rng))));
  }
}

class BertPooler extends Module {
  readonly dense: Linear;
  constructor(cfg: TextEncoderConfig, rng: Rng) {
    super();
    this.dense = this.addChild('dense', new Linear(cfg.hidden_size, cfg.hidden_size, rng, { init: { std: cfg.initializer_range }, zeroBias: true }));
  }
}

export interface TextEncoderOutput {
  /** Embeddings output, then each layer's output: num_hidden_layers + 1 tensors of [B, T', H]. */
  hiddenStates: Tensor[];
  /** The last hidden state [B, T', H]. */
  last: Tensor;
  /** Float mask [B, T'] (1 = token, 0 = padding); T' includes prompt tokens a method prepended. */
  mask: Tensor;
}

export interface TextEncoderInput {
  ids: Tensor;          // int32 [B, T]
  mask: Tensor;         // float32 or int32 [B, T], 1 = token
  typeIds?: Tensor | null;
}

export class TextEncoder extends Module {
  readonly embeddings: BertEmbeddings;
  readonly encoder: BertEncoder;
  readonly pooler: BertPooler;

  constructor(readonly config: TextEncoderConfig, seed: number) {
    super();
    const rng = new Rng(seed).fork('text-encoder-init');
    this.embeddings = this.addChild('embeddings', new BertEmbeddings(config, rng));
    this.encoder = this.addChild('encoder', new BertEncoder(config, rng));
    this.pooler = this.addChild('pooler', new BertPooler(config, rng));
  }

  get hiddenSize(): number { return this.config.hidden_size; }
  get numLayers(): number { return this.config.num_hidden_layers; }
  /** Longest sequence the position table covers (RoBERTa's positions are offset by pad_token_id + 1). */
  get maxLength(): number {
    const c = this.config;
    return c.model_type === 'roberta' ? c.max_position_embeddings - c.pad_token_id - 1 : c.max_position_embeddings;
  }

  /** Position ids: 0..T-1 for BERT; RoBERTa counts non-padding tokens from pad_token_id + 1. */
  positionIds(mask: Tensor): Tensor {
    const [B, T] = mask.shape as number[];
    if (this.config.model_type === 'roberta') {
      return tf.tidy(() => {
        const m = tf.cast(mask, 'int32');
        // an int32 scalar: adding a plain number would promote the ids to float32, which gather rejects
        return tf.add(tf.mul(tf.cumsum(m, 1), m), tf.scalar(this.config.pad_token_id, 'int32'));
      });
    }
    return tf.tidy(() => tf.tile(tf.range(0, T, 1, 'int32').reshape([1, T]), [B, 1]));
  }

  /**
   * Runs the encoder. Each layer runs in its own tf.tidy, so a layer's intermediates that nothing saved are freed
   * as soon as the layer ends (inside or outside the gradient tape).
   */
  forward(input: TextEncoderInput, ctx: ForwardCtx): TextEncoderOutput {
    const [B, T] = input.ids.shape as number[];
    if (T > this.maxLength) {
      throw new Error(`sequence length ${T} exceeds the longest this encoder takes, ${this.maxLength} (max_position_embeddings ${this.config.max_position_embeddings}${this.config.model_type === 'roberta' ? `, RoBERTa positions start at pad_token_id + 1 = ${this.config.pad_token_id + 1}` : ''})`);
    }
    const posIds = this.positionIds(input.mask);
    let x = this.embeddings.forward(input.ids, posIds, input.typeIds ?? null, ctx);
    posIds.dispose();
    let mask = tf.cast(input.mask, 'float32');
    const Tp = (x.shape as number[])[1];
    if (Tp !== T) mask = tf.concat([tf.ones([B, Tp - T]), mask], 1);   // prompt tokens are prepended and always visible
    const maskAdd = tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [B, 1, 1, Tp]));
    const H = this.config.hidden_size;
    let h = tf.reshape(x, [B * Tp, H]);
    const hidden: Tensor[] = [x];
    for (const layer of this.encoder.layer.items) {
      const prev = h;
      h = tf.tidy(() => layer.forward(prev, B, Tp, maskAdd, ctx));
      hidden.push(tf.reshape(h, [B, Tp, H]));
    }
    maskAdd.dispose();
    x = hidden[hidden.length - 1];
    return { hiddenStates: hidden, last: x, mask };
  }
}
