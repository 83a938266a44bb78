// Number formatting shared by tables and charts. Each column picks one precision/unit from all its values, so a
// column reads consistently (and the unit goes in the header, not in every cell).

/** Decimals for a metric column: fractions (|x| <= 1.5) get 3, percent-like values 1, values of 1000 or more 0. */
export function metricDecimals(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return 2;
  const max = Math.max(...finite.map(Math.abs));
  return max <= 1.5 ? 3 : max >= 1000 ? 0 : 1;
}

export function fixed(x: number, decimals: number): string {
  const s = x.toFixed(decimals);
  return s === `-${(0).toFixed(decimals)}` ? s.slice(1) : s; // no "-0.0"
}

export function signed(x: number, decimals: number): string {
  const s = fixed(x, decimals);
  return x > 0 && s !== fixed(0, decimals) ? `+${s}` : s;
}

export interface ByteUnit { name: 'KiB' | 'MiB' | 'GiB'; bytes: number; decimals: number }

/** One byte unit for a whole column, from its largest value. */
export function byteUnit(values: readonly number[]): ByteUnit {
  const max = Math.max(0, ...values.filter(Number.isFinite));
  if (max >= 10 * 2 ** 30) return { name: 'GiB', bytes: 2 ** 30, decimals: 2 };
  if (max >= 2 ** 20) return { name: 'MiB', bytes: 2 ** 20, decimals: max >= 100 * 2 ** 20 ? 0 : 1 };
  return { name: 'KiB', bytes: 2 ** 10, decimals: 1 };
}

export function inUnit(bytes: number, u: ByteUnit): string { return fixed(bytes / u.bytes, u.decimals); }

export interface TimeUnit { name: 's' | 'min' | 'h'; seconds: number; decimals: number }

export function timeUnit(values: readonly number[]): TimeUnit {
  const max = Math.max(0, ...values.filter(Number.isFinite));
  if (max >= 3 * 3600) return { name: 'h', seconds: 3600, decimals: 2 };
  if (max >= 600) return { name: 'min', seconds: 60, decimals: 1 };
  return { name: 's', seconds: 1, decimals: max >= 100 ? 0 : 1 };
}

/** Parameter counts with K/M/B suffixes and three significant digits ("12.4K", "1.23M", "222M"). */
export function paramCount(n: number): string {
  const r = Math.round(n);
  if (Math.abs(r) < 1000) return String(r);
  const [div, suf] = Math.abs(r) >= 1e9 ? [1e9, 'B'] : Math.abs(r) >= 1e6 ? [1e6, 'M'] : [1e3, 'K'];
  const v = r / div;
  return `${v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)}${suf}`;
}

/** Percentages of the backbone: small shares keep two significant digits ("0.034%"), large ones two decimals. */
export function percent(p: number): string {
  if (p === 0) return '0%';
  if (Math.abs(p) >= 1) return `${p.toFixed(2)}%`;
  const digits = Math.max(2, 1 - Math.floor(Math.log10(Math.abs(p))));
  return `${p.toFixed(digits)}%`;
}
