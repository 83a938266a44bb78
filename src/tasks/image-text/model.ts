// The VSE∞ model as one TrainableModel: two towers, the method's runtime per tower, the heads, two GPOs and the
// hinge triplet loss. Frozen towers run in `prepare` (outside the gradient tape: the CNN for adapter/lora/prompt,
// both towers for UniPT and LST); towers a method trains through run inside `loss`.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import type { Param } from '../../nn/param.js';
import type { ParamGroup } from '../../train/optim.js';
import type { ParamAccounting } from '../../train/spec.js';
import { accountParams } from '../../petl/accounting.js';
import type { Batch, TrainableModel } from '../types.js';
import type { VseTowers } from './backbone.js';
import type { VseMethod } from './methods.js';
import { Gpo } from './gpo.js';
import { ImageAggr, dropGrid, l2norm } from './heads.js';
import { contrastiveLoss } from './loss.js';

export interface ItrBatch extends Batch {
  /** Normalised NHWC images [B, S, S, 3]. */
  images: Tensor;
  /** Caption token ids [B, T] (int32), attention mask [B, T] (float 1/0), segment ids (zeros), real lengths. */
  ids: Tensor;
  mask: Tensor;
  typeIds: Tensor;
  lengths: number[];
  /** VSE++ hardest negatives (true) or the sum over all negatives (VSE0, the first epoch). */
  maxViolation: boolean;
}

/** Heads that train in every method. */
export class VseHeads extends Module {
  readonly img_enc: ImageAggr | null;
  readonly txt_linear: Linear | null;
  readonly img_gpo: Gpo;
  readonly txt_gpo: Gpo;
  constructor(imgDim: number | null, txtDim: number | null, embed: number, rng: Rng) {
    super();
    this.img_enc = imgDim === null ? null : this.addChild('img_enc', new ImageAggr(imgDim, embed, rng.fork('img')));
    this.txt_linear = txtDim === null ? null : this.addChild('txt_linear', new Linear(txtDim, embed, rng.fork('txt')));
    this.img_gpo = this.addChild('img_gpo', new Gpo(32, 32, rng.fork('img_gpo')));
    this.txt_gpo = this.addChild('txt_gpo', new Gpo(32, 32, rng.fork('txt_gpo')));
  }
}

function flatten(map: Tensor): Tensor {
  const [B, h, w, C] = map.shape;
  return tf.reshape(map, [B, h * w, C]);
}

export class VseModel implements TrainableModel<ItrBatch> {
  readonly heads: VseHeads;
  constructor(readonly towers: VseTowers, readonly method: VseMethod, readonly embed: number, rng: Rng) {
    const img = method.image.kind === 'unipt' ? null : towers.image.channels[3];
    const txt = method.text.kind === 'unipt' ? null : towers.text.hiddenSize;
    this.heads = new VseHeads(img, txt, embed, rng);
  }

  paramGroups(): ParamGroup[] { return [{ params: this.allParams().filter((p) => p.trainable) }]; }

  allParams(): Param[] {
    return [this.towers, ...Object.values(this.method.modules), this.heads].flatMap((m) => m.parameters());
  }

  accounting(): ParamAccounting { return accountParams(this.towers, this.method.modules, { heads: this.heads }); }

  // ---- prepare: frozen towers outside the tape ---------------------------------------------------------------

  /** Number of prepared tensors that belong to the image tower (they come first). */
  private imagePrepared(): number {
    switch (this.method.image.kind) { case 'tape': return 0; case 'frozen': return 1; case 'unipt': return 4; case 'lst': return 5; }
  }

  prepareImages(images: Tensor, ctx: ForwardCtx): Tensor[] {
    const kind = this.method.image.kind;
    if (kind === 'tape') return [];
    const out = this.towers.image.forward(images, ctx, { keepStem: kind === 'lst' });
    if (kind === 'frozen') { tf.dispose(out.stages.slice(0, 3)); return [out.stages[3]]; }
    return kind === 'lst' ? [out.stem!, ...out.stages] : out.stages;
  }

