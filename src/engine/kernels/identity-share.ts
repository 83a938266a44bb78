// tfjs-backend-wasm's Identity kernel copies its input into a new buffer, and tfjs-core saves every tensor kept for
// a backward pass through Identity (engine.saveTensorsForBackwardMode -> clone). On wasm that made each saved tensor
// a full copy: a linear layer's saved W duplicated the weight, and one hidden state saved by the q, k and v linears
// and a LayerNorm was held four times, unlike PyTorch (and tfjs's cpu backend), where saved tensors share storage.
// tfjs tensors are immutable and the wasm backend reference-counts buffers (its Reshape already shares), so Identity
// can share the buffer too: this replaces the wasm kernel with the cpu backend's behaviour.
import { tf } from '../tf.js';

interface RefCountingBackend { incRef(dataId: object): void }

let registered = false;

export function registerSharingIdentity(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel('Identity', 'wasm')) tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => {
      const x = (inputs as { x: tf.TensorInfo }).x;
      (backend as unknown as RefCountingBackend).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
