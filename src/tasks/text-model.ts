// A text encoder + method + head as one TrainableModel. Through-backbone methods run the encoder inside the
// gradient tape (gradients reach their parameters through it); side methods get the encoder's hidden states from
// `prepare`, which the trainer runs outside the tape, and only the side network and head are differentiated.
import { tf, type Tensor } from '../engine/tf.js';
import type { ForwardCtx } from '../nn/module.js';
import { Module } from '../nn/module.js';
import type { Param } from '../nn/param.js';
import type { TextEncoder } from '../backbones/text/bert.js';
import type { ParamGroup } from '../train/optim.js';
import type { ParamAccounting } from '../train/spec.js';
import type { Batch, TrainableModel } from './types.js';
import { accountParams } from '../petl/accounting.js';

export interface TextBatch extends Batch {
  ids: Tensor;      // int32 [B, T]
  mask: Tensor;     // float32 [B, T]
  typeIds: Tensor;  // int32 [B, T]
}

/** A side network over the encoder's hidden states (UniPT, LST): returns a sequence [B, T, H] for the head. */
export interface TextSideNetwork {
  module: Module;
  forward(hiddenStates: Tensor[], mask: Tensor, ctx: ForwardCtx): Tensor;
}

export type TextMethodRuntime =
  /** `firstToken`: where the input's first token ([CLS]/<s>) sits in the output (prompt tokens prepended before it). */
  | { mode: 'through-backbone'; modules: Record<string, Module>; firstToken: number }
  | { mode: 'side'; name: string; side: TextSideNetwork };

/** Reads the method's output sequence [B, T, H] (T = the input's tokens; mask [B, T]). */
export interface TextHead extends Module { forward(sequence: Tensor, ctx: ForwardCtx, mask: Tensor): Tensor }

export class TextTaskModel<B extends TextBatch> implements TrainableModel<B> {
  constructor(
    readonly encoder: TextEncoder,
    readonly method: TextMethodRuntime,
    readonly head: TextHead,
    private readonly lossFn: (output: Tensor, batch: B) => Tensor,
  ) {}

  private methodModules(): Record<string, Module> {
    return this.method.mode === 'side' ? { [this.method.name]: this.method.side.module } : this.method.modules;
  }

  paramGroups(): ParamGroup[] {
    return [{ params: this.allParams().filter((p) => p.trainable) }];
  }

  allParams(): Param[] {
    return [this.encoder, ...Object.values(this.methodModules()), this.head].flatMap((m) => m.parameters());
  }

  accounting(): ParamAccounting {
    return accountParams(this.encoder, this.methodModules(), { head: this.head });
  }

  prepare(batch: B, ctx: ForwardCtx): Tensor[] {
    if (this.method.mode !== 'side') return [];
    const out = this.encoder.forward({ ids: batch.ids, mask: batch.mask, typeIds: batch.typeIds }, ctx);
    return [...out.hiddenStates, out.mask];
  }

  /** The sequence the head reads, inside whatever gradient scope the caller is in. */
  private sequence(batch: B, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    if (this.method.mode === 'side') {
      const hs = prepared.slice(0, -1), mask = prepared[prepared.length - 1];
      return this.method.side.forward(hs, mask, ctx);
    }
    const last = this.encoder.forward({ ids: batch.ids, mask: batch.mask, typeIds: batch.typeIds }, ctx).last;
    // heads read position 0: start the sequence at the input's first token when prompts were prepended before it
    const k = this.method.firstToken;
    return k > 0 ? tf.slice(last, [0, k, 0], [-1, -1, -1]) : last;
  }

  loss(batch: B, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    return this.lossFn(this.head.forward(this.sequence(batch, prepared, ctx), ctx, batch.mask), batch);
  }

  /** Head outputs without dropout, outside the tape. */
  predict(batch: B, ctx: ForwardCtx): Tensor {
    return tf.tidy(() => {
      const evalCtx: ForwardCtx = { ...ctx, training: false };
      const prepared = this.prepare(batch, evalCtx);
      return this.head.forward(this.sequence(batch, prepared, evalCtx), evalCtx, batch.mask);
    });
  }

  dispose(): void {
    for (const m of [this.encoder, ...Object.values(this.methodModules()), this.head]) m.dispose();
  }
}
