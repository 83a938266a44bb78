// T5 (Raffel et al. 2020) as Hugging Face's T5ForConditionalGeneration: shared token embeddings, a bidirectional
// encoder stack and a causal decoder stack (pre-norm RMS blocks, relative position bias owned by block 0 and shared
// by the stack, no attention scaling), final RMS norms, and an LM head tied to the embeddings with the d_model^-0.5
// rescale (v1) or untied (v1.1). Parameter names match the HF checkpoint (`shared.weight`,
// `encoder.block.0.layer.0.SelfAttention.q.weight`, ...). Each stack returns every hidden state (the dropped-out
// embeddings, then each block's output) for side methods. Sites: `encoder:embeddings` (prompt tokens, before the
// embedding dropout, as LST's prompt tuning) and the per-block adapter sites of T5Block. One tf.tidy per block.
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { Module, ModuleList, type ForwardCtx } from '../../nn/module.js';
import { Linear, Embedding, dropout } from '../../nn/layers.js';
import { ops } from '../../engine/ops/index.js';
import { crossEntropy } from '../../train/losses.js';
import { decoderLayers, type T5Config } from './config.js';
import { T5Block, T5LayerNorm, type CrossInput, type T5BuildOptions } from './layers.js';
import { LmHeadBias, tiedLogits } from './lm-head.js';

export const IGNORE_INDEX = -100;

export interface T5StackOutput {
  /** The dropped-out input embeddings, then each block's output: numLayers + 1 tensors [B, T, D]. */
  hiddenStates: Tensor[];
  /** dropout(final_layer_norm(last block output)) [B, T, D]: what the decoder / LM head reads. */
  last: Tensor;
  /** Float mask [B, T] (1 = token); T includes prompt tokens a method prepended. */
  mask: Tensor;
}

/** The encoder output a decoder pass needs. */
export interface EncoderMemory { last: Tensor; mask: Tensor }

const NEG = -1e9;
/** The untied head's Linear takes a context only for deltas (LoRA), which never target lm_head. */
const HEAD_CTX: ForwardCtx = { training: false, rng: new Rng(0) };

/** Additive key mask [B, 1, 1, T] from a float mask [B, T]. */
export function keyMask(mask: Tensor): Tensor {
  const [B, T] = mask.shape as number[];
  return tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, 'float32')), NEG), [B, 1, 1, T]));
}

/** Additive causal mask [1, 1, T, T]: key j is hidden from query i when j > i. */
export function causalMask(T: number): Tensor {
  const v = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) v[i * T + j] = NEG;
  return tf.tensor4d(v, [1, 1, T, T]);
}

/** Draws 0 from every normal and the midpoint of every uniform range: a fast, value-free initialisation. */
class ConstantRng extends Rng {
  constructor() { super(0); }
  override next(): number { return 0.5; }
  override normal(): number { return 0; }
}

export class T5Stack extends Module {
  readonly block: ModuleList<T5Block>;
  readonly final_layer_norm: T5LayerNorm;
  constructor(readonly cfg: T5Config, readonly isDecoder: boolean, numLayers: number, private readonly embed: Embedding, rng: Rng, opts: T5BuildOptions) {
    super();
    this.block = this.addChild('block', new ModuleList(Array.from({ length: numLayers }, (_, i) => new T5Block(cfg, isDecoder, i === 0, rng, opts))));
    this.final_layer_norm = this.addChild('final_layer_norm', new T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon, !!opts.biases));
  }
  override declaredSites(): readonly string[] { return this.isDecoder ? [] : ['embeddings']; }

  get numLayers(): number { return this.block.length; }

  /**
   * ids int32 [B, T]; `mask` [B, T] (encoder; 1 = token), ignored by the decoder, which is causal (padding after the
   * targets is only ever attended by padding, whose loss is ignored); `cross` the encoder memory (decoder).
   */
  forward(ids: Tensor, mask: Tensor | null, ctx: ForwardCtx, cross: EncoderMemory | null = null): T5StackOutput {
    const { cfg } = this;
    const [B, T0] = ids.shape as number[];
    const D = cfg.d_model;
    let x = this.embed.forward(ids);
    x = this.site('embeddings', x, ctx);
    const T = (x.shape as number[])[1];
    let m = mask ? tf.cast(mask, 'float32') : tf.ones([B, T0]);
    if (T !== T0) {
      const old = m;
      m = tf.concat([tf.ones([B, T - T0]), old], 1);   // prompt tokens are prepended and always visible
      old.dispose();
    }
    x = dropout(x, cfg.dropout_rate, ctx);
    const hidden: Tensor[] = [x];
    const bias = this.block.at(0).selfAttention.SelfAttention.positionBias(T, T, !this.isDecoder);
    const selfMask = this.isDecoder ? causalMask(T) : keyMask(m);
    let crossIn: CrossInput | null = null;
    if (this.isDecoder) {
      if (!cross) throw new Error('T5Stack: the decoder needs the encoder memory');
      const [Bc, Te] = cross.last.shape as number[];
      if (Bc !== B) throw new Error(`T5Stack: decoder batch ${B} differs from the encoder batch ${Bc}`);
      crossIn = { states: tf.reshape(cross.last, [B * Te, D]), length: Te, mask: keyMask(cross.mask) };
    }
    let h = tf.reshape(x, [B * T, D]);
    for (const blk of this.block.items) {
      const prev = h;
      h = tf.tidy(() => blk.forward(prev, B, T, selfMask, bias, crossIn, ctx));
      hidden.push(tf.reshape(h, [B, T, D]));
    }
    const last = tf.tidy(() => tf.reshape(dropout(this.final_layer_norm.forward(h), cfg.dropout_rate, ctx), [B, T, D]));
    tf.dispose([bias, selfMask]);
    if (crossIn) crossIn.mask.dispose();
    return { hiddenStates: hidden, last, mask: m };
  }
}

