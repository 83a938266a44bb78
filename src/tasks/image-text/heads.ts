// The parts of VSE∞ between the backbones and the joint space (lib/encoders.py), all trainable in every method:
// - image: EncoderImageAggr for precomp_enc_type 'backbone': fc (xavier-uniform, zero bias) plus a residual 2-layer
//   MLP (Linear -> BatchNorm1d -> ReLU -> Linear, hidden embed/2) over every grid feature;
// - text: EncoderText's Linear(hidden, embed) over every token;
// - random grid-feature dropping during training (EncoderImageFull: each image keeps all features with p = 0.2,
//   otherwise drops each feature with p = 0.2 * U(0, 1); kept features move to the front, lengths shrink);
// - l2 normalisation of the pooled embeddings.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import { Module, ModuleList, type ForwardCtx } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import { BatchNorm } from '../../backbones/cnn/layers.js';

/** VSE∞'s MLP(in, hidden, out, 2 layers): Linear -> BatchNorm1d (batch statistics) -> ReLU -> Linear. */
export class VseMlp extends Module {
  readonly layers: ModuleList<Linear>;
  /** Only bns.0 is used (VSE∞ also builds a BN for the output layer and never applies it; it is left out). */
  readonly bns: ModuleList<BatchNorm>;
  constructor(inDim: number, hidden: number, out: number, rng: Rng) {
    super();
    this.layers = this.addChild('layers', new ModuleList([new Linear(inDim, hidden, rng.fork('0')), new Linear(hidden, out, rng.fork('1'))]));
    const bn = new BatchNorm(hidden);
    bn.mode = 'batch';
    this.bns = this.addChild('bns', new ModuleList([bn]));
  }
  /** x: [rows, in] -> [rows, out]. */
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    const h = ops().relu(this.bns.at(0).forward(this.layers.at(0).forward(x, ctx), ctx));
    return this.layers.at(1).forward(h, ctx);
  }
}

export class ImageAggr extends Module {
  readonly fc: Linear;
  readonly mlp: VseMlp;
  constructor(readonly imgDim: number, readonly embed: number, rng: Rng) {
    super();
    this.fc = this.addChild('fc', new Linear(imgDim, embed, rng.fork('fc'), { init: 'xavier-uniform' }));
    this.mlp = this.addChild('mlp', new VseMlp(imgDim, Math.max(1, Math.floor(embed / 2)), embed, rng.fork('mlp')));
  }

  /** x: [B, N, imgDim] -> [B, N, embed]. */
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    const [B, N] = x.shape;
    const m = tf.reshape(this.mlp.forward(tf.reshape(x, [B * N, this.imgDim]), ctx), [B, N, this.embed]);
    return tf.add(m, this.fc.forward(x, ctx));
  }
}

/**
 * VSE∞'s training-time grid dropping. Returns the features with kept positions first (zeros after) and the new
 * lengths; the batch keeps the longest kept length.
 */
export function dropGrid(features: Tensor, rng: Rng): { features: Tensor; lengths: number[] } {
  const [B, N, D] = features.shape;
  const rows: number[][] = [];
  for (let b = 0; b < B; b++) {
    const r2 = rng.next();
    const keep: number[] = [];
    for (let n = 0; n < N; n++) { const r1 = rng.next(); if (r2 <= 0.2 || r1 > 0.2 * r2) keep.push(n); }
    if (!keep.length) keep.push(0);   // VSE∞ could keep none only with probability ~0; keep one feature
    rows.push(keep);
  }
  const T = Math.max(...rows.map((r) => r.length));
  const zero = B * N;   // index of an appended zero row
  const idx = new Int32Array(B * T).fill(zero);
  rows.forEach((r, b) => r.forEach((n, t) => { idx[b * T + t] = b * N + n; }));
  const table = tf.concat([tf.reshape(features, [B * N, D]), tf.zeros([1, D])], 0);
  const out = tf.reshape(tf.gather(table, tf.tensor1d(idx, 'int32')), [B, T, D]);
  return { features: out, lengths: rows.map((r) => r.length) };
}

/** x / ||x||_2 along the last axis (VSE∞ l2norm: x / (sqrt(sum x^2) + 1e-8)). */
export function l2norm(x: Tensor): Tensor {
  return tf.div(x, tf.add(tf.sqrt(tf.sum(tf.square(x), -1, true)), 1e-8));
}
