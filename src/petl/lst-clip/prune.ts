// Side-block initialisation for LST on CLIP by structured magnitude pruning of the backbone tower, LST's
// pruning_v2 "without residual" chain (src/petl/lst/prune.ts) carried over to CLIP's pre-LN block [INFERRED: LST
// pruned T5 and BERT, not CLIP]:
//   seed      the input channels with the largest L1 norm: token-embedding columns (text), patch-embedding
//             columns (vision);
//   per block layer_norm1 follows the block's input selection; q/k/v keep those input rows and the output columns
//             with the largest L1 norm of |Wq| |Wk| |Wv| (one shared set); out_proj keeps the columns with the largest
//             L1 norm (layer_norm2 follows them); fc1 and fc2 likewise; fc2's kept columns are the next block's
//             input selection. Biases follow their layer's columns. Kept indices stay ascending.
// The chain runs through every backbone block, dropped ones included, as LST's does.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Param } from '../../nn/param.js';
import type { ClipEncoderLayer, ClipEncoder } from '../../backbones/clip/layers.js';
import { topK } from '../lst/prune.js';

export interface ClipLayerChannels { input: number[]; qkv: number[]; attnOut: number[]; inter: number[]; out: number[] }
export interface ClipChannelPlan { seed: number[]; layers: ClipLayerChannels[] }

const ids = (a: number[]) => tf.tensor1d(a, 'int32');

function keepColumns(ws: Tensor[], rows: number[], k: number): number[] {
  const norms = tf.tidy(() => {
    let imp = tf.abs(tf.gather(ws[0], ids(rows), 0));
    for (const w of ws.slice(1)) imp = tf.mul(imp, tf.abs(tf.gather(w, ids(rows), 0)));
    return tf.sum(imp, 0);
  });
  const v = norms.dataSync();
  norms.dispose();
  return topK(v, k);
}

/** `seedTable` [rows, width]: the table whose column norms seed the chain. */
export function clipChannelPlan(encoder: ClipEncoder, seedTable: Tensor, hidden: number, inter: number): ClipChannelPlan {
  const norms = tf.tidy(() => tf.sum(tf.abs(seedTable), 0));
  const seed = topK(norms.dataSync(), hidden);
  norms.dispose();
  const layers: ClipLayerChannels[] = [];
  let prev = seed;
  for (const l of encoder.layers.items) {
    const a = l.self_attn;
    const qkv = keepColumns([a.q_proj.weight.value, a.k_proj.weight.value, a.v_proj.weight.value], prev, hidden);
    const attnOut = keepColumns([a.out_proj.weight.value], qkv, hidden);
    const mid = keepColumns([l.mlp.fc1.weight.value], attnOut, inter);
    const out = keepColumns([l.mlp.fc2.weight.value], mid, hidden);
    layers.push({ input: prev, qkv, attnOut, inter: mid, out });
    prev = out;
  }
  return { seed, layers };
}

function assignSub(dst: Param, src: Param, r: number[] | null, c: number[]): void {
  const v = tf.tidy(() => (r === null ? tf.gather(src.value, ids(c), 0) : tf.gather(tf.gather(src.value, ids(r), 0), ids(c), 1)));
  dst.assign(v);
  v.dispose();
}

/** Copies the pruned backbone blocks into the side blocks (keyed by backbone layer index); returns the plan. */
export function pruneInitClipSide(encoder: ClipEncoder, seedTable: Tensor, blocks: Map<number, ClipEncoderLayer>, hidden: number, inter: number): ClipChannelPlan {
  const plan = clipChannelPlan(encoder, seedTable, hidden, inter);
  const items = encoder.layers.items;
  for (const [i, side] of blocks) {
    const src = items[i], ch = plan.layers[i];
    assignSub(side.layer_norm1.weight, src.layer_norm1.weight, null, ch.input);
    assignSub(side.layer_norm1.bias, src.layer_norm1.bias, null, ch.input);
    for (const n of ['q_proj', 'k_proj', 'v_proj'] as const) {
      assignSub(side.self_attn[n].weight, src.self_attn[n].weight, ch.input, ch.qkv);
      assignSub(side.self_attn[n].bias!, src.self_attn[n].bias!, null, ch.qkv);
    }
    assignSub(side.self_attn.out_proj.weight, src.self_attn.out_proj.weight, ch.qkv, ch.attnOut);
    assignSub(side.self_attn.out_proj.bias!, src.self_attn.out_proj.bias!, null, ch.attnOut);
    assignSub(side.layer_norm2.weight, src.layer_norm2.weight, null, ch.attnOut);
    assignSub(side.layer_norm2.bias, src.layer_norm2.bias, null, ch.attnOut);
    assignSub(side.mlp.fc1.weight, src.mlp.fc1.weight, ch.attnOut, ch.inter);
    assignSub(side.mlp.fc1.bias!, src.mlp.fc1.bias!, null, ch.inter);
    assignSub(side.mlp.fc2.weight, src.mlp.fc2.weight, ch.inter, ch.out);
    assignSub(side.mlp.fc2.bias!, src.mlp.fc2.bias!, null, ch.out);
  }
  return plan;
}
