// CLIP-ViL + method + answer head as one TrainableModel. The frozen CLIP tower is always outside the gradient tape
// (its features come cached with the batch, or it runs in `prepare`). Through-backbone methods run the cross-modal
// encoder inside the tape; side methods (UniPT, LST) get its hidden states from `prepare` and only the side network
// and the head are differentiated. Either way the pooler (frozen for side methods) reads the question's [CLS] and
// the logit_fc head predicts the answer scores.
import { tf, type Tensor } from '../../engine/tf.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import type { ClipVilModel } from '../../backbones/clip-vil/model.js';
import type { VisionTower } from '../../backbones/clip-vil/visual.js';
import type { AnswerHead } from '../../backbones/clip-vil/heads.js';
import type { ParamGroup } from '../../train/optim.js';
import type { ParamAccounting } from '../../train/spec.js';
import { accountParams } from '../../petl/accounting.js';
import type { Batch, TrainableModel } from '../types.js';
import type { VqaMethodRuntime } from './methods.js';
import { vqaBce } from './loss.js';

export interface VqaBatch extends Batch {
  ids: Tensor;       // int32 [B, T]
  mask: Tensor;      // float32 [B, T]
  /** Cached tower features [B, ...] or pixels [B, S, S, 3] (then the tower runs in prepare). */
  visual: Tensor;
  visualKind: 'features' | 'pixels';
  /** Soft answer scores [B, #answers]. */
  targets: Tensor;
  rows: number[];
}

/** The pretrained backbone as one module for the parameter accounting: the cross-modal model and the CLIP tower. */
class ClipVilBackbone extends Module {
  constructor(model: ClipVilModel, tower: VisionTower) {
    super();
    this.addChild('model', model);
    this.addChild('visual_model', tower);
  }
}

/** Weight decay as CLIP-ViL's optimizer groups: none on biases and LayerNorm weights. */
function decays(p: Param): boolean { return p.role === 'weight' || p.role === 'embedding'; }

export class VqaTaskModel implements TrainableModel<VqaBatch> {
  private readonly backbone: ClipVilBackbone;
  constructor(
    readonly model: ClipVilModel,
    readonly tower: VisionTower,
    readonly method: VqaMethodRuntime,
    readonly head: AnswerHead,
  ) {
    this.backbone = new ClipVilBackbone(model, tower);
  }

  private methodModules(): Record<string, Module> {
    return this.method.mode === 'side' ? { [this.method.name]: this.method.side.module } : this.method.modules;
  }

  private trainable(): Param[] {
    return [this.model, ...Object.values(this.methodModules()), this.head].flatMap((m) => m.parameters()).filter((p) => p.trainable);
  }

  paramGroups(): ParamGroup[] {
    const ps = this.trainable();
    return [{ params: ps.filter(decays) }, { params: ps.filter((p) => !decays(p)), weightDecay: 0 }].filter((g) => g.params.length);
  }

  allParams(): Param[] {
    return [this.backbone, ...Object.values(this.methodModules()), this.head].flatMap((m) => m.parameters());
  }

  accounting(): ParamAccounting {
    return accountParams(this.backbone, this.methodModules(), { head: this.head });
  }

  /** Frozen-only work: the tower when the batch carries pixels; for side methods, every cross-modal hidden state. */
  prepare(batch: VqaBatch, ctx: ForwardCtx): Tensor[] {
    const grid = batch.visualKind === 'pixels' ? this.tower.grid(batch.visual) : null;
    if (this.method.mode !== 'side') return grid ? [grid] : [];
    const out = this.model.forward({ ids: batch.ids, mask: batch.mask, grid: grid ?? batch.visual }, ctx);
    return [...out.hiddenStates, out.mask];
  }

  /** Answer logits [B, #answers], inside whatever gradient scope the caller is in. */
  logits(batch: VqaBatch, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    if (this.method.mode === 'side') {
      const hs = prepared.slice(0, -1), mask = prepared[prepared.length - 1];
      return this.head.forward(this.model.pool(this.method.side.forward(hs, mask, ctx), ctx, 0), ctx);
    }
    const grid = batch.visualKind === 'pixels' ? prepared[0] : batch.visual;
    const out = this.model.forward({ ids: batch.ids, mask: batch.mask, grid }, ctx);
    return this.head.forward(this.model.pool(out.hiddenStates[out.hiddenStates.length - 1], ctx, this.method.firstToken), ctx);
  }

  loss(batch: VqaBatch, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    return vqaBce(this.logits(batch, prepared, ctx), batch.targets);
  }

  /** Logits without dropout, outside the tape. */
  predict(batch: VqaBatch, ctx: ForwardCtx): Tensor {
    return tf.tidy(() => {
      const evalCtx: ForwardCtx = { ...ctx, training: false };
      return this.logits(batch, this.prepare(batch, evalCtx), evalCtx);
    });
  }

  dispose(): void {
    for (const m of [this.model, this.tower, ...Object.values(this.methodModules()), this.head]) m.dispose();
  }
}
