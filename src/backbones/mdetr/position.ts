// Position encodings of the image feature map (DETR's models/position_encoding.py, which MDETR reuses).
// Sine (default): with `notMask` the valid (unpadded) positions, y = cumsum over rows, x = cumsum over columns, both
// normalised by their last value and scaled by 2π; for feature k of num_pos_feats = d/2,
//   dim_t(k) = 10000^(2 floor(k/2) / num_pos_feats),  pos = [sin/cos interleaved of y / dim_t ; same of x / dim_t]
// (y features first, then x), even k -> sin, odd k -> cos. Computed on plain numbers: it has no parameters.
// Learned: row and column embedding tables of 50 entries each (DETR's PositionEmbeddingLearned), [col ; row].
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module } from '../../nn/module.js';
import { Embedding } from '../../nn/layers.js';
import * as init from '../../nn/init.js';

/**
 * Sine encoding [B, H*W, 2 * numPosFeats] for validity masks [B][H*W] (1 = valid pixel; null = all valid), rows
 * first (position index = y * W + x).
 */
export function sinePositionEncoding(B: number, H: number, W: number, numPosFeats: number, validity: ArrayLike<number>[] | null = null, temperature = 10000): Float32Array {
  const d = 2 * numPosFeats;
  const out = new Float32Array(B * H * W * d);
  const scale = 2 * Math.PI, eps = 1e-6;
  const dimT = Float64Array.from({ length: numPosFeats }, (_, k) => temperature ** ((2 * Math.floor(k / 2)) / numPosFeats));
  for (let b = 0; b < B; b++) {
    const v = validity?.[b];
    if (v && v.length !== H * W) throw new Error(`position encoding: mask ${b} has ${v.length} entries for a ${H}x${W} map`);
    const ok = (y: number, x: number) => (v ? (v[y * W + x] ? 1 : 0) : 1);
    // cumulative sums along y (per column) and x (per row)
    const ye = new Float64Array(H * W), xe = new Float64Array(H * W);
    for (let x = 0; x < W; x++) { let s = 0; for (let y = 0; y < H; y++) { s += ok(y, x); ye[y * W + x] = s; } }
    for (let y = 0; y < H; y++) { let s = 0; for (let x = 0; x < W; x++) { s += ok(y, x); xe[y * W + x] = s; } }
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const yn = (ye[i] / (ye[(H - 1) * W + x] + eps)) * scale;
      const xn = (xe[i] / (xe[y * W + W - 1] + eps)) * scale;
      const o = ((b * H + y) * W + x) * d;
      for (let k = 0; k < numPosFeats; k++) {
        const py = yn / dimT[k], px = xn / dimT[k];
        out[o + k] = k % 2 === 0 ? Math.sin(py) : Math.cos(py);
        out[o + numPosFeats + k] = k % 2 === 0 ? Math.sin(px) : Math.cos(px);
      }
    }
  }
  return out;
}

/** DETR's PositionEmbeddingLearned: row_embed and col_embed tables (50 x d/2, uniform init). */
export class LearnedPositionEncoding extends Module {
  readonly row_embed: Embedding;
  readonly col_embed: Embedding;
  constructor(readonly numPosFeats: number, rng: Rng, readonly maxSide = 50) {
    super();
    this.row_embed = this.addChild('row_embed', new Embedding(maxSide, numPosFeats, rng));
    this.col_embed = this.addChild('col_embed', new Embedding(maxSide, numPosFeats, rng));
    for (const e of [this.row_embed, this.col_embed]) {
      const u = init.uniform([maxSide, numPosFeats], 0, 1, rng);
      e.weight.assign(u);
      u.dispose();
    }
  }
  /** [B, H*W, 2 * numPosFeats]: [col_embed[x] ; row_embed[y]]. */
  forward(B: number, H: number, W: number): Tensor {
    if (H > this.maxSide || W > this.maxSide) throw new Error(`learned position encoding covers ${this.maxSide}x${this.maxSide} maps, got ${H}x${W}`);
    const f = this.numPosFeats;
    return tf.tidy(() => {
      const cols = tf.slice(this.col_embed.weight.value, [0, 0], [W, f]);
      const rows = tf.slice(this.row_embed.weight.value, [0, 0], [H, f]);
      const grid = tf.concat([tf.tile(tf.reshape(cols, [1, W, f]), [H, 1, 1]), tf.tile(tf.reshape(rows, [H, 1, f]), [1, W, 1])], -1);
      return tf.tile(tf.reshape(grid, [1, H * W, 2 * f]), [B, 1, 1]);
    });
  }
}
