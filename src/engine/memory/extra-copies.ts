// Persistent copies the engine keeps besides the parameters themselves, e.g. the transposed frozen weights used by
// frozenLinear's backward pass. The memory probe reports their bytes as "extra copies".
import { tf, type Tensor } from '../tf.js';

class ExtraCopies {
  private readonly transposes = new Map<number, Tensor>();

  /** Wᵀ for a frozen weight, made once and kept until `release`. */
  transposed(W: Tensor): tf.Tensor2D {
    let t = this.transposes.get(W.id);
    if (!t || t.isDisposed) {
      t = tf.keep(tf.transpose(W as tf.Tensor2D));
      this.transposes.set(W.id, t);
    }
    return t as tf.Tensor2D;
  }

  get bytes(): number {
    let n = 0;
    for (const t of this.transposes.values()) if (!t.isDisposed) n += t.size * 4;
    return n;
  }

  get count(): number { return this.transposes.size; }

  release(): void {
    for (const t of this.transposes.values()) t.dispose();
    this.transposes.clear();
  }
}

export const extraCopies = new ExtraCopies();
