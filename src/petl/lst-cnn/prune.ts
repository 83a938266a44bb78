// LST's pruning initialisation carried over to the CNN side network [INFERRED, see side.ts]: side block i starts as a
// channel subset of the backbone's block 0 of stage i, channels ranked by weight magnitude (LST's magnitude variant):
//   outputs O_i: the C_i / r output channels whose conv3 (and downsample) filters have the largest L1 norm;
//   mid M_i:     the w_i / r channels of conv1's output with the largest L1 norm;
//   inputs I_i:  O_{i-1} (stage 0: the stem channels whose stem filters have the largest L1 norm).
// conv1 <- conv1[I, M], conv3 <- conv3[M, O], downsample <- downsample[I, O], BN affines <- their kept channels; the
// grouped 3x3 conv becomes a dense one on M with zeros between channels of different groups (exactly the grouped
// conv restricted to M). BN running statistics are not copied (the side BN uses batch statistics).
import { tf } from '../../engine/tf.js';
import type { ResNet, Bottleneck } from '../../backbones/cnn/resnet.js';
import type { Param } from '../../nn/param.js';
import type { CnnLadderSide } from './side.js';

function values(p: Param): Float32Array { return p.value.dataSync() as Float32Array; }

/** Indices of the k largest scores, ascending index order. */
export function topIndices(scores: ArrayLike<number>, k: number): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b] - scores[a] || a - b);
  return idx.slice(0, k).sort((a, b) => a - b);
}

/** L1 norm of each output column of an [in, out] matrix (or the last axis of any filter). */
function columnL1(p: Param): Float32Array {
  const v = values(p), out = p.shape[p.shape.length - 1], s = new Float32Array(out);
  for (let i = 0; i < v.length; i++) s[i % out] += Math.abs(v[i]);
  return s;
}

function assign(p: Param, data: Float32Array): void { tf.tidy(() => p.assign(tf.tensor(data, p.shape))); }

/** [rows, cols] submatrix of a row-major [R, Cc] matrix. */
function sub2d(v: Float32Array, Cc: number, rows: number[], cols: number[]): Float32Array {
  const out = new Float32Array(rows.length * cols.length);
  rows.forEach((r, i) => cols.forEach((c, j) => { out[i * cols.length + j] = v[r * Cc + c]; }));
  return out;
}

function pick(v: Float32Array, idx: number[]): Float32Array { return Float32Array.from(idx, (i) => v[i]); }

export interface CnnPrunePlan { stem: number[]; mid: number[][]; out: number[][] }

export function pruneInitCnnSide(backbone: ResNet, side: CnnLadderSide): CnnPrunePlan {
  const w = side.widths;
  const plan: CnnPrunePlan = { stem: topIndices(columnL1(backbone.conv1.weight), w.stem), mid: [], out: [] };
  let inIdx = plan.stem;
  backbone.stages.forEach((stage, i) => {
    const b: Bottleneck = stage.at(0), s = side.side_block.get(String(i))!;
    const outScore = columnL1(b.conv3.weight);
    if (b.downsample) { const d = columnL1(b.downsample.conv.weight); d.forEach((x, k) => { outScore[k] += x; }); }
    const O = topIndices(outScore, w.out[i]), M = topIndices(columnL1(b.conv1.weight), w.width[i]);
    plan.mid.push(M); plan.out.push(O);
    assign(s.conv1.weight, sub2d(values(b.conv1.weight), b.conv1.outFeatures, inIdx, M));
    assign(s.conv3.weight, sub2d(values(b.conv3.weight), b.conv3.outFeatures, M, O));
    // grouped [3, 3, wg, w] -> dense [3, 3, |M|, |M|]
    const W = values(b.conv2.weight), [kh, kw, wg, width] = b.conv2.weight.shape;
    const dense = new Float32Array(kh * kw * M.length * M.length);
    for (let t = 0; t < kh * kw; t++) {
      M.forEach((cin, bi) => M.forEach((cout, ai) => {
        if (Math.floor(cin / wg) !== Math.floor(cout / wg)) return;
        dense[(t * M.length + bi) * M.length + ai] = W[(t * wg + (cin % wg)) * width + cout];
      }));
    }
    assign(s.conv2.weight, dense);
    for (const [bn, sbn, idx] of [[b.bn1, s.bn1, M], [b.bn2, s.bn2, M], [b.bn3, s.bn3, O]] as const) {
      assign(sbn.weight, pick(values(bn.weight), idx)); assign(sbn.bias, pick(values(bn.bias), idx));
    }
    if (b.downsample && s.downsample) {
      assign(s.downsample.conv.weight, sub2d(values(b.downsample.conv.weight), b.downsample.conv.outFeatures, inIdx, O));
      assign(s.downsample.bn.weight, pick(values(b.downsample.bn.weight), O));
      assign(s.downsample.bn.bias, pick(values(b.downsample.bn.bias), O));
    }
    inIdx = O;
  });
  return plan;
}
