// Trainable-flag helpers for methods that decide which of a module's parameters train (BitFit, adapters, LoRA ...),
// with a snapshot so a method can give the flags back exactly as it found them when it is detached.
import type { Module } from './module.js';
import type { Param } from './param.js';

/** Sets each non-buffer parameter's flag to `pred(name, p)`; returns how many parameters (elements) now train. */
export function setTrainableWhere(m: Module, pred: (name: string, p: Param) => boolean): number {
  let n = 0;
  for (const [name, p] of m.namedParameters()) {
    if (p.role === 'buffer') continue;
    p.trainable = pred(name, p);
    if (p.trainable) n += p.size;
  }
  return n;
}

/** Records every parameter's trainable flag; the returned function restores them. */
export function snapshotTrainable(m: Module): () => void {
  const saved = m.parameters().map((p) => [p, p.trainable] as const);
  return () => { for (const [p, t] of saved) if (p.role !== 'buffer') p.trainable = t; };
}
