// MDETR's set criterion on tiny hand-computed cases: soft-token cross-entropy with eos_coef, L1 and GIoU on the
// matched query, the contrastive-align loss, auxiliary outputs matched on their own; and gradients by finite
// differences.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf, type Tensor } from '../../src/engine/tf.js';
import { groundingLoss, layerLosses, matchLayer, MDETR_LOSS_WEIGHTS, type GroundingTarget, type LayerPrediction } from '../../src/tasks/grounding/criterion.js';
import { generalizedIou, cxcywhToXyxy, type Box } from '../../src/tasks/grounding/boxes.js';

before(async () => { await initBackend('wasm'); });

const logSoftmax = (v: number[]) => { const m = Math.max(...v); const s = Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0)) + m; return v.map((x) => x - s); };
const close = (a: number, b: number, tol = 1e-4) => assert.ok(Math.abs(a - b) < tol, `${a} vs ${b}`);

// B = 1, Q = 2 queries, C = 3 outputs (token 0, token 1, no object); one target: tokens 0 and 1, box (0.5,0.5,0.4,0.4)
const logitsV = [[2, 1, 0], [0, 0, 3]];
const boxesV: Box[] = [[0.45, 0.5, 0.4, 0.3], [0.1, 0.1, 0.1, 0.1]];
const tBox: Box = [0.5, 0.5, 0.4, 0.4];
const target: GroundingTarget = { boxes: [tBox], positiveMap: Float32Array.from([0.5, 0.5, 0]), tokenPositive: Uint8Array.from([0, 1, 1]) };
const pred = (): LayerPrediction => ({ logits: tf.tensor3d([logitsV], [1, 2, 3]), boxes: tf.tensor3d([boxesV], [1, 2, 4]), projQueries: null });

test('soft-token CE, L1 and GIoU of the matched query, by hand', () => {
  const p = pred();
  const [m] = matchLayer(p, [target]);
  assert.deepEqual(m, { queries: [0], targets: [0] });
  const parts = layerLosses(p, null, null, [target], [m], 1);
  const l0 = logSoftmax(logitsV[0]), l1 = logSoftmax(logitsV[1]);
  // matched query 0: -(0.5 log p0 + 0.5 log p1); unmatched query 1: -log p(no object), weighted 0.1
  close(parts.ce.dataSync()[0], -(0.5 * l0[0] + 0.5 * l0[1]) + 0.1 * -l1[2]);
  close(parts.bbox.dataSync()[0], 0.05 + 0 + 0 + 0.1);
  close(parts.giou.dataSync()[0], 1 - generalizedIou(cxcywhToXyxy(boxesV[0]), cxcywhToXyxy(tBox)));
  assert.equal(parts.contrastiveAlign, null);
  // total with MDETR's weights, one output: ce + 5 L1 + 2 GIoU
  const total = groundingLoss({ layers: [p], projTokens: null, textMask: null, targets: [target] }).dataSync()[0];
  close(total, parts.ce.dataSync()[0] + 5 * parts.bbox.dataSync()[0] + 2 * parts.giou.dataSync()[0]);
  // no targets: every query is "no object" (weighted 0.1), no box terms, numBoxes clamped to 1
  const empty: GroundingTarget = { boxes: [], positiveMap: new Float32Array(0), tokenPositive: new Uint8Array(0) };
  close(groundingLoss({ layers: [p], projTokens: null, textMask: null, targets: [empty] }).dataSync()[0], 0.1 * (-l0[2] - l1[2]));
});

