// Side-block initialisation for LST on T5 by structured magnitude pruning of the frozen backbone (LST's pruning_v2
// with the weights as importance, its `t5-base-v2` option; its GLUE runs scored channels by Fisher information,
// `fisher-v2`, which needs a pass over task data first). A chain runs through every backbone block of each stack,
// kept side layers or not:
//   - the shared-embedding channels with the largest L1 norm over the vocabulary seed both stacks;
//   - a weight keeps the input rows its predecessor selected and the output columns with the largest importance,
//     where a column's importance is the product of its L1 norms in the weights that share the selection
//     (q/k/v share one; the gated FFN's wi_0/wi_1 share one);
//   - decoder cross-attention keys/values read the side encoder's output channels (the encoder chain's last
//     selection); each T5LayerNorm keeps the channels of the stream it normalises; the side stack's relative
//     position table (same head count) is the backbone stack's table.
// As in LST ("without residual"), the residual stream is not forced to one channel set. Kept indices stay ascending.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Param } from '../../nn/param.js';
import type { T5Model, T5Stack } from '../../backbones/t5/model.js';
import type { T5Attention, T5Block, T5DenseGatedGeluDense, T5DenseReluDense } from '../../backbones/t5/layers.js';
import { topK, keepColumnsByNormProduct } from '../lst/prune.js';
import type { LstT5Side, LstT5SideStack } from './side.js';

export interface T5BlockChannels {
  /** Block input (the self-attention layer norm and q/k/v rows). */
  input: number[];
  qkv: number[];
  attnOut: number[];
  /** Decoder: cross-attention inner columns and output columns. */
  crossQ?: number[];
  crossOut?: number[];
  inter: number[];
  out: number[];
}

export interface T5ChannelPlan { embed: number[]; encoder: T5BlockChannels[]; decoder: T5BlockChannels[] }

const ids = (a: number[]) => tf.tensor1d(a, 'int32');

const keep = keepColumnsByNormProduct;

function ffnWeights(ff: T5DenseReluDense | T5DenseGatedGeluDense): { wi: Param[]; wo: Param } {
  return 'wi' in ff ? { wi: [ff.wi.weight], wo: ff.wo.weight } : { wi: [ff.wi_0.weight, ff.wi_1.weight], wo: ff.wo.weight };
}

function planStack(stack: T5Stack, embed: number[], side: { d: number; inner: number; ff: number }, encOut: number[] | null): T5BlockChannels[] {
  const out: T5BlockChannels[] = [];
  let prev = embed;
  for (const blk of stack.block.items) {
    const sa = blk.selfAttention.SelfAttention;
    const qkv = keep([[sa.q.weight.value, prev], [sa.k.weight.value, prev], [sa.v.weight.value, prev]], side.inner);
    const attnOut = keep([[sa.o.weight.value, qkv]], side.d);
    let ffIn = attnOut;
    const ch: T5BlockChannels = { input: prev, qkv, attnOut, inter: [], out: [] };
    const ca = blk.crossAttention?.EncDecAttention;
    if (ca) {
      if (!encOut) throw new Error('lst pruning: the decoder chain needs the encoder chain\'s output channels');
      ch.crossQ = keep([[ca.q.weight.value, attnOut], [ca.k.weight.value, encOut], [ca.v.weight.value, encOut]], side.inner);
      ch.crossOut = keep([[ca.o.weight.value, ch.crossQ]], side.d);
      ffIn = ch.crossOut;
    }
    const { wi, wo } = ffnWeights(blk.ff.DenseReluDense);
    ch.inter = keep(wi.map((w) => [w.value, ffIn] as [Tensor, number[]]), side.ff);
    ch.out = keep([[wo.value, ch.inter]], side.d);
    out.push(ch);
    prev = ch.out;
  }
  return out;
}

