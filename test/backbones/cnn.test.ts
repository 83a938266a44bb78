// The ResNet/ResNeXt backbone: stage shapes and strides, parameter counts against torchvision's published sizes,
// BatchNorm modes, the PETL host, and checkpoint loading errors (file, tensor and fix named).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../src/engine/backend.js';
import { tf } from '../../src/engine/tf.js';
import { Rng } from '../../src/engine/rng.js';
import { countParams } from '../../src/nn/module.js';
import {
  ResNet, ResNetConfigSchema, RESNET_PRESETS, resnetParamCount, saveResNet, loadResNet, resnetTensors, BatchNorm,
} from '../../src/backbones/cnn/index.js';
import { writeSafetensors } from '../../src/backbones/hf/safetensors.js';
import { cnnHost } from '../../src/petl/hosts/cnn.js';
import { applyThroughBackbone } from '../../src/petl/apply.js';

const tiny = (over: Record<string, unknown> = {}) => ResNetConfigSchema.parse({
  model_type: 'resnet', layers: [1, 2, 1, 1], groups: 2, width_per_group: 32, planes: [4, 8, 8, 16], stem: 'mini', stem_width: 8, ...over,
});
const EVAL = { training: false, rng: new Rng(0) };
let work = '';
before(async () => { await initBackend('wasm'); work = mkdtempSync(join(tmpdir(), 'cnn-test-')); });
process.on('exit', () => { if (work) rmSync(work, { recursive: true, force: true }); });

test('parameter counts equal torchvision\'s published sizes minus the 1000-way classifier', () => {
  const fc = 2048 * 1000 + 1000;
  // torchvision model cards: resnet50 25,557,032; resnet101 44,549,160; resnext101_32x8d 88,791,336
  assert.equal(resnetParamCount(ResNetConfigSchema.parse(RESNET_PRESETS.resnet50)), 25_557_032 - fc);
  assert.equal(resnetParamCount(ResNetConfigSchema.parse(RESNET_PRESETS.resnet101)), 44_549_160 - fc);
  assert.equal(resnetParamCount(ResNetConfigSchema.parse(RESNET_PRESETS['resnext101-32x8d'])), 88_791_336 - fc);
  // and the formula agrees with the modules actually built
  for (const c of [tiny(), tiny({ stem: 'imagenet', groups: 1, width_per_group: 64 })]) {
    const m = new ResNet(c, 0);
    assert.equal(countParams(m).total, resnetParamCount(c));
    m.dispose();
  }
});

test('stage outputs have the documented strides and channels (mini and ImageNet stems, odd sizes)', () => {
  const cases: [ReturnType<typeof tiny>, number, number[][]][] = [
    [tiny(), 16, [[16, 16], [8, 8], [4, 4], [2, 2]]],
    [tiny({ stem: 'imagenet' }), 64, [[16, 16], [8, 8], [4, 4], [2, 2]]],
    // PyTorch: 7x7/2 pad 3 -> ceil, max-pool 3/2 pad 1 -> ceil, 3x3/2 pad 1 -> ceil
    [tiny({ stem: 'imagenet' }), 37, [[10, 10], [5, 5], [3, 3], [2, 2]]],
  ];
  for (const [c, S, sizes] of cases) {
    const m = new ResNet(c, 1);
    const x = tf.randomNormal([2, S, S, 3]);
    const { stages, channels } = m.forward(x, EVAL);
    assert.deepEqual(channels, [16, 32, 32, 64]);
    stages.forEach((s, i) => assert.deepEqual(s.shape, [2, ...sizes[i], channels[i]], `stage ${i} of a ${S}px input, stem ${c.stem}`));
    if (S % 32 === 0 || c.stem === 'mini') assert.deepEqual(m.strides.map((st) => S / st), sizes.map((z) => z[0]));
    tf.dispose([x, ...stages]); m.dispose();
  }
});

