// Trainable-parameter counts of every variant at the official sizes, against the numbers the reference computed
// from the official modules (../shared/docs/unipt-reference.md §2.2, §2.3). The real modules are built (one at a
// time, disposed right after; at most ~10 M floats alive) so the counts come from the same code that trains.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { Rng } from '../../src/engine/rng.js';
import type { Module } from '../../src/nn/module.js';
import {
  VseTextUnipt, VseCnnUnipt, Clip4ClipUnipt, ClipVilUnipt, MdetrUnipt, EncoderDecoderUnipt, paramCount,
} from '../../src/petl/unipt/index.js';

await initBackend('wasm');

function count(make: () => Module): number {
  const m = make();
  try { return paramCount(m); } finally { m.dispose(); }
}
const rng = () => new Rng(0);
const rep = (n: number, w: number) => new Array<number>(n).fill(w);

test('VSE∞ text branch: 13 BERT-base hidden states, embed 1024, D=2 -> 5,921,281', () => {
  assert.equal(count(() => new VseTextUnipt({ hiddenSizes: rep(13, 768), embedSize: 1024, downsampleFactor: 2 }, rng())), 5_921_281);
});

test('VSE∞ image branch: ResNeXt stages [256, 512, 1024, 2048], embed 1024, D=2 -> 6,433,537', () => {
  assert.equal(count(() => new VseCnnUnipt({ hiddenSizes: [256, 512, 1024, 2048], embedSize: 1024, downsampleFactor: 2 }, rng())), 6_433_537);
});

test('VSE∞ total with the two GPO poolers (2 x 12,704) is 12,380,226 (~12.4 M, as the Flickr30K row)', () => {
  const t = count(() => new VseTextUnipt({ hiddenSizes: rep(13, 768), embedSize: 1024 }, rng()));
  const c = count(() => new VseCnnUnipt({ hiddenSizes: [256, 512, 1024, 2048], embedSize: 1024 }, rng()));
  assert.equal(t + c + 2 * 12_704, 12_380_226);
});

test('CLIP4Clip: image 5,644,289 + text 3,940,353 = 9,584,642 (D=1)', () => {
  const image = count(() => new Clip4ClipUnipt({ hiddenSizes: rep(13, 768), embedSize: 512, downsampleFactor: 1 }, rng()));
  const text = count(() => new Clip4ClipUnipt({ hiddenSizes: rep(13, 512), embedSize: 512, downsampleFactor: 1 }, rng()));
  assert.equal(image, 5_644_289);
  assert.equal(text, 3_940_353);
  assert.equal(image + text, 9_584_642);
});

test('CLIP-ViL side: r=2 -> 4,736,641; r=4 -> 2.37 M; r=8 -> 1.19 M', () => {
  const at = (r: number) => count(() => new ClipVilUnipt({ hiddenSize: 768, numLayers: 12, downsampleFactor: r }, rng()));
  assert.equal(at(2), 4_736_641);
  assert.equal((at(4) / 1e6).toFixed(2), '2.37');
  assert.equal((at(8) / 1e6).toFixed(2), '1.19');
});

test('MDETR side (d_model 256, 6+6 layers, select [1, 3, 5]) -> 481,666', () => {
  assert.equal(count(() => new MdetrUnipt({ dModel: 256, numLayers: 6 }, rng())), 481_666);
});

test('T5-base encoder-decoder [INFERRED] (d 768, 12+12 layers, D=8, every layer) matches its closed form', () => {
  // Derived by hand from the design (not from the code): d' = 96,
  // Linear+LN(768->96) = 768*96 + 96 + 2*96; Proj = 96*768 + 768 + 768*96 + 96 + 2*96; gate = 97;
  // per side: guide Down + 12 Down + Proj + gate; crosser 12 x (96*96 + 96 + 2*96); final up 96*768 + 768 + 2*768.
  const down = 768 * 96 + 96 + 2 * 96, proj = 96 * 768 + 768 + 768 * 96 + 96 + 2 * 96, gate = 97;
  const side = down + 12 * down + proj + gate;
  const expected = 2 * side + 12 * (96 * 96 + 96 + 2 * 96) + (96 * 768 + 768 + 2 * 768);
  assert.equal(expected, 2_411_714);
  assert.equal(count(() => new EncoderDecoderUnipt({ dModel: 768, numEncoderLayers: 12, numDecoderLayers: 12 }, rng())), expected);
});

test('running statistics are buffers, not trainable parameters', () => {
  const m = new VseCnnUnipt({ hiddenSizes: [4, 6], embedSize: 8, hwRate: [2, 1], hwSize: [4, 2] }, rng());
  try {
    const buffers = m.namedParameters().filter(([, p]) => p.role === 'buffer').map(([n]) => n);
    assert.deepEqual(buffers.sort(), [
      'downsample_layers.0.1.running_mean', 'downsample_layers.0.1.running_var',
      'downsample_layers.1.1.running_mean', 'downsample_layers.1.1.running_var',
      'projection_layer.1.running_mean', 'projection_layer.1.running_var',
    ]);
    const all = m.namedParameters().filter(([, p]) => p.role !== 'buffer').reduce((a, [, p]) => a + p.size, 0);
    assert.equal(paramCount(m), all);
  } finally { m.dispose(); }
});
