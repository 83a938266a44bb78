// UnsortedSegmentSum is the gradient of tf.gather with respect to the table (a trainable embedding). The wasm
// backend lacks it, and the cpu backend's version loops over every segment with tensor ops (minutes per step for an
// 8,000-row table). This JS kernel is registered for both; it is exact (plain float32 accumulation in index order).
import { tf } from '../tf.js';

// The two backends name their output makers differently: wasm's makeOutput(shape, dtype, memoryOffset, values)
// allocates on the wasm heap; cpu's makeOutput(values, shape, dtype) has another argument order and returns a
// Tensor, so cpu must use makeTensorInfo(shape, dtype, values).
type KernelBackend = {
  readSync(dataId: object): Float32Array | Int32Array | Uint8Array;
  makeOutput(shape: number[], dtype: string, memoryOffset: null, values: Float32Array): tf.TensorInfo;
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
};

let registered = false;

export function registerUnsortedSegmentSum(): void {
  if (registered) return;
  registered = true;
  for (const backendName of ['wasm', 'cpu']) {
    if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
    tf.registerKernel({
      kernelName: 'UnsortedSegmentSum',
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { x, segmentIds } = inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
        const numSegments = (attrs as { numSegments: number }).numSegments;
        const b = backend as unknown as KernelBackend;
        const xv = b.readSync(x.dataId) as Float32Array;
        const ids = b.readSync(segmentIds.dataId);
        const inner = x.shape.slice(segmentIds.shape.length).reduce((p, q) => p * q, 1);
        const out = new Float32Array(numSegments * inner);
        for (let i = 0; i < ids.length; i++) {
          const s = ids[i];
          if (s < 0 || s >= numSegments) continue;
          const o = s * inner, xi = i * inner;
          for (let j = 0; j < inner; j++) out[o + j] += xv[xi + j];
        }
        const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
        return backendName === 'wasm' ? b.makeOutput(shape, 'float32', null, out) : b.makeTensorInfo(shape, 'float32', out);
      },
    });
  }
}