test('forward leaves no tensors behind besides the four stage outputs', () => {
  const m = new ResNet(tiny(), 2);
  const x = tf.randomNormal([2, 16, 16, 3]);
  const before = tf.memory().numTensors;
  const { stages } = m.forward(x, EVAL);
  assert.equal(tf.memory().numTensors, before + 4);
  tf.dispose([x, ...stages]); m.dispose();
});

test('BatchNorm: running mode uses the running statistics; batch mode normalises with the batch and updates them', () => {
  const bn = new BatchNorm(2, 1e-5, 0.1);
  tf.tidy(() => { bn.running_mean.assign(tf.tensor1d([1, -1])); bn.running_var.assign(tf.tensor1d([4, 0.25])); });
  const x = tf.tensor4d([[[[3, 0], [5, 1]]]]);   // [1,1,2,2]: channel 0 values 3, 5; channel 1 values 0, 1
  const y1 = bn.forward(x, { training: true, rng: new Rng(0) });
  // (x - mean) / sqrt(var + eps): channel 0: (3-1)/2 = 1, (5-1)/2 = 2; channel 1: (0+1)/0.5 = 2, (1+1)/0.5 = 4
  assert.deepEqual(Array.from(y1.dataSync()).map((v) => Math.round(v * 1e3) / 1e3), [1, 2, 2, 4]);
  bn.mode = 'batch';
  const y2 = bn.forward(x, { training: true, rng: new Rng(0) });
  // batch stats: channel 0 mean 4, biased var 1 -> -1, 1; channel 1 mean 0.5, var 0.25 -> -1, 1
  assert.deepEqual(Array.from(y2.dataSync()).map((v) => Math.round(v * 1e3) / 1e3), [-1, -1, 1, 1]);
  // running: 0.9 old + 0.1 batch (unbiased variance, n = 2: 2 and 0.5)
  const rm = Array.from(bn.running_mean.value.dataSync()), rv = Array.from(bn.running_var.value.dataSync());
  assert.ok(Math.abs(rm[0] - (0.9 + 0.4)) < 1e-6 && Math.abs(rm[1] - (-0.9 + 0.05)) < 1e-6, `running mean ${rm}`);
  assert.ok(Math.abs(rv[0] - (3.6 + 0.2)) < 1e-6 && Math.abs(rv[1] - (0.225 + 0.05)) < 1e-6, `running var ${rv}`);
  // evaluation ignores the batch even in batch mode
  const y3 = bn.forward(x, EVAL);
  assert.notDeepEqual(Array.from(y3.dataSync()), Array.from(y2.dataSync()));
  tf.dispose([x, y1, y2, y3]); bn.dispose();
});

test('the CNN host: BitFit trains exactly the BN betas, full trains everything but the statistics', () => {
  const m = new ResNet(tiny(), 3);
  const host = cnnHost(m, { family: 'vse' });
  m.setTrainable(false);
  const flags = () => m.parameters().map((p) => p.trainable);
  const before = flags();
  assert.equal(host.prompt, null);
  assert.deepEqual(host.loraTargets, []);
  assert.deepEqual(host.adapterSites, []);
  const bit = applyThroughBackbone('bitfit', host, {}, new Rng(0));
  const trainable = m.namedParameters().filter(([, p]) => p.trainable).map(([n]) => n);
  assert.ok(trainable.length > 0 && trainable.every((n) => /bn\d\.bias$|downsample\.1\.bias$/.test(n)), trainable.join(', '));
  assert.equal(trainable.length, m.namedParameters().filter(([n]) => n.endsWith('.bias')).length);
  bit.detach();
  assert.deepEqual(flags(), before, 'detach restores the trainable flags');
  const full = applyThroughBackbone('full', host, {}, new Rng(0));
  for (const [n, p] of m.namedParameters()) assert.equal(p.trainable, p.role !== 'buffer', n);
  full.detach();
  assert.throws(() => applyThroughBackbone('lora', host, {}, new Rng(0)), /no linear layer of the vse backbone matches targets/);
  assert.throws(() => applyThroughBackbone('prompt', host, {}, new Rng(0)), /declares no prompt site/);
  // opt-in stage adapters: residual 1x1-conv bottlenecks after each stage, output shapes unchanged
  const withAdapters = cnnHost(m, { family: 'vse', stageAdapters: true });
  assert.deepEqual(withAdapters.adapterSites.map((s) => s.site), ['layer1:output', 'layer2:output', 'layer3:output', 'layer4:output']);
  const ad = applyThroughBackbone('adapter', withAdapters, { reduction_factor: 4 }, new Rng(0));
  const x = tf.randomNormal([1, 16, 16, 3]);
  const { stages } = m.forward(x, EVAL);
  assert.deepEqual(stages.map((s) => s.shape[3]), [16, 32, 32, 64]);
  tf.dispose([x, ...stages]); ad.detach(); m.dispose();
});

