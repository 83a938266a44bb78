// Records what each lean op saves for its backward pass, so tests can hold every primitive to its documented
// saved set (the set PyTorch's autograd would keep). Off unless a test turns it on.
import type { Tensor } from '../tf.js';

export interface SaveRecord { op: string; names: string[]; shapes: number[][]; dtypes: string[] }

let log: SaveRecord[] | null = null;

export function startSaveTrace(): void { log = []; }
export function stopSaveTrace(): SaveRecord[] { const l = log ?? []; log = null; return l; }

/** Wraps a customGrad `save` so the saved tensors are recorded under their documented names. */
export function tracedSave(op: string, names: readonly string[], save: (ts: Tensor[]) => void, tensors: Tensor[]): void {
  if (names.length !== tensors.length) throw new Error(`${op}: saves ${tensors.length} tensors but documents ${names.length}`);
  if (log) log.push({ op, names: [...names], shapes: tensors.map((t) => [...t.shape]), dtypes: tensors.map((t) => t.dtype) });
  save(tensors);
}

import { tf } from '../tf.js';

type GradResult = { value: Tensor; gradFunc: (dy: Tensor, saved: Tensor[]) => Tensor | Tensor[] };
/** tf.customGrad with usable types: the wrapped function takes its tensors, then `save`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const customGrad = tf.customGrad as unknown as <F extends (...args: any[]) => GradResult>(f: F) => (...inputs: Tensor[]) => Tensor;
