// CLIP's residual attention block (both towers), pre-LN with QuickGELU, under Hugging Face's CLIPEncoderLayer names:
//   x <- x + out_proj(attn(layer_norm1(x)))      site `attention_output` before this residual add
//   x <- x + fc2(act(fc1(layer_norm2(x))))       site `mlp_output` before this residual add
// Attention scale is head_dim^-0.5 (CLIP multiplies q by it). Initialisation follows HF's CLIPPreTrainedModel.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops, splitHeads, mergeHeads } from '../../engine/ops/index.js';
import { Module, ModuleList, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm, activate, type Activation } from '../../nn/layers.js';

export interface ClipBlockDims {
  hidden_size: number;
  intermediate_size: number;
  num_attention_heads: number;
  num_hidden_layers: number;
  layer_norm_eps: number;
  hidden_act: 'quick_gelu' | 'gelu';
  attention_dropout: number;
  initializer_factor: number;
}

export class ClipAttention extends Module {
  readonly q_proj: Linear; readonly k_proj: Linear; readonly v_proj: Linear; readonly out_proj: Linear;
  constructor(c: ClipBlockDims, rng: Rng) {
    super();
    const H = c.hidden_size, f = c.initializer_factor;
    const inStd = H ** -0.5 * (2 * c.num_hidden_layers) ** -0.5 * f, outStd = H ** -0.5 * f;
    this.k_proj = this.addChild('k_proj', new Linear(H, H, rng, { init: { std: inStd } }));
    this.v_proj = this.addChild('v_proj', new Linear(H, H, rng, { init: { std: inStd } }));
    this.q_proj = this.addChild('q_proj', new Linear(H, H, rng, { init: { std: inStd } }));
    this.out_proj = this.addChild('out_proj', new Linear(H, H, rng, { init: { std: outStd } }));
  }
}

export class ClipMlp extends Module {
  readonly fc1: Linear; readonly fc2: Linear;
  constructor(c: ClipBlockDims, rng: Rng) {
    super();
    const H = c.hidden_size, f = c.initializer_factor;
    this.fc1 = this.addChild('fc1', new Linear(H, c.intermediate_size, rng, { init: { std: (2 * H) ** -0.5 * f } }));
    this.fc2 = this.addChild('fc2', new Linear(c.intermediate_size, H, rng, { init: { std: H ** -0.5 * (2 * c.num_hidden_layers) ** -0.5 * f } }));
  }
}

export class ClipEncoderLayer extends Module {
  readonly self_attn: ClipAttention;
  readonly layer_norm1: LayerNorm;
  readonly mlp: ClipMlp;
  readonly layer_norm2: LayerNorm;
  constructor(readonly dims: ClipBlockDims, rng: Rng) {
    super();
    this.self_attn = this.addChild('self_attn', new ClipAttention(dims, rng));
    this.layer_norm1 = this.addChild('layer_norm1', new LayerNorm(dims.hidden_size, dims.layer_norm_eps));
    this.mlp = this.addChild('mlp', new ClipMlp(dims, rng));
    this.layer_norm2 = this.addChild('layer_norm2', new LayerNorm(dims.hidden_size, dims.layer_norm_eps));
  }
  override declaredSites(): readonly string[] { return ['attention_output', 'mlp_output']; }

  /** x: [B*T, H]; mask: additive, broadcastable to [B, heads, T, T] (causal for text), or null. */
  forward(x: Tensor, B: number, T: number, mask: Tensor | null, ctx: ForwardCtx): Tensor {
    const d = this.dims, nh = d.num_attention_heads;
    const sa = this.self_attn;
    const h = this.layer_norm1.forward(x);
    const q = splitHeads(sa.q_proj.forward(h, ctx), B, T, nh);
    const k = splitHeads(sa.k_proj.forward(h, ctx), B, T, nh);
    const v = splitHeads(sa.v_proj.forward(h, ctx), B, T, nh);
    const rate = ctx.training ? d.attention_dropout : 0;
    const att = ops().attention(q, k, v, { mask, dropoutRate: rate, rng: ctx.rng });
    let a = sa.out_proj.forward(mergeHeads(att), ctx);
    a = this.site('attention_output', a, ctx);
    const x1 = tf.add(x, a);
    let m = this.mlp.fc2.forward(activate(this.mlp.fc1.forward(this.layer_norm2.forward(x1), ctx), d.hidden_act as Activation), ctx);
    m = this.site('mlp_output', m, ctx);
    return tf.add(x1, m);
  }
}

export class ClipEncoder extends Module {
  readonly layers: ModuleList<ClipEncoderLayer>;
  constructor(dims: ClipBlockDims, rng: Rng) {
    super();
    this.layers = this.addChild('layers', new ModuleList(Array.from({ length: dims.num_hidden_layers }, () => new ClipEncoderLayer(dims, rng))));
  }

  /**
   * Runs every block on x [B, T, H], each in its own tf.tidy (a block's unsaved intermediates are freed when it
   * ends). Returns the transformer input followed by each block's output: num_hidden_layers + 1 tensors [B, T, H].
   */
  forward(x: Tensor, mask: Tensor | null, ctx: ForwardCtx): Tensor[] {
    const [B, T, H] = x.shape as number[];
    const hidden: Tensor[] = [x];
    let h = tf.reshape(x, [B * T, H]);
    for (const layer of this.layers.items) {
      const prev = h;
      h = tf.tidy(() => layer.forward(prev, B, T, mask, ctx));
      hidden.push(tf.reshape(h, [B, T, H]));
    }
    return hidden;
  }
}
