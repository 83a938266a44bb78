// A named parameter: one tf.Variable plus what the project needs to know about it (role for BitFit and accounting,
// layout for checkpoint conversion, whether it trains).
import { tf, type Tensor } from '../engine/tf.js';

export type ParamRole = 'weight' | 'bias' | 'norm' | 'embedding' | 'buffer';
/**
 * How the tensor is laid out relative to PyTorch: `linear` weights are stored [in, out] (PyTorch [out, in]);
 * `conv` filters [kh, kw, in, out] (PyTorch [out, in, kh, kw]); `plain` tensors are identical.
 */
export type ParamLayout = 'plain' | 'linear' | 'conv';

let uid = 0;

export class Param {
  readonly variable: tf.Variable;

  constructor(value: Tensor, readonly role: ParamRole, trainable = true, readonly layout: ParamLayout = 'plain') {
    this.variable = tf.variable(value, trainable && role !== 'buffer', `p${uid++}`);
    if (value !== this.variable) value.dispose();
  }

  get trainable(): boolean { return this.variable.trainable; }
  set trainable(t: boolean) {
    if (t && this.role === 'buffer') throw new Error('a buffer (e.g. BatchNorm running statistics) cannot be trained');
    this.variable.trainable = t;
  }

  get value(): tf.Variable { return this.variable; }
  get shape(): number[] { return this.variable.shape as number[]; }
  get size(): number { return this.variable.size; }
  get bytes(): number { return this.variable.size * 4; }

  /** Replaces the value (shape must match). The caller keeps ownership of `t` (dispose it, or assign inside a tidy). */
  assign(t: Tensor): void {
    const s = t.shape as number[];
    if (s.length !== this.shape.length || s.some((d, i) => d !== this.shape[i])) {
      throw new Error(`shape mismatch: parameter is [${this.shape}], value is [${s}]`);
    }
    this.variable.assign(t);
  }

  dispose(): void { this.variable.dispose(); }
}
