// The CLIP-ViL cross-modal model (CLIP-ViL `src/lxrt/modeling.py`, LXRTModel with `visualbert_style`): BERT word
// embeddings for the question, the grid features of a frozen CLIP image encoder (+ learned x/y position tables on
// the RN path) through `visn_fc` (Linear -> LayerNorm -> dropout), and ONE stack of BertLayers over the joint
// sequence [text tokens; visual tokens] with a joint attention mask (visual tokens always valid). The pooler reads
// the first text token: Linear only, as CLIP-ViL's BertPooler (its tanh is commented out; `pooler_activation`).
// This module is what methods adapt (the PetlHost module): the frozen vision tower lives outside it (visual.ts) and
// always runs outside the gradient tape.
// Parameter names: `bert.embeddings.*`, `bert.encoder.layer.<i>.*`, `bert.pooler.dense.*` (Hugging Face BertModel
// names under CLIP-ViL's `bert.` prefix; the text encoder is the project's TextEncoder), `visn_fc.visn_fc.*`,
// `visn_fc.visn_layer_norm.*` and `visual_pos.{x,y}_position_embedding.weight` (CLIP-ViL has these two under
// `bert.encoder.`; checkpoint.ts maps both spellings).
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm, Embedding, dropout } from '../../nn/layers.js';
import { TextEncoder } from '../text/bert.js';
import type { ClipVilConfig } from './config.js';

/** CLIP-ViL's LinearPositionEmbedding: grid cell (i, j) gets x_table[i] + y_table[j] (width visual_feat_dim). */
export class LinearPositionEmbedding extends Module {
  readonly x_position_embedding: Embedding;
  readonly y_position_embedding: Embedding;
  constructor(readonly posNum: number, readonly dim: number, rng: Rng, std: number) {
    super();
    this.x_position_embedding = this.addChild('x_position_embedding', new Embedding(posNum, dim, rng, std));
    this.y_position_embedding = this.addChild('y_position_embedding', new Embedding(posNum, dim, rng, std));
  }
  /** grid [B, h, w, C] -> [B, h*w, C] with the position of each cell added (row-major cells, as the reference). */
  forward(grid: Tensor): Tensor {
    const [B, h, w, C] = grid.shape as number[];
    if (h > this.posNum || w > this.posNum) throw new Error(`clip-vil: a ${h}x${w} grid needs pos_num >= ${Math.max(h, w)} (config has ${this.posNum})`);
    const xs = this.x_position_embedding.forward(tf.range(0, h, 1, 'int32'));   // [h, C]
    const ys = this.y_position_embedding.forward(tf.range(0, w, 1, 'int32'));   // [w, C]
    const pos = tf.reshape(tf.add(tf.reshape(xs, [h, 1, C]), tf.reshape(ys, [1, w, C])), [1, h * w, C]);
    return tf.add(tf.reshape(grid, [B, h * w, C]), pos);
  }
}

/** CLIP-ViL's VisualFeatEncoder for grid features (no boxes): visn_fc -> visn_layer_norm -> dropout. */
export class VisualFeatEncoder extends Module {
  readonly visn_fc: Linear;
  readonly visn_layer_norm: LayerNorm;
  constructor(feat: number, hidden: number, rng: Rng, std: number, readonly dropoutRate: number) {
    super();
    this.visn_fc = this.addChild('visn_fc', new Linear(feat, hidden, rng, { init: { std }, zeroBias: true }));
    this.visn_layer_norm = this.addChild('visn_layer_norm', new LayerNorm(hidden, 1e-12));
  }
  forward(feats: Tensor, ctx: ForwardCtx): Tensor {
    return dropout(this.visn_layer_norm.forward(this.visn_fc.forward(feats, ctx)), this.dropoutRate, ctx);
  }
}

export interface ClipVilInput {
  ids: Tensor;          // int32 [B, Tt]
  mask: Tensor;         // float32 [B, Tt], 1 = token
  typeIds?: Tensor | null;
  /** Grid features from the frozen tower: [B, h, w, C] (RN path, position tables apply) or [B, N, C] (ViT path). */
  grid: Tensor;
}

export interface ClipVilOutput {
  /** X_0 (the joint input embeddings) .. X_L (each layer's output): L + 1 tensors of [B, T, H]. */
  hiddenStates: Tensor[];
  /** Joint mask [B, T] (1 = valid): the text mask (with any prompt tokens) then ones for the visual tokens. */
  mask: Tensor;
  /** Text positions in the joint sequence (prompt tokens included); visual tokens follow them. */
  textLength: number;
}

