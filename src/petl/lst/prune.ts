// Side-block initialisation by structured magnitude pruning of the backbone, following LST's
// `pruning_without_residual` (pruning_v2) with the weights themselves as importance (LST's `t5-base-v2` option;
// its GLUE runs used squared-gradient Fisher importance, `fisher-v2`, which needs a pass over task data first).
// The pruning is a chain through every backbone layer, including the ones whose side block is dropped:
//   - the word-embedding channels with the largest L1 norm over the vocabulary seed the chain;
//   - each weight keeps the input rows its predecessor selected, then keeps the output columns with the largest L1
//     norm (query/key/value share one selection, scored by the product |Wq| |Wk| |Wv| as LST multiplies the
//     importances); layer norms and biases follow their layer's output selection.
// As in LST ("without residual"), the residual stream is not forced to use one channel set: x and the attention
// output inside a layer may come from different channels. Kept indices stay in ascending order (LST's select_weights).
import { tf, type Tensor } from '../../engine/tf.js';
import type { TextEncoder, BertLayer } from '../../backbones/text/bert.js';
import type { Param } from '../../nn/param.js';

export interface LayerChannels {
  /** Output columns kept for query, key and value (one shared set). */
  qkv: number[];
  /** Output columns of attention.output.dense (and its LayerNorm). */
  attnOut: number[];
  /** Output columns of intermediate.dense. */
  inter: number[];
  /** Output columns of output.dense (and its LayerNorm); the next layer's input rows. */
  out: number[];
}

export interface ChannelPlan { embed: number[]; layers: LayerChannels[] }

/** Indices of the k largest values (ties: lower index first), returned in ascending index order. */
export function topK(values: ArrayLike<number>, k: number): number[] {
  if (k > values.length) throw new Error(`cannot keep ${k} of ${values.length} channels`);
  const idx = Array.from({ length: values.length }, (_, i) => i);
  idx.sort((a, b) => (values[b] - values[a]) || (a - b));
  return idx.slice(0, k).sort((a, b) => a - b);
}

const ids = (a: number[]) => tf.tensor1d(a, 'int32');

/** W [in, out] restricted to the given rows, as a tensor (caller disposes). */
function rows(W: Tensor, r: number[]): Tensor { return tf.gather(W, ids(r), 0); }

/** Column L1 norms of a product of |W_j| (each restricted to rows r) -> top k columns. */
function keepColumns(ws: Tensor[], r: number[], k: number): number[] {
  const norms = tf.tidy(() => {
    let imp = tf.abs(rows(ws[0], r));
    for (const w of ws.slice(1)) imp = tf.mul(imp, tf.abs(rows(w, r)));
    return tf.sum(imp, 0);
  });
  const v = norms.dataSync();
  norms.dispose();
  return topK(v, k);
}

/** Column L1 norms of W [in, out] over the given rows. */
function columnL1(W: Tensor, r: number[]): Float32Array {
  const t = tf.tidy(() => tf.sum(tf.abs(rows(W, r)), 0));
  const v = t.dataSync() as Float32Array;
  t.dispose();
  return v;
}

/**
 * Top-k columns by the product of each weight's column L1 norm over its own rows (the LST side networks of MDETR and
 * T5, whose weights in one selection read different rows).
 */
export function keepColumnsByNormProduct(ws: [Tensor, number[]][], k: number): number[] {
  const n = (ws[0][0].shape as number[])[1];
  const imp = new Float64Array(n).fill(1);
  for (const [W, r] of ws) { const c = columnL1(W, r); for (let j = 0; j < n; j++) imp[j] *= c[j]; }
  return topK(imp, k);
}

/** The channel selections for every backbone layer, with side width `hidden` and side FFN width `inter`. */
export function magnitudeChannelPlan(encoder: TextEncoder, hidden: number, inter: number): ChannelPlan {
  const E = encoder.embeddings.word_embeddings.weight.value;
  const embedNorms = tf.tidy(() => tf.sum(tf.abs(E), 0));
  const embed = topK(embedNorms.dataSync(), hidden);
  embedNorms.dispose();
  const layers: LayerChannels[] = [];
  let prev = embed;
  for (const layer of encoder.encoder.layer.items) {
    const sa = layer.attention.self;
    const qkv = keepColumns([sa.query.weight.value, sa.key.weight.value, sa.value.weight.value], prev, hidden);
    const attnOut = keepColumns([layer.attention.output.dense.weight.value], qkv, hidden);
    const mid = keepColumns([layer.intermediate.dense.weight.value], attnOut, inter);
    const out = keepColumns([layer.output.dense.weight.value], mid, hidden);
    layers.push({ qkv, attnOut, inter: mid, out });
    prev = out;
  }
  return { embed, layers };
}

function assignSub(dst: Param, src: Param, r: number[] | null, c: number[]): void {
  const v = tf.tidy(() => {
    const s = src.value;
    if (r === null) return tf.gather(s, ids(c), 0);   // 1-D: bias, gamma, beta
    return tf.gather(rows(s, r), ids(c), 1);
  });
  dst.assign(v);
  v.dispose();
}

/**
 * Copies the pruned backbone weights into the side blocks (keyed by backbone layer index). Returns the plan, so
 * callers (and tests) can see which channels were kept.
 */
export function pruneInitSideBlocks(encoder: TextEncoder, blocks: Map<number, BertLayer>, hidden: number, inter: number): ChannelPlan {
  const plan = magnitudeChannelPlan(encoder, hidden, inter);
  const items = encoder.encoder.layer.items;
  for (const [i, side] of blocks) {
    const src = items[i];
    const ch = plan.layers[i];
    const inRows = i === 0 ? plan.embed : plan.layers[i - 1].out;
    for (const n of ['query', 'key', 'value'] as const) {
      assignSub(side.attention.self[n].weight, src.attention.self[n].weight, inRows, ch.qkv);
      assignSub(side.attention.self[n].bias!, src.attention.self[n].bias!, null, ch.qkv);
    }
    assignSub(side.attention.output.dense.weight, src.attention.output.dense.weight, ch.qkv, ch.attnOut);
    assignSub(side.attention.output.dense.bias!, src.attention.output.dense.bias!, null, ch.attnOut);
    assignSub(side.attention.output.LayerNorm.weight, src.attention.output.LayerNorm.weight, null, ch.attnOut);
    assignSub(side.attention.output.LayerNorm.bias, src.attention.output.LayerNorm.bias, null, ch.attnOut);
    assignSub(side.intermediate.dense.weight, src.intermediate.dense.weight, ch.attnOut, ch.inter);
    assignSub(side.intermediate.dense.bias!, src.intermediate.dense.bias!, null, ch.inter);
    assignSub(side.output.dense.weight, src.output.dense.weight, ch.inter, ch.out);
    assignSub(side.output.dense.bias!, src.output.dense.bias!, null, ch.out);
    assignSub(side.output.LayerNorm.weight, src.output.LayerNorm.weight, null, ch.out);
    assignSub(side.output.LayerNorm.bias, src.output.LayerNorm.bias, null, ch.out);
  }
  return plan;
}
