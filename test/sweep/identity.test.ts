import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '../../src/sweep/canonical.js';
import { checkpointHash } from '../../src/sweep/checkpoint-hash.js';
import { hashIdentity, identitySpec, RUN_ID_LENGTH, type IdentityVersions } from '../../src/sweep/identity-hash.js';
import type { RunSpec } from '../../src/train/spec.js';
import { runIdentity } from '../../src/sweep/identity.js';
import { resolveRunSpec } from '../../src/train/resolve-spec.js';
import { tinyBackbone } from './harness.js';
import { getTask } from '../../src/registry/index.js';

const spec = (): RunSpec => ({
  task: 'glue-sst2', backbone: 'text-mini', method: { id: 'unipt', config: { downsampleFactor: 2, interaction: 'relu-l1', layers: null } },
  train: { epochs: 2, batchSize: 16, lr: 1e-3, schedule: 'linear', warmupRatio: 0.06, weightDecay: 0, clipNorm: 0, maxSteps: null, maxTrainExamples: null },
  data: { source: 'mini' }, seed: 0, backend: 'auto', memoryProtocol: 'mem-v1',
});
const versions = (): IdentityVersions => ({ method: 'unipt@1', task: 'glue-sst2@1', memoryProtocol: 'mem-v1', data: 'mini:abc', checkpoint: 'c0ffee' });
const idOf = (s: RunSpec, v = versions(), kind: 'mini' | 'folder' = 'mini') => hashIdentity(identitySpec(s, kind), v);

test('canonical JSON does not depend on key order, at any depth', () => {
  assert.equal(canonicalJson({ b: 1, a: { y: [1, { d: 2, c: 3 }], x: null } }), canonicalJson({ a: { x: null, y: [1, { c: 3, d: 2 }] }, b: 1 }));
  assert.equal(canonicalJson({ a: undefined, b: 2 }), '{"b":2}');
  assert.throws(() => canonicalJson({ lr: Number.NaN }));
});

test('the same spec gives the same id, however it was built', () => {
  const a = spec();
  const b = JSON.parse(JSON.stringify({ ...spec(), train: Object.fromEntries(Object.entries(spec().train).reverse()) })) as RunSpec;
  assert.equal(idOf(a), idOf(b));
  assert.match(idOf(a), new RegExp(`^[0-9a-f]{${RUN_ID_LENGTH}}$`));
});

test('every field that changes a number changes the id', () => {
  const base = idOf(spec());
  const mutations: [string, (s: RunSpec) => void][] = [
    ['seed', (s) => { s.seed = 1; }],
    ['lr', (s) => { s.train.lr = 2e-3; }],
    ['epochs', (s) => { s.train.epochs = 3; }],
    ['batch size', (s) => { s.train.batchSize = 8; }],
    ['max steps', (s) => { s.train.maxSteps = 3; }],
    ['warm-up', (s) => { s.train.warmupRatio = 0; }],
    ['method config', (s) => { s.method.config.downsampleFactor = 4; }],
    ['method config layers', (s) => { s.method.config.layers = [1, 3]; }],
    ['method', (s) => { s.method.id = 'lst'; }],
    ['task', (s) => { s.task = 'glue-rte'; }],
    ['backbone', (s) => { s.backbone = 'other-mini'; }],
    ['data source', (s) => { s.data = { source: 'real', path: '/d' }; }],
    ['backend', (s) => { s.backend = 'wasm'; }],
  ];
  const ids = new Set([base]);
  for (const [what, mutate] of mutations) {
    const s = spec();
    mutate(s);
    const id = idOf(s);
    assert.notEqual(id, base, what);
    ids.add(id);
  }
  assert.equal(ids.size, mutations.length + 1);
  for (const key of Object.keys(versions()) as (keyof IdentityVersions)[]) {
    const v = versions();
    v[key] = `${v[key]}-changed`;
    assert.notEqual(idOf(spec(), v), base, `version ${key}`);
  }
});

test('paths are not part of the identity (contents are, through the data fingerprint and checkpoint hash)', () => {
  const a = spec(), b = spec();
  a.data = { source: 'real', path: '/home/u/glue/SST-2' };
  b.data = { source: 'real', path: '/scratch/glue/SST-2' };
  assert.equal(idOf(a), idOf(b));
  a.backbone = '/home/u/models/bert-base';
  b.backbone = '/scratch/bert-base';
  assert.equal(idOf(a, versions(), 'folder'), idOf(b, versions(), 'folder'));
});

test('checkpoint hash: weights, config and tokenizer count; notes next to them do not; an empty folder is an input error', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-ckpt-'));
  try {
    assert.throws(() => checkpointHash(dir), (e: Error) => e.name === 'InputError' && /no weight\/config files/.test(e.message));
    writeFileSync(join(dir, 'config.json'), '{"hidden_size":64}');
    writeFileSync(join(dir, 'model.safetensors'), Buffer.from([1, 2, 3, 4]));
    writeFileSync(join(dir, 'tokenizer.json'), '{}');
    const h0 = checkpointHash(dir);
    writeFileSync(join(dir, 'pretrain.log'), 'loss 1.0');
    writeFileSync(join(dir, 'README.md'), 'notes');
    assert.equal(checkpointHash(dir), h0);
    writeFileSync(join(dir, 'model.safetensors'), Buffer.from([1, 2, 3, 5]));
    const h1 = checkpointHash(dir);
    assert.notEqual(h1, h0);
    writeFileSync(join(dir, 'tokenizer.json'), '{"x":1}');
    assert.notEqual(checkpointHash(dir), h1);
    mkdirSync(join(dir, 'image'));
    const h2 = checkpointHash(dir);
    writeFileSync(join(dir, 'image', 'model.safetensors'), Buffer.from([9]));
    assert.notEqual(checkpointHash(dir), h2, 'sub-folders of two-tower checkpoints count');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('runIdentity on a real spec: versions from the registry, the task family and the checkpoint files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-id-'));
  try {
    const folder = await tinyBackbone(join(dir, 'tiny'));
    const req = { task: 'glue-rte', method: 'lora', backbone: folder, train: { epochs: 1, maxSteps: 3 } };
    const a = runIdentity(resolveRunSpec(req));
    assert.deepEqual(a, runIdentity(resolveRunSpec({ ...req })), 'same spec, same identity');
    assert.equal(a.versions.task, `glue-rte@${getTask('glue-rte').version}`);
    assert.match(a.versions.method, /^lora@/);
    assert.equal(a.versions.memoryProtocol, 'mem-v1');
    assert.equal(a.versions.checkpoint, checkpointHash(folder));
    assert.ok(a.versions.data.length > 0);
    assert.notEqual(runIdentity(resolveRunSpec({ ...req, task: 'glue-sst2' })).versions.data, a.versions.data, 'each task has its own data');
    assert.notEqual(runIdentity(resolveRunSpec({ ...req, seed: 1 })).id, a.id);
    assert.notEqual(runIdentity(resolveRunSpec({ ...req, methodConfig: { r: 4 } })).id, a.id);
    writeFileSync(join(folder, 'model.safetensors'), Buffer.concat([Buffer.from(readFileSync(join(folder, 'model.safetensors'))), Buffer.from([0])]));
    assert.notEqual(runIdentity(resolveRunSpec(req)).id, a.id, 'other weights, another identity');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
