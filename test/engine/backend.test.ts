// Backend selection on this machine, where no native TensorFlow package is installed: 'auto' falls back to wasm and
// says why; forced backends report themselves with versions; bad or unavailable names fail with actionable messages.
// Tests in a file run in order in one process: 'auto' runs first, before anything else picks a backend.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { tf } from '../../src/engine/tf.js';
import { initBackend, currentBackend, parseBackendName, BackendError } from '../../src/engine/backend.js';

const require = createRequire(import.meta.url);
const installed = (pkg: string) => { try { require.resolve(pkg); return true; } catch { return false; } };
const version = (pkg: string) => (require(`${pkg}/package.json`) as { version: string }).version;
const nativeInstalled = installed('@tensorflow/tfjs-node') || installed('@tensorflow/tfjs-node-gpu');
const noNative = nativeInstalled ? 'a native TensorFlow package is installed here; these checks assume none is' : false;
// The documented backend names (architecture: RunSpec.backend), written out independently of BACKEND_NAMES.
const VALID = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

test("'auto' falls back to wasm and lists both native fallbacks with their reasons", { skip: noNative }, async () => {
  const info = await initBackend('auto');
  assert.equal(info.requested, 'auto');
  assert.equal(info.name, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.deepEqual(info.fallbacks.map((f) => f.backend), ['tensorflow-gpu', 'tensorflow']);
  assert.match(info.fallbacks[0].reason, /@tensorflow\/tfjs-node-gpu is not installed/);
  assert.match(info.fallbacks[1].reason, /@tensorflow\/tfjs-node is not installed/);
  assert.equal(currentBackend(), info);
});

test("'wasm' and 'cpu' report themselves with versions", async () => {
  const wasm = await initBackend('wasm');
  assert.equal(wasm.name, 'wasm');
  assert.equal(wasm.tfjsBackend, 'wasm');
  assert.deepEqual(wasm.fallbacks, []);
  assert.equal(wasm.versions['tfjs-core'], version('@tensorflow/tfjs-core'));
  assert.equal(wasm.versions['tfjs-backend-wasm'], version('@tensorflow/tfjs-backend-wasm'));
  assert.equal(wasm.versions.node, process.versions.node);
  assert.ok(wasm.wasm && wasm.wasm.threads >= 1, 'wasm reports its thread count');
  const cpu = await initBackend('cpu');
  assert.equal(cpu.name, 'cpu');
  assert.equal(cpu.tfjsBackend, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(cpu.versions['tfjs-core'], version('@tensorflow/tfjs-core'));
  assert.equal(cpu.versions['tfjs-backend-cpu'], version('@tensorflow/tfjs-backend-cpu'));
  assert.equal(cpu.wasm, undefined);
  assert.equal(currentBackend(), cpu);
});

test('an unknown name throws, listing every valid name', async () => {
  for (const attempt of [() => initBackend('tpu'), async () => parseBackendName('WASM')]) {
    await assert.rejects(attempt, (err: unknown) => {
      assert.ok(err instanceof BackendError);
      assert.match(err.message, /unknown backend "(tpu|WASM)"/);
      for (const name of VALID) assert.ok(err.message.includes(name), `message lacks "${name}": ${err.message}`);
      return true;
    });
  }
});

test("forcing 'tensorflow' (or 'tensorflow-gpu') fails with the reason and the backends available here", { skip: noNative }, async () => {
  for (const [name, pkg] of [['tensorflow', '@tensorflow/tfjs-node'], ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu']]) {
    await assert.rejects(initBackend(name), (err: unknown) => {
      assert.ok(err instanceof BackendError);
      assert.ok(err.message.includes(`backend "${name}" cannot be used`), err.message);
      assert.ok(err.message.includes(`${pkg} is not installed`), err.message);
      assert.match(err.message, /Available here: wasm, cpu$/);
      assert.deepEqual(err.available, ['wasm', 'cpu']);
      return true;
    });
  }
  // the engine still works afterwards
  const info = await initBackend('wasm');
  assert.equal(tf.tidy(() => tf.sum(tf.ones([3])).dataSync()[0]), 3);
  assert.equal(info.name, 'wasm');
});
