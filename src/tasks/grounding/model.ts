// MDETR + method as one TrainableModel. The CNN runs in the frozen phase (`prepare`, outside the tape) unless its
// features are cached; through-backbone methods run the text encoder, the fusion encoder and the decoder inside the
// tape; side methods run them in `prepare` too and only their side network and the heads are differentiated.
// Loss: MDETR's set criterion on every decoder output the heads read (auxiliary outputs + final). Optimizer groups:
// the method's parameters at the run's lr, the heads at `headLrScale` times it (UniPT's MDETR: side 5e-4, heads 5e-5).
import { tf, type Tensor } from '../../engine/tf.js';
import type { ForwardCtx, Module } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import type { ParamGroup } from '../../train/optim.js';
import type { ParamAccounting } from '../../train/spec.js';
import type { TrainableModel } from '../types.js';
import { accountParams } from '../../petl/accounting.js';
import { MdetrBody, type MdetrModel } from '../../backbones/mdetr/model.js';
import type { HeadOutput } from '../../backbones/mdetr/heads.js';
import { groundingLoss, MDETR_LOSS_WEIGHTS, type CriterionWeights } from './criterion.js';
import type { GroundingBatch } from './batches.js';
import type { GroundingRuntime } from './methods.js';

/** UniPT's MDETR scripts: heads at 5e-5 next to the side network's 5e-4. */
export const HEAD_LR_SCALE = 0.1;

export interface GroundingPrediction {
  /** [B, Q] score = 1 - P(no object) of the final decoder output. */
  scores: Float32Array;
  /** [B, Q, 4] normalised (cx, cy, w, h). */
  boxes: Float32Array;
  numQueries: number;
}

export class GroundingTaskModel implements TrainableModel<GroundingBatch> {
  private readonly body: Module;
  constructor(readonly mdetr: MdetrModel, readonly runtime: GroundingRuntime, readonly weights: CriterionWeights = MDETR_LOSS_WEIGHTS, readonly headLrScale = HEAD_LR_SCALE) {
    this.body = new MdetrBody(mdetr);
  }

  private methodModules(): Record<string, Module> {
    return this.runtime.mode === 'side' ? { [this.runtime.side.name]: this.runtime.side.module } : this.runtime.modules;
  }

  paramGroups(): ParamGroup[] {
    const heads = new Set(this.mdetr.heads.parameters());
    const method = [this.body, ...Object.values(this.methodModules())].flatMap((m) => m.parameters()).filter((p) => p.trainable && !heads.has(p));
    const groups: ParamGroup[] = [];
    if (method.length) groups.push({ params: method });
    groups.push({ params: [...heads].filter((p) => p.trainable), lrScale: this.headLrScale });
    return groups;
  }

  allParams(): Param[] {
    return [this.mdetr, ...Object.values(this.methodModules())].flatMap((m) => m.parameters());
  }

  accounting(): ParamAccounting {
    return accountParams(this.body, this.methodModules(), { heads: this.mdetr.heads });
  }

  /** CNN features of a batch: cached, or computed here (frozen). */
  private features(batch: GroundingBatch, ctx: ForwardCtx): Tensor {
    if (batch.features) return batch.features;
    if (!batch.pixels) throw new Error('grounding batch has neither cached features nor pixels');
    return this.mdetr.features(batch.pixels, ctx);
  }

  prepare(batch: GroundingBatch, ctx: ForwardCtx): Tensor[] {
    const feats = batch.features ? null : this.features(batch, ctx);
    if (this.runtime.mode !== 'side') return feats ? [feats] : [];
    const f = feats ?? batch.features!;
    const enc = this.mdetr.encode(f, null, { ids: batch.ids, mask: batch.mask }, ctx);
    const dec = this.mdetr.decode(enc, ctx);
    const N = dec.length - 1;
    // UniPT's MDETR: only the last decoder output goes through the decoder norm
    const decoderStates = [...dec.slice(0, N), this.mdetr.transformer.decoder.norm.forward(dec[N])];
    const textMemory = this.mdetr.textMemory(enc);
    return [...enc.states, enc.mask, enc.pos, ...decoderStates, textMemory];
  }

  /** The heads' outputs and token projections, inside whatever scope the caller is in. */
  private outputs(batch: GroundingBatch, prepared: Tensor[], ctx: ForwardCtx): { layers: HeadOutput[]; projTokens: Tensor | null } {
    const m = this.mdetr;
    if (this.runtime.mode === 'side') {
      const Ne = m.config.enc_layers, Nd = m.config.dec_layers;
      const encoderStates = prepared.slice(0, Ne + 1);
      const [encoderMask, pos] = prepared.slice(Ne + 1, Ne + 3);
      const decoderStates = prepared.slice(Ne + 3, Ne + 3 + Nd + 1);
      const textMemory = prepared[Ne + 3 + Nd + 1];
      const hs = this.runtime.side.forward({ encoderStates, encoderMask, pos, decoderStates, queryEmbed: m.query_embed.weight.value }, ctx);
      return { layers: m.headOutputs(hs, ctx), projTokens: m.heads.projectTokens(textMemory, ctx) };
    }
    const feats = prepared[0] ?? batch.features!;
    const enc = m.encode(feats, null, { ids: batch.ids, mask: batch.mask }, ctx);
    const hs = m.normedDecoderOutputs(m.decode(enc, ctx));
    return { layers: m.headOutputs(hs, ctx), projTokens: m.heads.projectTokens(m.textMemory(enc), ctx) };
  }

  loss(batch: GroundingBatch, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    const { layers, projTokens } = this.outputs(batch, prepared, ctx);
    return groundingLoss({ layers, projTokens, textMask: batch.mask, targets: batch.targets }, this.weights);
  }

  /** Scores and boxes of the final decoder output, without dropout, outside the tape. */
  predict(batch: GroundingBatch, ctx: ForwardCtx): GroundingPrediction {
    const evalCtx: ForwardCtx = { ...ctx, training: false };
    const [scores, boxes] = tf.tidy(() => {
      const prepared = this.prepare(batch, evalCtx);
      const { layers } = this.outputs(batch, prepared, evalCtx);
      const last = layers[layers.length - 1];
      const p = tf.softmax(last.logits);
      const C = (p.shape as number[])[2];
      const noObj = tf.squeeze(tf.slice(p, [0, 0, C - 1], [-1, -1, 1]), [2]);
      return [tf.sub(1, noObj), last.boxes];
    });
    const out = { scores: scores.dataSync() as Float32Array, boxes: boxes.dataSync() as Float32Array, numQueries: this.mdetr.numQueries };
    tf.dispose([scores, boxes]);
    return out;
  }

  dispose(): void {
    this.mdetr.dispose();
    for (const m of Object.values(this.methodModules())) m.dispose();
  }
}

