// LST on a CNN (src/petl/lst-cnn): the pruning initialisation copies exactly the backbone channels it names (the
// grouped 3x3 conv becomes the same function on the kept channels), the gates mix as sigmoid(alpha / T), gradients
// reach only the side network, and the output has the last stage's shape.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { ResNet, ResNetConfigSchema } from '../../src/backbones/cnn/index.js';
import { LstConfigSchema } from '../../src/petl/lst/config.js';
import { buildCnnLst, cnnSideWidths, topIndices } from '../../src/petl/lst-cnn/index.js';

const cfg = (over: Record<string, unknown> = {}) => ResNetConfigSchema.parse({
  model_type: 'resnet', layers: [1, 1, 1, 1], groups: 4, width_per_group: 32, planes: [8, 8, 16, 16], stem: 'mini', stem_stride: 2, stem_width: 8, ...over,
});
const EVAL = { training: false, rng: new Rng(0) };
before(async () => { await initBackend('wasm'); });

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('topIndices ranks by score and breaks ties by index', () => {
  assert.deepEqual(topIndices([1, 5, 3, 5, 0], 3), [1, 2, 3]);
  assert.deepEqual(topIndices([2, 2, 2], 2), [0, 1]);
});

test('side widths are the backbone widths divided by r', () => {
  const m = new ResNet(cfg(), 0);
  // block widths: floor(planes * 32 / 64) * 4 = [16, 16, 32, 32]; outputs [32, 32, 64, 64]; stem 8
  assert.deepEqual(cnnSideWidths(m, 4), { stem: 2, width: [4, 4, 8, 8], out: [8, 8, 16, 16] });
  m.dispose();
});

test('pruning init: side weights are the named backbone channels; the grouped conv is the same function on them', () => {
  const m = new ResNet(cfg(), 1);
  const { side, plan } = buildCnnLst(m, LstConfigSchema.parse({ r: 4 }), new Rng(2));
  assert.ok(plan);
  const b0 = m.layer2.at(0), s = side.side_block.get('1')!;
  const M = plan!.mid[1], O = plan!.out[1], I = plan!.out[0];
  const W1 = b0.conv1.weight.value.arraySync() as number[][], S1 = s.conv1.weight.value.arraySync() as number[][];
  I.forEach((r, i) => M.forEach((c, j) => assert.equal(S1[i][j], W1[r][c])));
  const W3 = b0.conv3.weight.value.arraySync() as number[][], S3 = s.conv3.weight.value.arraySync() as number[][];
  M.forEach((r, i) => O.forEach((c, j) => assert.equal(S3[i][j], W3[r][c])));
  assert.deepEqual(Array.from(s.bn3.weight.value.dataSync()), O.map((k) => b0.bn3.weight.value.dataSync()[k]));
  // grouped conv of the backbone on an input that is zero outside M, read at M == the side's dense conv on M
  const width = b0.conv2.inChannels;
  const xM = tf.randomNormal([1, 5, 5, M.length]);
  const scatter = tf.tidy(() => {
    const oneHot = tf.oneHot(tf.tensor1d(M, 'int32'), width).toFloat();   // [|M|, width]
    return tf.reshape(tf.matMul(tf.reshape(xM, [25, M.length]), oneHot), [1, 5, 5, width]);
  });
  const full = b0.conv2.forward(scatter), sub = s.conv2.forward(xM);
  const picked = tf.gather(full, tf.tensor1d(M, 'int32'), 3);
  assert.ok(maxDiff(picked.dataSync(), sub.dataSync()) < 1e-5);
  // the stride-2 side block of stage 1 keeps the backbone's stride
  assert.equal(s.conv2.stride, 2);
  tf.dispose([xM, scatter, full, sub, picked]);
  side.dispose(); m.dispose();
});

test('gates: with mu = 0 the side output is the upsampled ladder of the last stage; backbone frozen, side trains', () => {
  const m = new ResNet(cfg(), 3);
  const { side } = buildCnnLst(m, LstConfigSchema.parse({ r: 4, init: 'random', gate_alpha: -100 }), new Rng(4));
  assert.ok(m.parameters().every((p) => !p.trainable));
  assert.ok(side.parameters().filter((p) => p.role !== 'buffer').every((p) => p.trainable));
  const x = tf.randomNormal([2, 32, 32, 3]);
  const o = m.forward(x, EVAL, { keepStem: true });
  const out = side.forward(o.stem!, o.stages, EVAL);
  assert.deepEqual(out.shape, o.stages[3].shape);
  const want = side.side_final_upsample.forward(side.side_downsamples.get('3')!.forward(o.stages[3], EVAL), EVAL);
  assert.ok(maxDiff(out.dataSync(), want.dataSync()) < 1e-5);
  // output 'add' adds the backbone's last stage
  const add = buildCnnLst(m, LstConfigSchema.parse({ r: 4, init: 'random', gate_alpha: -100, output: 'add' }), new Rng(4)).side;
  const out2 = add.forward(o.stem!, o.stages, EVAL);
  assert.ok(maxDiff(out2.dataSync(), tf.add(want, o.stages[3]).dataSync()) < 1e-5);
  // gradients flow to every side parameter (gate alpha = 0: both paths open), never into the backbone
  const open = buildCnnLst(m, LstConfigSchema.parse({ r: 4 }), new Rng(5)).side;
  const vars = open.parameters().filter((p) => p.trainable).map((p) => p.variable);
  const { grads } = tf.variableGrads(() => tf.sum(tf.square(open.forward(o.stem!, o.stages, { training: true, rng: new Rng(0) }))) as tf.Scalar, vars);
  for (const v of vars) assert.ok(tf.any(tf.notEqual(grads[v.name], 0)).dataSync()[0], `no gradient reaches ${v.name}`);
  tf.dispose([x, o.stem!, ...o.stages, out, want, out2, ...Object.values(grads)]);
  side.dispose(); add.dispose(); open.dispose(); m.dispose();
});
