// Persistent copies the engine keeps besides the parameters themselves, e.g. the transposed frozen weights used by
// frozenLinear's backward pass. The memory probe reports their bytes as "extra copies".
import { tf, type Tensor } from '../tf.js';

interface Entry { source: Tensor; dataId: object; copy: Tensor }

/**
 * 'cache': Wᵀ is made once per frozen weight and kept (fast: wasm's matmul has no fast transposed path, engine notes
 * 1a), at the cost of a second copy of every frozen weight that gradients flow through. 'per-use': Wᵀ is made at
 * each use and freed by the caller's tidy, as PyTorch does: one weight's transpose at a time instead of all of them
 * (T5-base: about 850 MB less), for one transpose per frozen matmul per step.
 */
export type FrozenTransposeMode = 'cache' | 'per-use';

class ExtraCopies {
  private readonly transposes = new Map<number, Entry>();
  private modeValue: FrozenTransposeMode = 'cache';

  get mode(): FrozenTransposeMode { return this.modeValue; }
  /** Switches the mode; cached copies are released when leaving 'cache'. */
  setMode(mode: FrozenTransposeMode): void {
    if (mode !== 'cache') this.release();
    this.modeValue = mode;
  }

  /**
   * Wᵀ for a frozen weight; in 'cache' mode made once and kept until `release`. Remade when W's buffer changed (a variable keeps
   * its id across `assign`, so the id alone would return a stale copy).
   */
  transposed(W: Tensor): tf.Tensor2D {
    // per-use: a plain tensor, freed by the tidy the caller runs in
    if (this.modeValue === 'per-use') return tf.transpose(W as tf.Tensor2D);
    this.prune();
    const e = this.transposes.get(W.id);
    if (e && e.dataId === W.dataId && !e.copy.isDisposed) return e.copy as tf.Tensor2D;
    e?.copy.dispose();
    const copy = tf.keep(tf.transpose(W as tf.Tensor2D));
    this.transposes.set(W.id, { source: W, dataId: W.dataId, copy });
    return copy;
  }

  /** Drops copies whose weight was disposed. */
  private prune(): void {
    for (const [id, e] of this.transposes) if (e.source.isDisposed) { e.copy.dispose(); this.transposes.delete(id); }
  }

  get bytes(): number {
    this.prune();
    let n = 0;
    for (const e of this.transposes.values()) if (!e.copy.isDisposed) n += e.copy.size * 4;
    return n;
  }

  get count(): number { this.prune(); return this.transposes.size; }

  release(): void {
    for (const e of this.transposes.values()) e.copy.dispose();
    this.transposes.clear();
  }
}

export const extraCopies = new ExtraCopies();
