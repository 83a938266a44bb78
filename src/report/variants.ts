// Which runs are "the same method setting" (so their seeds may be averaged) and which are different variants (rows of
// their own, e.g. UniPT with D = 2 and D = 4). A method's config keys that take several values anywhere in the
// experiment are variant keys; so are training/data keys that take several values inside one (task, backbone) cell —
// training settings that merely differ between tasks (epochs, per-task defaults) are not.
import type { RunSpec } from '../train/spec.js';
import type { ReportRun } from './types.js';

/** Spec paths that never distinguish variants: they are the cell coordinates or the seed itself. */
const NOT_SETTINGS = new Set(['task', 'backbone', 'seed', 'backend', 'memoryProtocol', 'method']);

/** A spec's settings as dotted paths -> canonical JSON values (method config, training, data). */
export function flattenSettings(spec: RunSpec): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, path: string): void => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const k of Object.keys(v as object).sort()) walk((v as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
    } else {
      out.set(path, JSON.stringify(v ?? null));
    }
  };
  walk(spec.method.config, 'method.config');
  for (const [k, v] of Object.entries(spec)) if (!NOT_SETTINGS.has(k)) walk(v, k);
  return out;
}

function varyingKeys(groups: Map<string, string>[][], restrictTo?: (k: string) => boolean): Set<string> {
  const keys = new Set<string>();
  for (const group of groups) {
    const all = new Set(group.flatMap((m) => [...m.keys()]));
    for (const k of all) {
      if (restrictTo && !restrictTo(k)) continue;
      const values = new Set(group.map((m) => m.get(k) ?? 'undefined'));
      if (values.size > 1) keys.add(k);
    }
  }
  return keys;
}

export interface VariantAssignment {
  /** Variant keys per method id, sorted. */
  keys: Map<string, string[]>;
  /** For each run id: its method's variant values (key -> parsed value). */
  settingsOf: Map<string, Record<string, unknown>>;
}

export function assignVariants(runs: readonly ReportRun[]): VariantAssignment {
  const byMethod = new Map<string, ReportRun[]>();
  for (const r of runs) {
    const m = r.result.spec.method.id;
    byMethod.set(m, [...(byMethod.get(m) ?? []), r]);
  }
  const keys = new Map<string, string[]>();
  const settingsOf = new Map<string, Record<string, unknown>>();
  for (const [method, list] of byMethod) {
    const flat = new Map(list.map((r) => [r.runId, flattenSettings(r.result.spec)]));
    const configKeys = varyingKeys([list.map((r) => flat.get(r.runId)!)], (k) => k.startsWith('method.config.'));
    // Other settings count only where they vary inside one cell with the same method config.
    const cells = new Map<string, Map<string, string>[]>();
    for (const r of list) {
      const f = flat.get(r.runId)!;
      const cfg = [...configKeys].map((k) => f.get(k) ?? 'undefined').join('\u0000');
      const key = `${r.result.spec.task}\u0000${r.result.spec.backbone}\u0000${cfg}`;
      cells.set(key, [...(cells.get(key) ?? []), f]);
    }
    const otherKeys = varyingKeys([...cells.values()], (k) => !k.startsWith('method.config.'));
    const vk = [...configKeys, ...otherKeys].sort();
    keys.set(method, vk);
    for (const r of list) {
      const f = flat.get(r.runId)!;
      const s: Record<string, unknown> = {};
      for (const k of vk) { const v = f.get(k); s[k] = v === undefined ? undefined : JSON.parse(v); }
      settingsOf.set(r.runId, s);
    }
  }
  return { keys, settingsOf };
}

/** "method.config.downsample" -> "downsample", "train.lr" -> "lr", "data.source" -> "data.source". */
export function settingLabel(key: string): string {
  if (key.startsWith('method.config.')) return key.slice('method.config.'.length);
  if (key.startsWith('train.')) return key.slice('train.'.length);
  return key;
}

export function formatSettingValue(v: unknown): string {
  if (v === undefined) return 'default'; // the key is absent from the config: the method's own default applies
  if (typeof v === 'number') return Number.isInteger(v) || Math.abs(v) >= 0.01 ? String(v) : v.toExponential(0);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

export function variantLabel(settings: Record<string, unknown>): string {
  return Object.entries(settings).map(([k, v]) => `${settingLabel(k)}=${formatSettingValue(v)}`).join(', ');
}

/** Orders variant values: numbers numerically, everything else as text, absent (the method's default) last. */
export function compareSettingValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return formatSettingValue(a).localeCompare(formatSettingValue(b), 'en', { numeric: true });
}

/**
 * Orders one method's variants for reading: the baseline (every setting at its most common value, i.e. the default a
 * one-factor-at-a-time ablation varies from) first, then by the first setting that differs from it, then by value.
 */
export function orderVariants<T extends { settings: Record<string, unknown> }>(rows: readonly T[]): T[] {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r.settings)))].sort();
  const baseline: Record<string, string> = {};
  for (const k of keys) {
    const counts = new Map<string, { n: number; v: unknown }>();
    for (const r of rows) { const key = JSON.stringify(r.settings[k] ?? null); counts.set(key, { n: (counts.get(key)?.n ?? 0) + 1, v: r.settings[k] }); }
    // Most common value; on a tie the absent one (the method's own default), then the first in value order.
    baseline[k] = [...counts.entries()].sort((a, b) => b[1].n - a[1].n || (a[1].v === undefined ? -1 : b[1].v === undefined ? 1 : compareSettingValues(a[1].v, b[1].v)))[0][0];
  }
  const firstDiff = (r: T) => keys.findIndex((k) => JSON.stringify(r.settings[k] ?? null) !== baseline[k]);
  const diffs = (r: T) => keys.filter((k) => JSON.stringify(r.settings[k] ?? null) !== baseline[k]).length;
  return [...rows].sort((a, b) => {
    const da = firstDiff(a), db = firstDiff(b);
    if (da !== db) return da === -1 ? -1 : db === -1 ? 1 : da - db;
    if (diffs(a) !== diffs(b)) return diffs(a) - diffs(b);
    for (const k of keys) { const c = compareSettingValues(a.settings[k], b.settings[k]); if (c) return c; }
    return 0;
  });
}