  prepareCaptions(b: Pick<ItrBatch, 'ids' | 'mask' | 'typeIds'>, ctx: ForwardCtx): Tensor[] {
    if (this.method.text.kind === 'tape') return [];
    const out = this.towers.text.forward({ ids: b.ids, mask: b.mask, typeIds: b.typeIds }, ctx);
    return [...out.hiddenStates, out.mask];
  }

  prepare(batch: ItrBatch, ctx: ForwardCtx): Tensor[] {
    return [...this.prepareImages(batch.images, ctx), ...this.prepareCaptions(batch, ctx)];
  }

  // ---- embeddings ------------------------------------------------------------------------------------------

  /** l2-normalised image embeddings [B, embed]; `prepared` = this tower's part of prepare(). */
  embedImages(images: Tensor, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    const rt = this.method.image, h = this.heads;
    let feats: Tensor;
    if (rt.kind === 'unipt') feats = rt.side.forward(prepared, ctx);
    else {
      let map: Tensor;
      if (rt.kind === 'tape') {
        const { stages } = this.towers.image.forward(images, ctx);
        tf.dispose(stages.slice(0, 3));
        map = stages[3];
      } else if (rt.kind === 'frozen') map = prepared[0];
      else map = rt.side.forward(prepared[0], prepared.slice(1), ctx);
      feats = h.img_enc!.forward(flatten(map), ctx);
    }
    let lengths = new Array<number>(feats.shape[0] as number).fill(feats.shape[1] as number);
    if (ctx.training) ({ features: feats, lengths } = dropGrid(feats, ctx.rng));
    return l2norm(h.img_gpo.forward(feats, lengths, ctx));
  }

  /** l2-normalised caption embeddings [B, embed]. */
  embedCaptions(b: Pick<ItrBatch, 'ids' | 'mask' | 'typeIds' | 'lengths'>, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    const rt = this.method.text, h = this.heads;
    let feats: Tensor;
    if (rt.kind === 'tape') {
      let last = this.towers.text.forward({ ids: b.ids, mask: b.mask, typeIds: b.typeIds }, ctx).last;
      if (rt.promptTokens) last = tf.slice(last, [0, rt.promptTokens, 0], [-1, -1, -1]);
      feats = h.txt_linear!.forward(last, ctx);
    } else {
      const hs = prepared.slice(0, -1), mask = prepared[prepared.length - 1];
      feats = rt.kind === 'unipt' ? rt.side.forward(hs, mask, ctx) : h.txt_linear!.forward(rt.side.forward(hs, mask, ctx), ctx);
    }
    return l2norm(h.txt_gpo.forward(feats, b.lengths, ctx));
  }

  loss(batch: ItrBatch, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    const k = this.imagePrepared();
    const im = this.embedImages(batch.images, prepared.slice(0, k), ctx);
    const cap = this.embedCaptions(batch, prepared.slice(k), ctx);
    return contrastiveLoss(im, cap, { maxViolation: batch.maxViolation });
  }

  /** Evaluation embeddings (no dropout, no grid dropping, outside the tape). */
  imageEmbeddings(images: Tensor, ctx: ForwardCtx): Tensor {
    const c = { ...ctx, training: false };
    return tf.tidy(() => this.embedImages(images, this.prepareImages(images, c), c));
  }

  captionEmbeddings(b: Pick<ItrBatch, 'ids' | 'mask' | 'typeIds' | 'lengths'>, ctx: ForwardCtx): Tensor {
    const c = { ...ctx, training: false };
    return tf.tidy(() => this.embedCaptions(b, this.prepareCaptions(b, c), c));
  }

  dispose(): void {
    for (const m of [this.towers, ...Object.values(this.method.modules), this.heads]) m.dispose();
  }
}
