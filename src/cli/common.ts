// Small helpers shared by the harness commands: the --db option, JSON output, plain-text tables, worker argv.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { defaultDbPath } from '../store/paths.js';
import { InputError } from '../util/errors.js';

export function addDbOption(cmd: Command): Command {
  return cmd.option('--db <file>', 'results store (SQLite); default results/unipt.sqlite, or $UNIPT_DB');
}

export function dbPathOf(o: { db?: string }): string { return o.db ? resolve(o.db) : defaultDbPath(); }

export function printJson(v: unknown): void { process.stdout.write(`${JSON.stringify(v, null, 2)}\n`); }

/** A left-aligned plain-text table (numbers right-aligned). */
export function table(head: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [head, ...rows.map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))))];
  const widths = head.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const numeric = head.map((_, i) => rows.length > 0 && rows.every((r) => r[i] === null || r[i] === undefined || typeof r[i] === 'number' || /^-?[\d.,]+( ?[a-zA-Z%]+)?$/.test(String(r[i]))));
  const line = (r: string[]) => r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(cells[0]), line(widths.map((w) => '-'.repeat(w))), ...cells.slice(1).map(line)].join('\n');
}

/** How a sweep starts a worker: the same node running the lean worker entry (see src/sweep/worker-main.ts). */
export function workerArgv(): string[] {
  return [process.execPath, fileURLToPath(new URL('../sweep/worker-main.js', import.meta.url))];
}

/** The compiled CLI entry, for commands that call another `unipt` command in a child process. */
export function cliArgv(): string[] {
  return [process.execPath, fileURLToPath(new URL('./main.js', import.meta.url))];
}

export function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${name} must be a positive integer, got "${v}"`);
  return n;
}

export function positiveNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InputError(`${name} must be a positive number, got "${v}"`);
  return n;
}

export const csv = (v: string | undefined): string[] | undefined => (v === undefined ? undefined : v.split(',').map((x) => x.trim()).filter(Boolean));

export function fmtSeconds(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '-';
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s - m * 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function fmtBytes(b: number | null | undefined): string {
  return b === null || b === undefined ? '-' : `${(b / 2 ** 20).toFixed(1)} MiB`;
}
