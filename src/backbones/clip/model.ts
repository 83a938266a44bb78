// CLIP (both towers, the two projections and logit_scale) under Hugging Face's CLIPModel names:
// `vision_model.*`, `text_model.*`, `visual_projection.weight`, `text_projection.weight` (no biases), `logit_scale`.
// Each tower returns its hidden states (transformer input + each block) and the projected embedding, and the text
// tower its token mask and end-of-text positions: what CLIP4Clip's UniPT adapters read (reference §2.2 C).
import type { Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import { ClipVisionTransformer } from './vision.js';
import { ClipTextTransformer, type ClipTextInput } from './text.js';
import { visionGrid, type ClipConfig } from './config.js';

export interface ClipImageOutput {
  /** L + 1 tensors [B, T, Dv]: the transformer input (after pre_layrnorm) and each block's output. */
  hiddenStates: Tensor[];
  /** visual_projection(post_layernorm(cls)) [B, E]: the raw (unnormalised) CLIP image embedding. */
  embedding: Tensor;
}

export interface ClipTextOutputs {
  /** L + 1 tensors [B, T', Dt]: the transformer input (token + position embeddings) and each block's output. */
  hiddenStates: Tensor[];
  /** text_projection(final_layer_norm(x[eot])) [B, E]: the raw CLIP text embedding. */
  embedding: Tensor;
  /** Float [B, T'] token mask (1 = token). */
  mask: Tensor;
  /** End-of-text index per row. */
  eot: number[];
}

export class ClipModel extends Module {
  readonly vision_model: ClipVisionTransformer;
  readonly text_model: ClipTextTransformer;
  readonly visual_projection: Linear;
  readonly text_projection: Linear;
  readonly logit_scale: Param;

  constructor(readonly config: ClipConfig, seed: number) {
    super();
    const rng = new Rng(seed).fork('clip-init');
    const f = config.initializer_factor;
    const V = config.vision_config, Tc = config.text_config, E = config.projection_dim;
    this.text_model = this.addChild('text_model', new ClipTextTransformer(Tc, rng.fork('text')));
    this.vision_model = this.addChild('vision_model', new ClipVisionTransformer(V, rng.fork('vision')));
    this.visual_projection = this.addChild('visual_projection', new Linear(V.hidden_size, E, rng.fork('vproj'), { bias: false, init: { std: V.hidden_size ** -0.5 * f } }));
    this.text_projection = this.addChild('text_projection', new Linear(Tc.hidden_size, E, rng.fork('tproj'), { bias: false, init: { std: Tc.hidden_size ** -0.5 * f } }));
    this.logit_scale = this.addParam('logit_scale', init.constant([], config.logit_scale_init_value), 'weight');
  }

  get embedDim(): number { return this.config.projection_dim; }
  get imageSize(): number { return this.config.vision_config.image_size; }
  get visionTokens(): number { return visionGrid(this.config.vision_config).tokens; }
  get maxTextLength(): number { return this.config.text_config.max_position_embeddings; }

  /** pixels [B, S, S, C] normalised with CLIP's mean/std. */
  encodeImage(pixels: Tensor, ctx: ForwardCtx): ClipImageOutput {
    const out = this.vision_model.forward(pixels, ctx);
    const embedding = this.visual_projection.forward(out.pooled, ctx);
    out.pooled.dispose();
    return { hiddenStates: out.hiddenStates, embedding };
  }

  encodeText(input: ClipTextInput, ctx: ForwardCtx): ClipTextOutputs {
    const out = this.text_model.forward(input, ctx);
    const embedding = this.text_projection.forward(out.pooled, ctx);
    out.pooled.dispose();
    return { hiddenStates: out.hiddenStates, embedding, mask: out.mask, eot: out.eot };
  }

  /** exp(logit_scale) as a number (the frozen temperature of CLIP4Clip's similarity). */
  logitScale(): number { return Math.exp(this.logit_scale.value.dataSync()[0]); }
}