export class ClipVilModel extends Module {
  readonly bert: TextEncoder;
  readonly visn_fc: VisualFeatEncoder;
  readonly visual_pos: LinearPositionEmbedding | null;

  constructor(readonly config: ClipVilConfig, seed: number) {
    super();
    const t = config.text_config;
    this.bert = this.addChild('bert', new TextEncoder(t, seed));
    const rng = new Rng(seed).fork('clip-vil-visual-init');
    this.visn_fc = this.addChild('visn_fc', new VisualFeatEncoder(config.visual_feat_dim, t.hidden_size, rng, t.initializer_range, t.hidden_dropout_prob));
    this.visual_pos = config.use_positional_embedding
      ? this.addChild('visual_pos', new LinearPositionEmbedding(config.pos_num, config.visual_feat_dim, rng, t.initializer_range))
      : null;
  }

  get hiddenSize(): number { return this.config.text_config.hidden_size; }
  get numLayers(): number { return this.config.text_config.num_hidden_layers; }

  /** Grid [B, h, w, C] or tokens [B, N, C] -> visual tokens [B, N, H]. */
  embedVisual(grid: Tensor, ctx: ForwardCtx): Tensor {
    let feats: Tensor;
    if (grid.rank === 4) {
      const [B, h, w, C] = grid.shape as number[];
      feats = this.visual_pos ? this.visual_pos.forward(grid) : tf.reshape(grid, [B, h * w, C]);
    } else {
      if (this.visual_pos) throw new Error('clip-vil: position tables are configured (use_positional_embedding) but the tower gave a token sequence [B, N, C], not a grid [B, h, w, C]');
      feats = grid;
    }
    const C = feats.shape[2];
    if (C !== this.config.visual_feat_dim) throw new Error(`clip-vil: grid features have ${C} channels, config.visual_feat_dim is ${this.config.visual_feat_dim}`);
    return this.visn_fc.forward(feats, ctx);
  }

  /** Runs embeddings and every layer (one tf.tidy per layer). */
  forward(input: ClipVilInput, ctx: ForwardCtx): ClipVilOutput {
    const [B, Tt] = input.ids.shape as number[];
    if (Tt > this.config.max_text_length) {
      throw new Error(`clip-vil: ${Tt} text tokens exceed max_text_length ${this.config.max_text_length}; truncate the questions`);
    }
    const H = this.hiddenSize;
    const posIds = this.bert.positionIds(input.mask);
    const text = this.bert.embeddings.forward(input.ids, posIds, input.typeIds ?? null, ctx);
    posIds.dispose();
    const Tp = (text.shape as number[])[1];
    const vis = this.embedVisual(input.grid, ctx);
    const N = (vis.shape as number[])[1];
    const joint = tf.concat([text, vis], 1);
    const textMask = tf.cast(input.mask, 'float32');
    // prompt tokens are prepended to the text and always visible; visual tokens are always valid (CLIP-ViL: zeros
    // additive mask for the grid)
    const mask = tf.tidy(() => tf.concat([...(Tp !== Tt ? [tf.ones([B, Tp - Tt])] : []), textMask, tf.ones([B, N])], 1));
    const T = Tp + N;
    const maskAdd = tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, mask), -1e9), [B, 1, 1, T]));
    const hidden: Tensor[] = [joint];
    let h = tf.reshape(joint, [B * T, H]);
    for (const layer of this.bert.encoder.layer.items) {
      const prev = h;
      h = tf.tidy(() => layer.forward(prev, B, T, maskAdd, ctx));
      hidden.push(tf.reshape(h, [B, T, H]));
    }
    maskAdd.dispose();
    return { hiddenStates: hidden, mask, textLength: Tp };
  }

  /** BertPooler on the token at `position` (the question's [CLS]): [B, T, H] -> [B, H]. */
  pool(sequence: Tensor, ctx: ForwardCtx, position = 0): Tensor {
    const [B, , H] = sequence.shape as number[];
    const first = tf.reshape(tf.slice(sequence, [0, position, 0], [B, 1, H]), [B, H]);
    const y = this.bert.pooler.dense.forward(first, ctx);
    return this.config.pooler_activation === 'tanh' ? tf.tanh(y) : y;
  }
}
