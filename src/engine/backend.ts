// Backend selection. `auto` prefers native TensorFlow (GPU, then CPU) when it loads and passes a smoke test, then
// wasm, then the pure-JS cpu backend. A forced backend that cannot load is an error naming the reason and the
// backends that do load here. What was chosen, and every fallback on the way, goes into each RunResult.
import { createRequire } from 'node:module';
import { tf } from './tf.js';
import { registerUnsortedSegmentSum } from './kernels/unsorted-segment-sum.js';
import { registerSharingIdentity } from './kernels/identity-share.js';

export const BACKEND_NAMES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type ConcreteBackend = Exclude<BackendName, 'auto'>;

export interface BackendFallback { backend: ConcreteBackend; reason: string }

export interface BackendInfo {
  requested: BackendName;
  /** The backend actually used. */
  name: ConcreteBackend;
  /** The tfjs backend id registered with tfjs-core ('tensorflow', 'wasm', 'cpu'). */
  tfjsBackend: string;
  /** Backends tried before the chosen one, with why each was not used. */
  fallbacks: BackendFallback[];
  versions: Record<string, string>;
  wasm?: { threads: number; simd: boolean };
}

export class BackendError extends Error {
  constructor(message: string, readonly available: ConcreteBackend[]) { super(message); this.name = 'BackendError'; }
}

const require = createRequire(import.meta.url);

function packageVersion(pkg: string): string | undefined {
  try { return (require(`${pkg}/package.json`) as { version: string }).version; } catch { return undefined; }
}

const NATIVE_PACKAGE: Record<'tensorflow-gpu' | 'tensorflow', string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** Explains why a native package failed to load, in the words a user can act on. */
function nativeReason(pkg: string, err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/Cannot find (module|package) '@tensorflow\/tfjs-node/.test(msg) && msg.includes(pkg)) {
    return `${pkg} is not installed (it is an optional dependency whose install downloads libtensorflow, which needs internet access)`;
  }
  if (/tfjs_binding\.node|libtensorflow/.test(msg)) return `libtensorflow not found for ${pkg}: ${msg.split('\n')[0]}`;
  return `${pkg} failed to load: ${msg.split('\n')[0]}`;
}

async function smokeTest(): Promise<void> {
  const y = tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).sum());
  const v = (await y.data())[0];
  y.dispose();
  if (v !== 12) throw new Error(`smoke test returned ${v}, expected 12`);
}

async function tryNative(which: 'tensorflow-gpu' | 'tensorflow'): Promise<string | null> {
  const pkg = NATIVE_PACKAGE[which];
  try {
    await import(pkg);
  } catch (err) {
    return nativeReason(pkg, err);
  }
  try {
    // both native packages register themselves as 'tensorflow'
    if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but the 'tensorflow' backend did not initialise`;
    await smokeTest();
    if (which === 'tensorflow-gpu') {
      // tfjs-node-gpu silently runs on CPU when CUDA is missing; require a visible GPU for this name
      const gpu = await probeCudaDevice();
      if (gpu) return gpu;
    }
    return null;
  } catch (err) {
    return `${pkg} loaded but failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
}

async function probeCudaDevice(): Promise<string | null> {
  try {
    const { existsSync } = await import('node:fs');
    if (!existsSync('/dev/nvidiactl') && !process.env.CUDA_VISIBLE_DEVICES) return 'no CUDA device visible (/dev/nvidiactl absent)';
    return null;
  } catch { return null; }
}

async function tryWasm(): Promise<string | null> {
  try {
    if (!(await tf.setBackend('wasm'))) return 'the wasm backend did not initialise';
    await smokeTest();
    return null;
  } catch (err) {
    return `wasm failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
}

async function tryCpu(): Promise<string | null> {
  try {
    if (!(await tf.setBackend('cpu'))) return 'the cpu backend did not initialise';
    await smokeTest();
    return null;
  } catch (err) {
    return `cpu failed: ${err instanceof Error ? err.message : String(err)}`;
  }
}

const TRY: Record<ConcreteBackend, () => Promise<string | null>> = {
  'tensorflow-gpu': () => tryNative('tensorflow-gpu'),
  tensorflow: () => tryNative('tensorflow'),
  wasm: tryWasm,
  cpu: tryCpu,
};

const AUTO_ORDER: ConcreteBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

export function parseBackendName(name: string): BackendName {
  if ((BACKEND_NAMES as readonly string[]).includes(name)) return name as BackendName;
  throw new BackendError(`unknown backend "${name}"; valid backends: ${BACKEND_NAMES.join(', ')}`, []);
}

let current: BackendInfo | null = null;

/** The backend chosen by initBackend in this process (throws if none was chosen yet). */
export function currentBackend(): BackendInfo {
  if (!current) throw new Error('initBackend() has not been called in this process');
  return current;
}

/** Which concrete backends load on this machine (tries each; leaves the engine on the last one that worked). */
export async function availableBackends(): Promise<{ backend: ConcreteBackend; ok: boolean; reason?: string }[]> {
  const out: { backend: ConcreteBackend; ok: boolean; reason?: string }[] = [];
  for (const b of AUTO_ORDER) {
    const reason = await TRY[b]();
    out.push(reason ? { backend: b, ok: false, reason } : { backend: b, ok: true });
  }
  return out;
}

export async function initBackend(requested: BackendName | string = 'auto'): Promise<BackendInfo> {
  const req = parseBackendName(String(requested));
  // idempotent: a process keeps the backend it chose (trackers and kernels are bound to it)
  if (current && current.requested === req && tf.getBackend() === current.tfjsBackend) return current;
  registerUnsortedSegmentSum();
  registerSharingIdentity();
  const fallbacks: BackendFallback[] = [];
  let chosen: ConcreteBackend | null = null;
  if (req === 'auto') {
    for (const b of AUTO_ORDER) {
      const reason = await TRY[b]();
      if (!reason) { chosen = b; break; }
      fallbacks.push({ backend: b, reason });
    }
    if (!chosen) throw new BackendError(`no backend could be loaded: ${fallbacks.map((f) => `${f.backend}: ${f.reason}`).join('; ')}`, []);
  } else {
    const reason = await TRY[req]();
    if (reason) {
      const avail = (await availableBackends()).filter((a) => a.ok).map((a) => a.backend);
      throw new BackendError(`backend "${req}" cannot be used: ${reason}. Available here: ${avail.join(', ') || 'none'}`, avail);
    }
    chosen = req;
  }
  await tf.ready();
  const versions: Record<string, string> = { ...tf.version } as Record<string, string>;
  const wasmVersion = packageVersion('@tensorflow/tfjs-backend-wasm');
  if (wasmVersion) versions['tfjs-backend-wasm'] = wasmVersion;
  if (chosen === 'tensorflow-gpu' || chosen === 'tensorflow') {
    const v = packageVersion(NATIVE_PACKAGE[chosen]);
    if (v) versions[NATIVE_PACKAGE[chosen]] = v;
  }
  versions.node = process.versions.node;
  const info: BackendInfo = { requested: req, name: chosen, tfjsBackend: tf.getBackend(), fallbacks, versions };
  if (chosen === 'wasm') {
    const wasmMod = await import('@tensorflow/tfjs-backend-wasm');
    info.wasm = { threads: wasmMod.getThreadsCount(), simd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) };
  }
  current = info;
  return info;
}