test('auxiliary outputs are matched on their own and summed with the same weights', () => {
  const a = pred();
  // an auxiliary output where query 1 sits on the target: its matching differs from the final output's
  const b: LayerPrediction = { logits: tf.tensor3d([[[0, 0, 3], [2, 1, 0]]]), boxes: tf.tensor3d([[boxesV[1], boxesV[0]]]), projQueries: null };
  assert.deepEqual(matchLayer(b, [target])[0].queries, [1]);
  const one = (l: LayerPrediction) => groundingLoss({ layers: [l], projTokens: null, textMask: null, targets: [target] }).dataSync()[0];
  close(groundingLoss({ layers: [b, a], projTokens: null, textMask: null, targets: [target] }).dataSync()[0], one(a) + one(b));
  // b is a's queries swapped, so both give the same loss
  close(one(a), one(b));
});

test('contrastive align by hand (padding left out of the logsumexp)', () => {
  // Q = 2, Tt = 3 text positions of which the last is padding; target tokens = positions 1 and 2 -> only 1 is real
  const tgt: GroundingTarget = { boxes: [tBox], positiveMap: Float32Array.from([0.5, 0.5, 0]), tokenPositive: Uint8Array.from([0, 1, 1]) };
  const pq = [[0.6, 0.8], [1, 0]], pt = [[1, 0], [0, 1], [0.6, 0.8]];
  const p: LayerPrediction = { ...pred(), projQueries: tf.tensor3d([pq]) };
  const projTokens = tf.tensor3d([pt]);
  const textMask = tf.tensor2d([[1, 1, 0]]);
  const parts = layerLosses(p, projTokens, textMask, [tgt], [{ queries: [0], targets: [0] }], 1);
  const T = 0.07;
  const logit = (q: number, t: number) => (pq[q][0] * pt[t][0] + pq[q][1] * pt[t][1]) / T;
  const lse = (xs: number[]) => { const m = Math.max(...xs); return m + Math.log(xs.reduce((a, x) => a + Math.exp(x - m), 0)); };
  // MDETR's positive map marks both tokens 1 and 2 for query 0 (the token span), padding included;
  // box -> token (query 0): -(logit(0,1) + logit(0,2)) / 2 + logsumexp over the real tokens 0, 1
  const b2t = -(logit(0, 1) + logit(0, 2)) / 2 + lse([logit(0, 0), logit(0, 1)]);
  // token -> box: tokens 1 and 2 each have one positive query (0): -logit(0,t) + logsumexp over queries
  const t2b = (-logit(0, 1) + lse([logit(0, 1), logit(1, 1)])) + (-logit(0, 2) + lse([logit(0, 2), logit(1, 2)]));
  close(parts.contrastiveAlign!.dataSync()[0], (b2t + t2b) / 2, 1e-3);
});

test('gradients of the criterion match finite differences (fixed matching)', () => {
  const lg = tf.variable(tf.tensor3d([logitsV], [1, 2, 3]));
  // keep boxes away from GIoU's kinks (no ties in min/max)
  const bx = tf.variable(tf.tensor3d([[[0.47, 0.52, 0.37, 0.33], [0.12, 0.09, 0.11, 0.13]]]));
  const f = () => groundingLoss({ layers: [{ logits: lg, boxes: bx, projQueries: null }], projTokens: null, textMask: null, targets: [target] }) as tf.Scalar;
  const { grads } = tf.variableGrads(f, [lg, bx]);
  const eps = 1e-3;
  for (const v of [lg, bx]) {
    const base = v.dataSync().slice();
    const g = grads[v.name].dataSync();
    for (let i = 0; i < base.length; i++) {
      const at = (d: number) => { const x = base.slice(); x[i] += d; v.assign(tf.tensor(x, v.shape)); return f().dataSync()[0]; };
      const fd = (at(eps) - at(-eps)) / (2 * eps);
      v.assign(tf.tensor(base, v.shape));
      assert.ok(Math.abs(fd - g[i]) < 2e-2 * Math.max(1, Math.abs(fd)), `${v.name}[${i}]: analytic ${g[i]}, numeric ${fd}`);
    }
  }
  assert.equal(MDETR_LOSS_WEIGHTS.eosCoef, 0.1);
  tf.dispose([lg, bx] as Tensor[]);
});
