// A T5 + method as one TrainableModel for text-to-text tasks. Through-backbone methods (full, BitFit, adapters,
// LoRA, prompt tuning) run the whole T5 inside the gradient tape; side methods (LST, UniPT) get every encoder and
// decoder hidden state from `prepare`, which the trainer runs outside the tape, and only the side network is
// differentiated, its output going through the frozen LM head. Decoding is greedy, per-example length-limited.
import { tf, type Tensor } from '../../engine/tf.js';
import type { ForwardCtx } from '../../nn/module.js';
import type { Module } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import type { ParamGroup } from '../../train/optim.js';
import type { ParamAccounting } from '../../train/spec.js';
import { accountParams } from '../../petl/accounting.js';
import { T5Model, seq2seqLoss, shiftRight, type T5StackOutput } from '../../backbones/t5/model.js';
import { greedyDecode, t5Decodable } from '../../backbones/t5/generate.js';
import { sideDecodable, type T5SideNetwork } from '../../backbones/t5/side.js';
import type { Batch, TrainableModel } from '../types.js';

export interface Seq2SeqBatch extends Batch {
  ids: Tensor;          // int32 [B, Ts]
  mask: Tensor;         // int32 [B, Ts]
  /** Row-major [B, Td] target ids, -100 after each target's </s>. */
  labels: Int32Array;
  targetLength: number;
}

export type T5MethodRuntime =
  | { mode: 'through-backbone'; modules: Record<string, Module>; /** removes the method's hooks, restores the flags */ detach: () => void }
  | { mode: 'side'; side: T5SideNetwork };

export class T5Seq2SeqModel implements TrainableModel<Seq2SeqBatch> {
  constructor(readonly model: T5Model, readonly method: T5MethodRuntime) {}

  private methodModules(): Record<string, Module> {
    return this.method.mode === 'side' ? { [this.method.side.name]: this.method.side.module } : this.method.modules;
  }

  paramGroups(): ParamGroup[] { return [{ params: this.allParams().filter((p) => p.trainable) }]; }

  allParams(): Param[] {
    const seen = new Set<Param>();
    return [this.model, ...Object.values(this.methodModules())].flatMap((m) => m.parameters()).filter((p) => (seen.has(p) ? false : (seen.add(p), true)));
  }

  accounting(): ParamAccounting { return accountParams(this.model, this.methodModules()); }

  /** Side methods: the frozen encoder and decoder (teacher-forced) states, outside the tape. */
  prepare(batch: Seq2SeqBatch, ctx: ForwardCtx): Tensor[] {
    if (this.method.mode !== 'side') return [];
    const c = this.model.config;
    const B = batch.size, Td = batch.targetLength;
    const dec = tf.tensor2d(shiftRight(batch.labels, B, Td, c.decoder_start_token_id, c.pad_token_id), [B, Td], 'int32');
    const enc = this.model.encode(batch.ids, batch.mask, ctx);
    const d = this.model.decode(dec, enc, ctx);
    dec.dispose();
    return [...enc.hiddenStates, enc.last, enc.mask, ...d.hiddenStates, d.last];
  }

  private unpack(prepared: Tensor[]): { enc: T5StackOutput; dec: T5StackOutput } {
    const ne = this.model.encoder.numLayers + 1, nd = this.model.decoder.numLayers + 1;
    if (prepared.length !== ne + 2 + nd + 1) throw new Error(`T5Seq2SeqModel: prepare gave ${prepared.length} tensors, expected ${ne + 2 + nd + 1}`);
    const enc: T5StackOutput = { hiddenStates: prepared.slice(0, ne), last: prepared[ne], mask: prepared[ne + 1] };
    const dec: T5StackOutput = { hiddenStates: prepared.slice(ne + 2, ne + 2 + nd), last: prepared[ne + 2 + nd], mask: enc.mask };
    return { enc, dec };
  }

  loss(batch: Seq2SeqBatch, prepared: Tensor[], ctx: ForwardCtx): Tensor {
    if (this.method.mode === 'side') {
      const { side } = this.method;
      const { enc, dec } = this.unpack(prepared);
      const memory = side.encode(enc, ctx);
      const y = side.decode(dec, memory, enc.mask, ctx);
      return seq2seqLoss(y, batch.labels, (x) => this.model.logits(x));
    }
    return this.model.loss(batch.ids, batch.mask, batch.labels, ctx);
  }

  /** Greedy decoding (evaluation mode, outside the tape); token ids per example, without </s>. */
  generate(ids: Tensor, mask: Tensor, maxLength: number | readonly number[]): number[][] {
    const dec = this.method.mode === 'side' ? sideDecodable(this.model, this.method.side) : t5Decodable(this.model);
    return greedyDecode(dec as Parameters<typeof greedyDecode>[0], ids, mask, { maxLength });
  }

  dispose(): void {
    for (const m of [this.model, ...Object.values(this.methodModules())]) m.dispose();
  }
}