export class T5Model extends Module {
  readonly shared: Embedding;
  readonly encoder: T5Stack;
  readonly decoder: T5Stack;
  /** v1.1: the untied Linear(d_model, vocab); v1 with biases: the bias alone; v1 otherwise: none. */
  readonly lm_head: Linear | LmHeadBias | null;

  constructor(readonly config: T5Config, seed: number, readonly buildOptions: T5BuildOptions = {}) {
    super();
    const rng = buildOptions.init === 'constant' ? new ConstantRng() : new Rng(seed).fork('t5-init');
    const f = config.initializer_factor;
    this.shared = this.addChild('shared', new Embedding(config.vocab_size, config.d_model, rng, f));
    this.encoder = this.addChild('encoder', new T5Stack(config, false, config.num_layers, this.shared, rng, buildOptions));
    this.decoder = this.addChild('decoder', new T5Stack(config, true, decoderLayers(config), this.shared, rng, buildOptions));
    if (!config.tie_word_embeddings) {
      this.lm_head = this.addChild('lm_head', new Linear(config.d_model, config.vocab_size, rng, { bias: !!buildOptions.biases, init: { std: f }, zeroBias: true }));
    } else {
      this.lm_head = buildOptions.biases ? this.addChild('lm_head', new LmHeadBias(config.vocab_size)) : null;
    }
  }

  get dModel(): number { return this.config.d_model; }
  get vocabSize(): number { return this.config.vocab_size; }
  get hasBiases(): boolean { return !!this.buildOptions.biases; }

  encode(ids: Tensor, mask: Tensor, ctx: ForwardCtx): T5StackOutput {
    return this.encoder.forward(ids, mask, ctx);
  }

  decode(decoderIds: Tensor, memory: EncoderMemory, ctx: ForwardCtx): T5StackOutput {
    return this.decoder.forward(decoderIds, null, ctx, memory);
  }

  /**
   * Vocabulary logits for decoder states x [N, d_model] (already through the final norm): rescaled by d_model^-0.5
   * and multiplied by the shared embeddings when tied, else through lm_head; plus LST's BitFit bias when present.
   */
  logits(x: Tensor): Tensor {
    const head = this.lm_head;
    if (head instanceof Linear) return head.forward(x, HEAD_CTX);
    const E = this.shared.weight;
    const y = tiedLogits(tf.mul(x, this.config.d_model ** -0.5), E.value, E.trainable);
    return head ? tf.add(y, head.bias.value) : y;
  }

  /** Teacher-forced cross-entropy (mean over targets != -100) from decoder output states [B, T, D]. */
  lossFromStates(decoderLast: Tensor, labels: Int32Array): Tensor {
    return seq2seqLoss(decoderLast, labels, (x) => this.logits(x));
  }

  /** Teacher-forced loss of the whole model; `labels` row-major [B, Td] with -100 at ignored positions. */
  loss(ids: Tensor, mask: Tensor, labels: Int32Array, ctx: ForwardCtx): Tensor {
    const [B] = ids.shape as number[];
    const Td = labels.length / B;
    const dec = tf.tensor2d(shiftRight(labels, B, Td, this.config.decoder_start_token_id, this.config.pad_token_id), [B, Td], 'int32');
    const enc = this.encode(ids, mask, ctx);
    const out = this.decode(dec, enc, ctx);
    dec.dispose();
    return this.lossFromStates(out.last, labels);
  }
}

/**
 * Decoder inputs for teacher forcing: the labels shifted one step right behind decoder_start_token_id, with -100
 * replaced by the pad id (as HF's `_shift_right`).
 */
export function shiftRight(labels: Int32Array, B: number, T: number, startId: number, padId: number): Int32Array {
  if (labels.length !== B * T) throw new Error(`shiftRight: ${labels.length} labels is not ${B} x ${T}`);
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    out[b * T] = startId;
    for (let t = 1; t < T; t++) {
      const v = labels[b * T + t - 1];
      out[b * T + t] = v === IGNORE_INDEX ? padId : v;
    }
  }
  return out;
}

/**
 * Mean cross-entropy over the target positions (label != -100). Only those rows of the decoder output reach the
 * vocabulary projection, so the [N, vocab] logits exist for real targets alone.
 */
export function seq2seqLoss(decoderLast: Tensor, labels: Int32Array, logitsOf: (x: Tensor) => Tensor): Tensor {
  const [B, T, D] = decoderLast.shape as number[];
  if (labels.length !== B * T) throw new Error(`seq2seqLoss: ${labels.length} labels for a decoder output of ${B} x ${T}`);
  const pos: number[] = [], tgt: number[] = [];
  for (let i = 0; i < labels.length; i++) if (labels[i] !== IGNORE_INDEX) { pos.push(i); tgt.push(labels[i]); }
  if (!pos.length) throw new Error('seq2seqLoss: every label is -100, there is nothing to predict');
  const idx = tf.tensor1d(pos, 'int32');
  const y = tf.tensor1d(tgt, 'int32');
  // a row gather whose backward is a segment sum keeping only the row ids (the lean embedding op)
  const sel = ops().embedding(tf.reshape(decoderLast, [B * T, D]), idx, true);
  const loss = crossEntropy(logitsOf(sel), y);
  tf.dispose([idx, y]);
  return loss;
}
