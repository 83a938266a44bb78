// Persistent copies the engine keeps besides the parameters themselves, e.g. the transposed frozen weights used by
// frozenLinear's backward pass. The memory probe reports their bytes as "extra copies".
import { tf, type Tensor } from '../tf.js';

interface Entry { source: Tensor; dataId: object; copy: Tensor }

class ExtraCopies {
  private readonly transposes = new Map<number, Entry>();

  /**
   * Wᵀ for a frozen weight, made once and kept until `release`. Remade when W's buffer changed (a variable keeps
   * its id across `assign`, so the id alone would return a stale copy).
   */
  transposed(W: Tensor): tf.Tensor2D {
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
