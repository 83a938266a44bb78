// Side-block initialisation for LST on MDETR by structured magnitude pruning of the frozen transformer (LST's
// pruning_v2 with the weights as importance, as src/petl/lst-t5/prune.ts does for T5). [INFERRED] chain:
//   - encoder: seeded by the d' channels whose columns of input_proj and of the text resizer have the largest L1
//     norms (product of the two, the encoder input mixes both); decoder: seeded by the query embeddings' columns;
//   - every weight keeps the input rows its predecessor selected and the output columns with the largest product of
//     L1 norms over the weights sharing the selection (q/k/v share one; cross-attention q reads the decoder chain,
//     k/v the encoder chain's last selection, which is the side encoder output the side decoder attends);
//   - LayerNorms and biases follow their layer's output selection. The chain runs through every backbone layer,
//     kept or not; kept side layers copy their layer's pruned weights. Kept indices stay ascending.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Param } from '../../nn/param.js';
import type { Linear, LayerNorm } from '../../nn/layers.js';
import type { MdetrModel } from '../../backbones/mdetr/model.js';
import type { MultiheadAttention } from '../../backbones/mdetr/attention.js';
import { keepColumnsByNormProduct } from '../lst/prune.js';
import type { LstMdetrSide } from './side.js';

const ids = (a: number[]) => tf.tensor1d(a, 'int32');
const all = (n: number) => Array.from({ length: n }, (_, i) => i);

const keep = keepColumnsByNormProduct;

function assignSub(dst: Param, src: Param, rows: number[] | null, cols: number[]): void {
  const v = tf.tidy(() => (rows === null ? tf.gather(src.value, ids(cols), 0) : tf.gather(tf.gather(src.value, ids(rows), 0), ids(cols), 1)));
  dst.assign(v);
  v.dispose();
}

function copyLinear(dst: Linear, src: Linear, rows: number[], cols: number[]): void {
  assignSub(dst.weight, src.weight, rows, cols);
  if (dst.bias && src.bias) assignSub(dst.bias, src.bias, null, cols);
}

function copyNorm(dst: LayerNorm, src: LayerNorm, cols: number[]): void {
  assignSub(dst.weight, src.weight, null, cols);
  assignSub(dst.bias, src.bias, null, cols);
}

interface AttnChannels { qkv: number[]; out: number[] }

/** q from qRows, k/v from kvRows; one shared q/k/v selection, then the output projection's. */
function planAttention(a: MultiheadAttention, qRows: number[], kvRows: number[], d: number): AttnChannels {
  const qkv = keep([[a.q_proj.weight.value, qRows], [a.k_proj.weight.value, kvRows], [a.v_proj.weight.value, kvRows]], d);
  return { qkv, out: keep([[a.out_proj.weight.value, qkv]], d) };
}

function copyAttention(dst: MultiheadAttention, src: MultiheadAttention, qRows: number[], kvRows: number[], ch: AttnChannels): void {
  copyLinear(dst.q_proj, src.q_proj, qRows, ch.qkv);
  copyLinear(dst.k_proj, src.k_proj, kvRows, ch.qkv);
  copyLinear(dst.v_proj, src.v_proj, kvRows, ch.qkv);
  copyLinear(dst.out_proj, src.out_proj, ch.qkv, ch.out);
}

export interface MdetrChannelPlan { encoderSeed: number[]; decoderSeed: number[]; encoderOut: number[][]; decoderOut: number[][] }

export function pruneInitMdetrSide(model: MdetrModel, side: LstMdetrSide): MdetrChannelPlan {
  const d = side.dims.dModel, ff = side.dims.ffn;
  const D = model.dModel;
  const t = model.transformer;
  const inProj = tf.reshape(model.input_proj.weight.value, [model.input_proj.inChannels, D]);
  const encoderSeed = keep([[inProj, all(model.input_proj.inChannels)], [t.resizer.fc.weight.value, all(t.resizer.fc.inFeatures)]], d);
  inProj.dispose();
  const plan: MdetrChannelPlan = { encoderSeed, decoderSeed: [], encoderOut: [], decoderOut: [] };
  let prev = encoderSeed;
  t.encoder.layers.items.forEach((L, i) => {
    const attn = planAttention(L.self_attn, prev, prev, d);
    const inter = keep([[L.linear1.weight.value, attn.out]], ff);
    const out = keep([[L.linear2.weight.value, inter]], d);
    const S = side.side_encoder.get(String(i));
    if (S) {
      copyAttention(S.self_attn, L.self_attn, prev, prev, attn);
      copyNorm(S.norm1, L.norm1, attn.out);
      copyLinear(S.linear1, L.linear1, attn.out, inter);
      copyLinear(S.linear2, L.linear2, inter, out);
      copyNorm(S.norm2, L.norm2, out);
    }
    plan.encoderOut.push(out);
    prev = out;
  });
  const memory = prev;
  const qe = model.query_embed.weight.value;
  plan.decoderSeed = keep([[qe, all((qe.shape as number[])[0])]], d);
  prev = plan.decoderSeed;
  t.decoder.layers.items.forEach((L, j) => {
    const sa = planAttention(L.self_attn, prev, prev, d);
    const ca = planAttention(L.cross_attn_image, sa.out, memory, d);
    const inter = keep([[L.linear1.weight.value, ca.out]], ff);
    const out = keep([[L.linear2.weight.value, inter]], d);
    const S = side.side_decoder.get(String(j));
    if (S) {
      copyAttention(S.self_attn, L.self_attn, prev, prev, sa);
      copyNorm(S.norm1, L.norm1, sa.out);
      copyAttention(S.cross_attn_image, L.cross_attn_image, sa.out, memory, ca);
      copyNorm(S.norm3, L.norm3, ca.out);
      copyLinear(S.linear1, L.linear1, ca.out, inter);
      copyLinear(S.linear2, L.linear2, inter, out);
      copyNorm(S.norm4, L.norm4, out);
    }
    plan.decoderOut.push(out);
    prev = out;
  });
  if (side.side_decoder_norm) copyNorm(side.side_decoder_norm, t.decoder.norm, prev);
  return plan;
}
