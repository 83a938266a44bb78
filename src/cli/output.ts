// Printing helpers shared by commands: byte sizes, durations, metric lines, and a progress line that rewrites
// itself on a terminal and degrades to periodic plain lines otherwise.
import type { RunResult } from '../train/spec.js';

export const MiB = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;

export function duration(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtMetrics(m: Record<string, number>): string {
  return Object.entries(m).map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(2)}`).join(', ') || '(none)';
}

export function summarizeResult(r: RunResult): string[] {
  const lines: string[] = [];
  lines.push(`status: ${r.status}${r.error ? ` (${r.error.message}${r.error.step !== undefined ? `, step ${r.error.step}` : ''})` : ''}`);
  const head = r.metricDefs[0]?.name;
  lines.push(`validation (best epoch ${r.final.bestEpoch === null ? '-' : `${r.final.bestEpoch + 1} of ${r.epochs.length}`}): ${fmtMetrics(r.final.validation)}`);
  lines.push(`test: ${fmtMetrics(r.final.test)}${head && r.final.test[head] !== undefined ? `   [headline ${head}]` : ''}`);
  if (r.params) {
    const pct = r.params.total ? (100 * r.params.trainable / r.params.total).toFixed(2) : '0';
    lines.push(`parameters: ${r.params.trainable.toLocaleString('en-US')} trainable (${pct}% of ${r.params.total.toLocaleString('en-US')}), ${r.params.added.toLocaleString('en-US')} added to the backbone`);
  }
  if (r.memory) {
    const b = r.memory.breakdown;
    lines.push(`memory (${r.memory.protocol}): peak ${MiB(r.memory.peakBytes)} = frozen params ${MiB(b.frozenParams)} + trainable ${MiB(b.trainableParams)} + optimizer ${MiB(b.optimizerState)} + extra copies ${MiB(b.extraCopies)} + other ${MiB(b.other)} + transient ${MiB(b.transient)}; process VmHWM ${r.memory.vmHWMBytes ? MiB(r.memory.vmHWMBytes) : 'n/a'}`);
  }
  lines.push(`time: ${duration(r.timings.totalSeconds)} total, ${duration(r.timings.trainSeconds)} training (${r.timings.steps} steps${r.timings.msPerStep ? `, ${r.timings.msPerStep.toFixed(1)} ms/step` : ''}), ${duration(r.timings.evalSeconds)} evaluation; backend ${r.env.backend?.name ?? '?'}`);
  return lines;
}

/** A one-line progress display: rewritten in place on a TTY, at most every `plainEveryMs` as plain lines otherwise. */
export class ProgressLine {
  private last = 0;
  private readonly tty: boolean;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr, private readonly plainEveryMs = 5000) {
    this.tty = Boolean(stream.isTTY);
  }
  update(text: string, force = false): void {
    const now = Date.now();
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${text.slice(0, (this.stream.columns ?? 120) - 1)}`);
    } else if (force || now - this.last >= this.plainEveryMs) {
      this.stream.write(`${text}\n`);
      this.last = now;
    }
  }
  done(text?: string): void {
    if (this.tty) this.stream.write('\r\x1b[2K');
    if (text) this.stream.write(`${text}\n`);
  }
}