/** The channel selections for both stacks of a T5 backbone at side widths (d, heads * d_kv, d_ff). */
export function t5ChannelPlan(model: T5Model, side: { d: number; inner: number; ff: number }): T5ChannelPlan {
  const E = model.shared.weight.value;
  const norms = tf.tidy(() => tf.sum(tf.abs(E), 0));
  const embed = topK(norms.dataSync(), side.d);
  norms.dispose();
  const encoder = planStack(model.encoder, embed, side, null);
  const decoder = planStack(model.decoder, embed, side, encoder[encoder.length - 1].out);
  return { embed, encoder, decoder };
}

function assignSub(dst: Param, src: Param, r: number[] | null, c: number[] | null): void {
  const v = tf.tidy(() => {
    let s: Tensor = src.value;
    if (r) s = tf.gather(s, ids(r), 0);
    if (c) s = tf.gather(s, ids(c), s.rank - 1);
    return s === src.value ? tf.clone(s) : s;   // never hand out (and then dispose) the source variable itself
  });
  dst.assign(v);
  v.dispose();
}

function copyAttention(dst: T5Attention, src: T5Attention, rowsQ: number[], rowsKV: number[], inner: number[], out: number[]): void {
  assignSub(dst.q.weight, src.q.weight, rowsQ, inner);
  assignSub(dst.k.weight, src.k.weight, rowsKV, inner);
  assignSub(dst.v.weight, src.v.weight, rowsKV, inner);
  assignSub(dst.o.weight, src.o.weight, inner, out);
}

function copyBlock(dst: T5Block, src: T5Block, ch: T5BlockChannels, encOut: number[] | null, table: Param | null): void {
  assignSub(dst.selfAttention.layer_norm.weight, src.selfAttention.layer_norm.weight, null, ch.input);
  copyAttention(dst.selfAttention.SelfAttention, src.selfAttention.SelfAttention, ch.input, ch.input, ch.qkv, ch.attnOut);
  const rel = dst.selfAttention.SelfAttention.relative_attention_bias;
  if (rel && table) assignSub(rel.weight, table, null, null);
  let ffIn = ch.attnOut;
  if (dst.crossAttention && src.crossAttention) {
    assignSub(dst.crossAttention.layer_norm.weight, src.crossAttention.layer_norm.weight, null, ch.attnOut);
    copyAttention(dst.crossAttention.EncDecAttention, src.crossAttention.EncDecAttention, ch.attnOut, encOut!, ch.crossQ!, ch.crossOut!);
    ffIn = ch.crossOut!;
  }
  assignSub(dst.ff.layer_norm.weight, src.ff.layer_norm.weight, null, ffIn);
  const a = ffnWeights(src.ff.DenseReluDense), b = ffnWeights(dst.ff.DenseReluDense);
  a.wi.forEach((w, k) => assignSub(b.wi[k], w, ffIn, ch.inter));
  assignSub(b.wo, a.wo, ch.inter, ch.out);
}

function copyStack(dst: LstT5SideStack, src: T5Stack, plan: T5BlockChannels[], encOut: number[] | null): void {
  const table = src.block.at(0).selfAttention.SelfAttention.relative_attention_bias?.weight ?? null;
  for (const i of dst.layers) copyBlock(dst.side_block.get(String(i))!, src.block.at(i), plan[i], encOut, table);
  if (dst.final_side_layer_norm) assignSub(dst.final_side_layer_norm.weight, src.final_layer_norm.weight, null, plan[plan.length - 1].out);
}

/** Initialises every side block of `side` from the pruned backbone; returns the plan (which channels were kept). */
export function pruneInitT5Side(model: T5Model, side: LstT5Side): T5ChannelPlan {
  const s = side.side;
  const plan = t5ChannelPlan(model, { d: s.d_model, inner: s.num_heads * s.d_kv, ff: s.d_ff });
  copyStack(side.encoder, model.encoder, plan.encoder, null);
  copyStack(side.decoder, model.decoder, plan.decoder, plan.encoder[plan.encoder.length - 1].out);
  return plan;
}
