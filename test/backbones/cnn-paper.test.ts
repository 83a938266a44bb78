// The paper-size image encoder of VSE∞ (ResNeXt-101 32x8d) builds with torchvision's parameter count and runs a
// forward pass on a small batch at a reduced resolution (64 x 64; 512 x 512 in the paper), giving the four stage
// maps at strides 4, 8, 16, 32 with 256, 512, 1024, 2048 channels.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { countParams } from '../../src/nn/module.js';
import { ResNet, ResNetConfigSchema, RESNET_PRESETS } from '../../src/backbones/cnn/index.js';

before(async () => { await initBackend('wasm'); });

test('ResNeXt-101 32x8d: 86.7 M parameters (88,791,336 with the ImageNet classifier) and a 64 px forward pass', () => {
  const m = new ResNet(ResNetConfigSchema.parse(RESNET_PRESETS['resnext101-32x8d']), 0);
  m.setTrainable(false);
  assert.equal(countParams(m).total, 88_791_336 - (2048 * 1000 + 1000));
  const x = tf.randomNormal([1, 64, 64, 3]);
  const { stages, channels } = m.forward(x, { training: false, rng: new Rng(0) });
  assert.deepEqual(channels, [256, 512, 1024, 2048]);
  assert.deepEqual(stages.map((s) => s.shape), [[1, 16, 16, 256], [1, 8, 8, 512], [1, 4, 4, 1024], [1, 2, 2, 2048]]);
  for (const s of stages) assert.ok(Number.isFinite(s.sum().dataSync()[0]));
  tf.dispose([x, ...stages]); m.dispose();
});
