// CLIP4Clip meanP (reference §2.2 C downstream, §5.2) as a TrainableModel:
//   frames   each through the vision tower -> frame embeddings, L2-normalised, masked mean over the video's frames,
//            L2-normalised again (CLIP4Clip's _mean_pooling_for_similarity_visual + _loose_similarity);
//   text     the text tower's embedding at <|endoftext|>, L2-normalised;
//   sim      exp(logit_scale) (frozen) x text · videoᵀ; loss = (CrossEn(sim) + CrossEn(simᵀ)) / 2.
// Through-backbone methods run CLIP inside the gradient tape; side methods (UniPT, LST) get CLIP's outputs from
// `prepare`, outside the tape, and only their network is differentiated.
import { tf, type Tensor } from '../../engine/tf.js';
import type { ForwardCtx, Module } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import type { ClipModel } from '../../backbones/clip/model.js';
import { l2normalize, symmetricInfoNce } from '../../backbones/clip/contrastive.js';
import type { ParamGroup } from '../../train/optim.js';
import type { ParamAccounting } from '../../train/spec.js';
import { accountParams } from '../../petl/accounting.js';
import type { TrainableModel } from '../types.js';
import type { VideoInput, TextInput, VideoTextBatch } from './batches.js';
import type { ClipMethodRuntime } from './methods.js';

/** meanP: frame embeddings [B*F, E] + frame mask [B, F] -> video embeddings [B, E] (unit length). */
export function meanPool(frameEmb: Tensor, frameMask: Tensor): Tensor {
  const [B, F] = frameMask.shape as number[];
  const E = (frameEmb.shape as number[])[1];
  const x = tf.reshape(l2normalize(frameEmb), [B, F, E]);
  const m = tf.expandDims(frameMask, 2);
  const sum = tf.sum(tf.mul(x, m), 1);
  const count = tf.maximum(tf.sum(frameMask, 1, true), 1);
  return l2normalize(tf.div(sum, count));
}

export class VideoTextModel implements TrainableModel<VideoTextBatch> {
  private readonly scale: number;
  private readonly vLayers: number;
  private readonly tLayers: number;

  constructor(readonly clip: ClipModel, readonly method: ClipMethodRuntime) {
    this.scale = clip.logitScale();
    this.vLayers = clip.config.vision_config.num_hidden_layers;
    this.tLayers = clip.config.text_config.num_hidden_layers;
  }

  methodModules(): Record<string, Module> {
    return this.method.mode === 'side' ? { [this.method.name]: this.method.side.module } : this.method.modules;
  }

  paramGroups(): ParamGroup[] { return [{ params: this.allParams().filter((p) => p.trainable) }]; }
  allParams(): Param[] { return [this.clip, ...Object.values(this.methodModules())].flatMap((m) => m.parameters()); }
  accounting(): ParamAccounting { return accountParams(this.clip, this.methodModules()); }

  /** Side methods: CLIP's frame and caption outputs (outside the tape). */
  prepare(batch: VideoTextBatch, ctx: ForwardCtx): Tensor[] {
    if (this.method.mode !== 'side') return [];
    return [...this.frozenVideo(batch, ctx), ...this.frozenText(batch, ctx)];
  }

  private frozenVideo(v: VideoInput, ctx: ForwardCtx): Tensor[] {
    const img = this.clip.encodeImage(v.pixels, ctx);
    return [...img.hiddenStates, img.embedding];
  }
  private frozenText(t: TextInput, ctx: ForwardCtx): Tensor[] {
    const txt = this.clip.encodeText({ ids: t.ids, mask: t.mask, eot: t.eot }, ctx);
    return [...txt.hiddenStates, txt.embedding, txt.mask];
  }

  /** Unit-length video embeddings [B, E]; `prepared` = frozenVideo's tensors for side methods. */
  videoEmbedding(v: VideoInput, prepared: Tensor[] | null, ctx: ForwardCtx): Tensor {
    let frames: Tensor;
    if (this.method.mode === 'side') {
      const p = prepared ?? this.frozenVideo(v, ctx);
      frames = this.method.side.image(p.slice(0, this.vLayers + 1), p[this.vLayers + 1], ctx);
    } else {
      const img = this.clip.encodeImage(v.pixels, ctx);
      frames = img.embedding;
    }
    return meanPool(frames, v.frameMask);
  }

  /** Unit-length caption embeddings [B, E]. */
  textEmbedding(t: TextInput, prepared: Tensor[] | null, ctx: ForwardCtx): Tensor {
    if (this.method.mode === 'side') {
      const p = prepared ?? this.frozenText(t, ctx);
      const n = this.tLayers + 1;
      return l2normalize(this.method.side.text(p.slice(0, n), p[n], p[n + 1], t.eot, ctx));
    }
    return l2normalize(this.clip.encodeText({ ids: t.ids, mask: t.mask, eot: t.eot }, ctx).embedding);
  }

  loss(batch: VideoTextBatch, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    const side = this.method.mode === 'side';
    const nv = this.vLayers + 2;
    const video = this.videoEmbedding(batch, side ? prepared.slice(0, nv) : null, ctx);
    const text = this.textEmbedding(batch, side ? prepared.slice(nv) : null, ctx);
    return symmetricInfoNce(tf.mul(tf.matMul(text, tf.transpose(video)), this.scale));
  }

  dispose(): void {
    if (this.method.mode === 'through-backbone') this.method.detach();
    for (const m of [this.clip, ...Object.values(this.methodModules())]) m.dispose();
  }
}
