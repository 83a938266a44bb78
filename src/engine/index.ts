export { tf, type Tensor, type Variable } from './tf.js';
export { Rng, hashSeed } from './rng.js';
export { initBackend, currentBackend, availableBackends, parseBackendName, BackendError, BACKEND_NAMES, type BackendName, type BackendInfo, type ConcreteBackend } from './backend.js';
export * from './ops/index.js';
export { installTracker, type BufferTracker } from './memory/tracker.js';
export { MemoryProbe, MEMORY_PROTOCOL, sumBreakdown, type MemoryReport, type MemoryBreakdown, type PersistentParts } from './memory/probe.js';
export { extraCopies } from './memory/extra-copies.js';
export { procStatusBytes, wasmHeapBytes } from './memory/process.js';
