// CLIP's vision transformer under Hugging Face's CLIPVisionTransformer names (`vision_model.*`):
//   embeddings: patch_embedding (conv, kernel = stride = patch, NO bias), class_embedding, position_embedding
//   pre_layrnorm (sic, HF's spelling) -> encoder (pre-LN blocks) -> post_layernorm on the class token
// The patch convolution is computed as a matmul over non-overlapping patches (identical for stride = kernel and no
// padding), with rank-4 reshapes/transposes only; its filter is stored as a conv filter [p, p, 3, width] so the
// checkpoint's [width, 3, p, p] maps to it as every other conv does.
// Prompt site `embeddings:prompt`: the tokens after the class token, after pre_layrnorm (the transformer input), so
// prompt tokens inserted there sit right after the class token (VPT-shallow style) and the class token stays at 0.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import { Module, type ForwardCtx, type SiteFn } from '../../nn/module.js';
import { Embedding, LayerNorm } from '../../nn/layers.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import { ClipEncoder } from './layers.js';
import { visionGrid, type ClipVisionConfig } from './config.js';

/** [B, H, W, C] -> [B * (H/p) * (W/p), p * p * C], rows in (ky, kx, c) order (the conv filter's [kh, kw, in] order). */
export function patchify(images: Tensor, p: number): Tensor {
  const [B, H, W, C] = images.shape as number[];
  if (H % p !== 0 || W % p !== 0) throw new Error(`patchify: image ${H}x${W} is not a multiple of the patch size ${p}`);
  const gh = H / p, gw = W / p;
  return tf.tidy(() => {
    const a = tf.reshape(images, [B * gh, p, gw, p * C]);
    return tf.reshape(tf.transpose(a, [0, 2, 1, 3]), [B * gh * gw, p * p * C]);
  });
}

export class ClipVisionEmbeddings extends Module {
  readonly class_embedding: Param;
  readonly patch_embedding: PatchConv;
  readonly position_embedding: Embedding;
  private promptHooks = 0;
  constructor(readonly cfg: ClipVisionConfig, rng: Rng) {
    super();
    const D = cfg.hidden_size, f = cfg.initializer_factor;
    this.class_embedding = this.addParam('class_embedding', init.normal([D], D ** -0.5 * f, rng), 'embedding');
    this.patch_embedding = this.addChild('patch_embedding', new PatchConv(cfg.patch_size, cfg.num_channels, D, cfg.initializer_range * f, rng));
    this.position_embedding = this.addChild('position_embedding', new Embedding(visionGrid(cfg).tokens, D, rng, cfg.initializer_range * f));
  }
  override declaredSites(): readonly string[] { return ['prompt']; }
  override onSite(site: string, fn: SiteFn): () => void {
    const remove = super.onSite(site, fn);
    this.promptHooks++;
    return () => { remove(); this.promptHooks--; };
  }

  /** pixels [B, H, W, C] (normalised) -> tokens [B, 1 + patches, D] (before pre_layrnorm). */
  forward(pixels: Tensor): Tensor {
    const [B, H, W] = pixels.shape as number[];
    const { image_size: S, hidden_size: D } = this.cfg;
    if (H !== S || W !== S) throw new Error(`CLIP vision: images are ${H}x${W} but the model takes ${S}x${S} (vision_config.image_size); resize them first`);
    const n = visionGrid(this.cfg).patches;
    const tokens = tf.reshape(this.patch_embedding.forward(pixels), [B, n, D]);
    const cls = tf.broadcastTo(tf.reshape(this.class_embedding.value, [1, 1, D]), [B, 1, D]);
    return tf.add(tf.concat([cls, tokens], 1), tf.expandDims(this.position_embedding.weight.value, 0));
  }

  /** x [B, T, D] after pre_layrnorm: runs the prompt site on x[:, 1:] (identity, and no slicing, when unused). */
  insertPrompts(x: Tensor, ctx: ForwardCtx): Tensor {
    if (this.promptHooks === 0) return x;
    const [B, T, D] = x.shape as number[];
    const rest = this.site('prompt', tf.slice(x, [0, 1, 0], [B, T - 1, D]), ctx);
    return tf.concat([tf.slice(x, [0, 0, 0], [B, 1, D]), rest], 1);
  }
}

/** The patch convolution without bias; `weight` is a conv filter [p, p, C, D]. */
export class PatchConv extends Module {
  readonly weight: Param;
  constructor(readonly patch: number, readonly channels: number, readonly width: number, std: number, rng: Rng) {
    super();
    this.weight = this.addParam('weight', init.normal([patch, patch, channels, width], std, rng), 'weight', 'conv');
  }
  /** pixels [B, H, W, C] -> [B * patches, D]. */
  forward(pixels: Tensor): Tensor {
    const W = tf.reshape(this.weight.value, [this.patch * this.patch * this.channels, this.width]);
    return ops().linear(patchify(pixels, this.patch), W, null, this.weight.trainable);
  }
}

export interface ClipVisionOutput {
  /** The transformer input (after pre_layrnorm and prompt insertion) and each block's output: L + 1 of [B, T', D]. */
  hiddenStates: Tensor[];
  /** post_layernorm(last[:, 0]) [B, D] (before visual_projection). */
  pooled: Tensor;
}

export class ClipVisionTransformer extends Module {
  readonly embeddings: ClipVisionEmbeddings;
  readonly pre_layrnorm: LayerNorm;
  readonly encoder: ClipEncoder;
  readonly post_layernorm: LayerNorm;
  constructor(readonly config: ClipVisionConfig, rng: Rng) {
    super();
    this.embeddings = this.addChild('embeddings', new ClipVisionEmbeddings(config, rng));
    this.pre_layrnorm = this.addChild('pre_layrnorm', new LayerNorm(config.hidden_size, config.layer_norm_eps));
    this.encoder = this.addChild('encoder', new ClipEncoder(config, rng));
    this.post_layernorm = this.addChild('post_layernorm', new LayerNorm(config.hidden_size, config.layer_norm_eps));
  }

  forward(pixels: Tensor, ctx: ForwardCtx): ClipVisionOutput {
    const x = tf.tidy(() => this.embeddings.insertPrompts(this.pre_layrnorm.forward(this.embeddings.forward(pixels)), ctx));
    const hiddenStates = this.encoder.forward(x, null, ctx);
    const last = hiddenStates[hiddenStates.length - 1];
    const [B, , D] = last.shape as number[];
    const pooled = tf.tidy(() => this.post_layernorm.forward(tf.reshape(tf.slice(last, [0, 0, 0], [B, 1, D]), [B, D])));
    return { hiddenStates, pooled };
  }
}
