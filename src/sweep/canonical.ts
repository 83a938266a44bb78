// Canonical JSON: object keys sorted at every level, undefined dropped, so equal values always give equal text
// (the basis of run identity).
export function canonicalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === undefined ? null : canonicalize(x)));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonicalize(x);
    }
    return out;
  }
  if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`cannot canonicalize the non-finite number ${v}`);
  return v;
}

export function canonicalJson(v: unknown): string { return JSON.stringify(canonicalize(v)); }