test('checkpoint loading: a prefixed checkpoint is found; missing, extra and misshapen tensors are named', () => {
  const m = new ResNet(tiny(), 4);
  const good = join(work, 'good');
  saveResNet(good, m);
  const cfg = JSON.stringify({ model_type: 'resnet', layers: [1, 2, 1, 1], groups: 2, width_per_group: 32, planes: [4, 8, 8, 16], stem: 'mini', stem_width: 8 });
  // MDETR-style prefix plus an ImageNet classifier
  const pre = join(work, 'prefixed');
  mkdirSync(pre);
  const tensors = Object.fromEntries(Object.entries(resnetTensors(m)).map(([k, v]) => [`backbone.0.body.${k}`, v]));
  writeSafetensors(join(pre, 'model.safetensors'), { ...tensors, 'backbone.0.body.fc.weight': { dtype: 'F32', shape: [2, 64], data: new Float32Array(128) } });
  writeFileSync(join(pre, 'config.json'), cfg);
  const loaded = loadResNet(pre, { seed: 0 });
  assert.equal(loaded.report.prefix, 'backbone.0.body.');
  assert.ok(loaded.report.ignored.includes('backbone.0.body.fc.weight'));
  assert.deepEqual(Array.from(loaded.model.getParam('layer2.1.conv2.weight').value.dataSync()), Array.from(m.getParam('layer2.1.conv2.weight').value.dataSync()));
  loaded.model.dispose();

  const all = resnetTensors(m);
  const variants: [string, Record<string, unknown>, RegExp][] = [
    ['missing', Object.fromEntries(Object.entries(all).filter(([k]) => k !== 'layer3.0.bn2.running_var')), /missing ResNet tensors: layer3\.0\.bn2\.running_var/],
    ['extra', { ...all, 'layer5.0.conv1.weight': { dtype: 'F32', shape: [1], data: [0] } }, /no matching ResNet parameter: layer5\.0\.conv1\.weight/],
    // groups 2: width 4 -> [out 4, in/groups 2, 3, 3]; a file written for groups 1 has [4, 4, 3, 3]
    ['shape', { ...all, 'layer1.0.conv2.weight': { dtype: 'F32', shape: [4, 4, 3, 3], data: new Float32Array(144) } }, /"layer1\.0\.conv2\.weight" has shape \[4,4,3,3\] but the model built from config\.json needs \[4,2,3,3\]/],
  ];
  for (const [name, t, re] of variants) {
    const d = join(work, name);
    mkdirSync(d);
    writeSafetensors(join(d, 'model.safetensors'), t as never);
    writeFileSync(join(d, 'config.json'), cfg);
    assert.throws(() => loadResNet(d), (e: Error) => re.test(e.message) && e.message.includes(d), name);
  }
  const bad = join(work, 'badcfg');
  mkdirSync(bad);
  writeSafetensors(join(bad, 'model.safetensors'), all);
  writeFileSync(join(bad, 'config.json'), JSON.stringify({ model_type: 'resnet', layers: [1, 2, 1], hidden_sizes: [1, 2, 3, 4] }));
  assert.throws(() => loadResNet(bad), /config\.json is not a valid configuration: key "layers"/);
  assert.ok(good);
  m.dispose();
});
