// Memory protocol mem-v1: the peak of unique live tensor bytes over every training step of the run (warm-up
// included), measured in a fresh process with frozen-only computation outside the gradient tape. The peak is split
// into persistent parts (frozen parameters, trainable parameters, optimizer state, extra copies such as
// pre-transposed frozen weights, other persistent tensors) and the transient part of the step (activations kept for
// the backward pass, gradients, temporaries). Any change to how memory is measured must get a new protocol id.
import type { BufferTracker } from './tracker.js';
import { procStatusBytes, wasmHeapBytes } from './process.js';
import { extraCopies } from './extra-copies.js';

export const MEMORY_PROTOCOL = 'mem-v1' as const;

export interface MemoryBreakdown {
  frozenParams: number;
  trainableParams: number;
  optimizerState: number;
  extraCopies: number;
  /** Persistent bytes not attributed to the parts above (e.g. cached masks or buffers); measured, not assumed. */
  other: number;
  /** Peak minus everything persistent: what one training step adds at its highest point. */
  transient: number;
}

export interface MemoryReport {
  protocol: typeof MEMORY_PROTOCOL;
  tracker: BufferTracker['kind'];
  /** Peak unique live tensor bytes over all measured step windows. */
  peakBytes: number;
  /** Live bytes at the end of the last step (parameters, optimizer state and other persistent tensors). */
  persistentBytes: number;
  breakdown: MemoryBreakdown;
  steps: number;
  /** Process high-water mark (includes ~140 MB of Node/tfjs baseline and, on wasm, the monotone wasm heap). */
  vmHWMBytes: number | null;
  wasmHeapBytes: number | null;
}

export interface PersistentParts { frozenParams: number; trainableParams: number; optimizerState: number }

export class MemoryProbe {
  private peak = 0;
  private steps = 0;
  private inStep = false;

  constructor(readonly tracker: BufferTracker) {}

  beginStep(): void {
    if (this.inStep) throw new Error('MemoryProbe.beginStep called twice without endStep');
    this.tracker.resetPeak();
    this.inStep = true;
  }

  endStep(): void {
    if (!this.inStep) throw new Error('MemoryProbe.endStep called without beginStep');
    this.inStep = false;
    this.steps++;
    if (this.tracker.peakBytes > this.peak) this.peak = this.tracker.peakBytes;
  }

  /** Runs fn as one measured step window. */
  step<T>(fn: () => T): T {
    this.beginStep();
    try { return fn(); } finally { this.endStep(); }
  }

  get stepsMeasured(): number { return this.steps; }

  report(parts: PersistentParts): MemoryReport {
    if (this.steps === 0) throw new Error('MemoryProbe.report: no step was measured');
    const persistent = this.tracker.liveBytes;
    const extra = extraCopies.bytes;
    const known = parts.frozenParams + parts.trainableParams + parts.optimizerState + extra;
    const peak = Math.max(this.peak, persistent);
    const proc = procStatusBytes();
    return {
      protocol: MEMORY_PROTOCOL,
      tracker: this.tracker.kind,
      peakBytes: peak,
      persistentBytes: persistent,
      breakdown: {
        frozenParams: parts.frozenParams,
        trainableParams: parts.trainableParams,
        optimizerState: parts.optimizerState,
        extraCopies: extra,
        other: persistent - known,
        transient: peak - persistent,
      },
      steps: this.steps,
      vmHWMBytes: proc.vmHWM,
      wasmHeapBytes: wasmHeapBytes(),
    };
  }
}

export function sumBreakdown(b: MemoryBreakdown): number {
  return b.frozenParams + b.trainableParams + b.optimizerState + b.extraCopies + b.other + b.transient;
}
