// CLIP's text transformer under Hugging Face's CLIPTextTransformer names (`text_model.*`): token + learned position
// embeddings, pre-LN blocks under a causal mask (as OpenAI's CLIP and CLIP4Clip: no padding mask, padding follows the
// end token so no earlier position ever sees it), final_layer_norm, and pooling at the end-of-text token, which
// CLIP finds as the argmax of the token ids (<|endoftext|> has the largest id; the first one when padding repeats it).
// Prompt site `embeddings:prompt`: the tokens after the start token, after the position embeddings are added, so
// prompt tokens sit right after <|startoftext|> (CoOp-style context tokens, without positions of their own) and every
// later token, the end token included, shifts right by their number.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx, type SiteFn } from '../../nn/module.js';
import { Embedding, LayerNorm } from '../../nn/layers.js';
import { ClipEncoder } from './layers.js';
import type { ClipTextConfig } from './config.js';

/** Index of the first largest id in each row of row-major [B, T] ids (CLIP's `input_ids.argmax(-1)`). */
export function eotPositions(ids: ArrayLike<number>, B: number, T: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < B; b++) {
    let best = 0;
    for (let t = 1; t < T; t++) if (ids[b * T + t] > ids[b * T + best]) best = t;
    out.push(best);
  }
  return out;
}

const causalCache = new Map<number, Tensor>();
/** Additive causal mask [1, 1, T, T]: -1e9 above the diagonal (kept per length for the process). */
export function causalMask(T: number): Tensor {
  let m = causalCache.get(T);
  if (!m || m.isDisposed) {
    const v = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) v[i * T + j] = -1e9;
    m = tf.keep(tf.tensor(v, [1, 1, T, T]));
    causalCache.set(T, m);
  }
  return m;
}

export class ClipTextEmbeddings extends Module {
  readonly token_embedding: Embedding;
  readonly position_embedding: Embedding;
  private promptHooks = 0;
  constructor(readonly cfg: ClipTextConfig, rng: Rng) {
    super();
    const f = cfg.initializer_factor;
    this.token_embedding = this.addChild('token_embedding', new Embedding(cfg.vocab_size, cfg.hidden_size, rng, 0.02 * f));
    this.position_embedding = this.addChild('position_embedding', new Embedding(cfg.max_position_embeddings, cfg.hidden_size, rng, 0.02 * f));
  }
  override declaredSites(): readonly string[] { return ['prompt']; }
  override onSite(site: string, fn: SiteFn): () => void {
    const remove = super.onSite(site, fn);
    this.promptHooks++;
    return () => { remove(); this.promptHooks--; };
  }
  get hasPrompts(): boolean { return this.promptHooks > 0; }

  forward(ids: Tensor): Tensor {
    const [, T] = ids.shape as number[];
    const D = this.cfg.hidden_size;
    const pos = tf.slice(this.position_embedding.weight.value, [0, 0], [T, D]);
    return tf.add(this.token_embedding.forward(ids), tf.expandDims(pos, 0));
  }

  insertPrompts(x: Tensor, ctx: ForwardCtx): Tensor {
    if (this.promptHooks === 0) return x;
    const [B, T, D] = x.shape as number[];
    const rest = this.site('prompt', tf.slice(x, [0, 1, 0], [B, T - 1, D]), ctx);
    return tf.concat([tf.slice(x, [0, 0, 0], [B, 1, D]), rest], 1);
  }
}

export interface ClipTextInput {
  ids: Tensor;        // int32 [B, T]
  mask: Tensor;       // [B, T] 1 = token (CLIP4Clip: input_ids != 0)
  /** End-of-text index per row (eotPositions of the ids). */
  eot: readonly number[];
}

export interface ClipTextOutput {
  /** The transformer input (embeddings, prompts inserted) and each block's output: L + 1 of [B, T', D]. */
  hiddenStates: Tensor[];
  /** final_layer_norm(last)[eot'] [B, D] (before text_projection). */
  pooled: Tensor;
  /** Float [B, T'] token mask; prompt tokens count as tokens. */
  mask: Tensor;
  /** End-of-text index per row in the output sequence (shifted by inserted prompt tokens). */
  eot: number[];
}

export class ClipTextTransformer extends Module {
  readonly embeddings: ClipTextEmbeddings;
  readonly encoder: ClipEncoder;
  readonly final_layer_norm: LayerNorm;
  constructor(readonly config: ClipTextConfig, rng: Rng) {
    super();
    this.embeddings = this.addChild('embeddings', new ClipTextEmbeddings(config, rng));
    this.encoder = this.addChild('encoder', new ClipEncoder(config, rng));
    this.final_layer_norm = this.addChild('final_layer_norm', new LayerNorm(config.hidden_size, config.layer_norm_eps));
  }

  forward(input: ClipTextInput, ctx: ForwardCtx): ClipTextOutput {
    const [B, T] = input.ids.shape as number[];
    if (T > this.config.max_position_embeddings) {
      throw new Error(`CLIP text: sequence length ${T} exceeds max_position_embeddings ${this.config.max_position_embeddings}; encode with a smaller max length`);
    }
    if (input.eot.length !== B) throw new Error(`CLIP text: ${input.eot.length} end-of-text positions for a batch of ${B}`);
    const x = tf.tidy(() => this.embeddings.insertPrompts(this.embeddings.forward(input.ids), ctx));
    const Tp = (x.shape as number[])[1];
    const added = Tp - T;
    const eot = input.eot.map((e) => (added > 0 && e >= 1 ? e + added : e));
    let mask = tf.cast(input.mask, 'float32');
    if (added > 0) {
      const m0 = mask;
      mask = tf.concat([tf.slice(m0, [0, 0], [B, 1]), tf.ones([B, added]), tf.slice(m0, [0, 1], [B, T - 1])], 1);
      m0.dispose();
    }
    const hiddenStates = this.encoder.forward(x, causalMask(Tp), ctx);
    const last = hiddenStates[hiddenStates.length - 1];
    const D = this.config.hidden_size;
    const pooled = tf.tidy(() => {
      const flatIdx = tf.tensor1d(eot.map((e, b) => b * Tp + e), 'int32');
      return this.final_layer_norm.forward(tf.gather(tf.reshape(last, [B * Tp, D]), flatIdx));
    });
    return { hiddenStates, pooled, mask, eot };
  }
}
