// MDETR's prediction heads (models/mdetr.py) and its FeatureResizer (models/transformer.py):
//   class_embed   Linear(d, num_classes + 1): soft token prediction, one logit per text position (token index in
//                 the tokenized expression, < num_classes) plus "no object" (the last one);
//   bbox_embed    MLP(d, d, 4, 3 layers, ReLU) -> sigmoid (cx, cy, w, h) normalised to the unpadded image;
//   contrastive_align_projection_image / _text   Linear(d, 64), outputs L2-normalised (the contrastive-align loss);
//   resizer       FeatureResizer: Linear(text width, d) -> LayerNorm(eps 1e-12) -> dropout 0.1 (text tokens to d).
// Init: PyTorch defaults (MDETR does not re-initialise them).
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import { Module, ModuleList, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm, dropout } from '../../nn/layers.js';

export class MLP extends Module {
  readonly layers: ModuleList<Linear>;
  constructor(inDim: number, hidden: number, out: number, n: number, rng: Rng) {
    super();
    const dims = [inDim, ...new Array<number>(n - 1).fill(hidden), out];
    this.layers = this.addChild('layers', new ModuleList(Array.from({ length: n }, (_, i) => new Linear(dims[i], dims[i + 1], rng))));
  }
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    let h = x;
    this.layers.items.forEach((l, i) => { h = l.forward(h, ctx); if (i < this.layers.length - 1) h = ops().relu(h); });
    return h;
  }
}

export class FeatureResizer extends Module {
  readonly fc: Linear;
  readonly layer_norm: LayerNorm;
  constructor(inDim: number, outDim: number, readonly dropoutRate: number, rng: Rng) {
    super();
    this.fc = this.addChild('fc', new Linear(inDim, outDim, rng));
    this.layer_norm = this.addChild('layer_norm', new LayerNorm(outDim, 1e-12));
  }
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    return dropout(this.layer_norm.forward(this.fc.forward(x, ctx)), this.dropoutRate, ctx);
  }
}

/** x / max(‖x‖₂, 1e-12) over the last axis (F.normalize). */
export function l2Normalize(x: Tensor): Tensor {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.sqrt(tf.sum(tf.square(x), -1, true)), 1e-12)));
}

export interface HeadOutput {
  /** [B, Q, num_classes + 1] */
  logits: Tensor;
  /** [B, Q, 4] sigmoid (cx, cy, w, h) */
  boxes: Tensor;
  /** [B, Q, hdim] normalised, or null without contrastive align */
  projQueries: Tensor | null;
}

export class MdetrHeads extends Module {
  readonly class_embed: Linear;
  readonly bbox_embed: MLP;
  readonly contrastive_align_projection_image: Linear | null;
  readonly contrastive_align_projection_text: Linear | null;
  constructor(readonly dModel: number, readonly numClasses: number, contrastiveHdim: number | null, rng: Rng) {
    super();
    this.class_embed = this.addChild('class_embed', new Linear(dModel, numClasses + 1, rng));
    this.bbox_embed = this.addChild('bbox_embed', new MLP(dModel, dModel, 4, 3, rng));
    this.contrastive_align_projection_image = contrastiveHdim ? this.addChild('contrastive_align_projection_image', new Linear(dModel, contrastiveHdim, rng)) : null;
    this.contrastive_align_projection_text = contrastiveHdim ? this.addChild('contrastive_align_projection_text', new Linear(dModel, contrastiveHdim, rng)) : null;
  }

  /** hs [B, Q, d] (one decoder output, already normed). */
  forward(hs: Tensor, ctx: ForwardCtx): HeadOutput {
    return {
      logits: this.class_embed.forward(hs, ctx),
      boxes: tf.sigmoid(this.bbox_embed.forward(hs, ctx)),
      projQueries: this.contrastive_align_projection_image ? l2Normalize(this.contrastive_align_projection_image.forward(hs, ctx)) : null,
    };
  }

  /** textMemory [B, Tt, d] (the encoder output's text positions) -> [B, Tt, hdim] normalised, or null. */
  projectTokens(textMemory: Tensor, ctx: ForwardCtx): Tensor | null {
    return this.contrastive_align_projection_text ? l2Normalize(this.contrastive_align_projection_text.forward(textMemory, ctx)) : null;
  }
}
