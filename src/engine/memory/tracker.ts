// Unique-buffer trackers. tf.memory() counts bytes per Tensor object (views counted twice) and never shows
// activations at a step boundary; these count each underlying buffer once, as it is allocated and freed.
//  - wasm: wraps the module's _malloc/_free, through which every tensor buffer is allocated from JS;
//  - any backend: follows tfjs-core's data ids (a buffer is born when its first tensor is tracked and dies when the
//    backend frees the data id).
import { tf } from '../tf.js';

export interface BufferTracker {
  readonly kind: 'wasm-malloc' | 'data-id';
  readonly liveBytes: number;
  readonly peakBytes: number;
  /** Sets the peak to the current live bytes (start of a measured window). */
  resetPeak(): void;
  uninstall(): void;
}

interface WasmModule { _malloc(n: number): number; _free(p: number): void; HEAPU8: Uint8Array }

function installWasmMallocTracker(): BufferTracker {
  const backend = tf.backend() as unknown as { wasm: WasmModule };
  const m = backend.wasm;
  // Emscripten replaces the lazy export wrappers on first call; resolve them before wrapping.
  m._free(m._malloc(16));
  const origMalloc = m._malloc, origFree = m._free;
  const sizes = new Map<number, number>();
  let live = 0, peak = 0;
  m._malloc = (n: number) => {
    const p = origMalloc(n);
    sizes.set(p >>> 0, n); live += n; if (live > peak) peak = live;
    return p;
  };
  m._free = (p: number) => {
    const n = sizes.get(p >>> 0);
    if (n !== undefined) { live -= n; sizes.delete(p >>> 0); }
    origFree(p);
  };
  return {
    kind: 'wasm-malloc',
    get liveBytes() { return live; },
    get peakBytes() { return peak; },
    resetPeak() { peak = live; },
    uninstall() { m._malloc = origMalloc; m._free = origFree; },
  };
}

interface EngineInternals {
  state: { tensorInfo: WeakMap<object, { bytes: number }> };
  trackTensor(t: tf.Tensor, backend: unknown): void;
  removeDataId(dataId: object, backend: unknown): void;
}

function installDataIdTracker(): BufferTracker {
  const engine = tf.engine() as unknown as EngineInternals;
  const origTrack = engine.trackTensor, origRemove = engine.removeDataId;
  const sizes = new WeakMap<object, number>();
  let live = 0, peak = 0;
  engine.trackTensor = function (this: EngineInternals, t: tf.Tensor, backend: unknown) {
    const isNew = !this.state.tensorInfo.has(t.dataId);
    origTrack.call(this, t, backend);
    if (isNew) {
      const bytes = this.state.tensorInfo.get(t.dataId)?.bytes ?? 0;
      sizes.set(t.dataId, bytes); live += bytes; if (live > peak) peak = live;
    }
  };
  engine.removeDataId = function (this: EngineInternals, dataId: object, backend: unknown) {
    const n = sizes.get(dataId);
    if (n !== undefined) { live -= n; sizes.delete(dataId); }
    origRemove.call(this, dataId, backend);
  };
  return {
    kind: 'data-id',
    get liveBytes() { return live; },
    get peakBytes() { return peak; },
    resetPeak() { peak = live; },
    uninstall() { engine.trackTensor = origTrack; engine.removeDataId = origRemove; },
  };
}

/** The most faithful tracker for the active backend. Install it before creating any model tensor. */
export function installTracker(kind?: 'wasm-malloc' | 'data-id'): BufferTracker {
  const k = kind ?? (tf.getBackend() === 'wasm' ? 'wasm-malloc' : 'data-id');
  if (k === 'wasm-malloc') {
    if (tf.getBackend() !== 'wasm') throw new Error('the wasm-malloc tracker needs the wasm backend');
    return installWasmMallocTracker();
  }
  return installDataIdTracker();
}
