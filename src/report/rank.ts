// Best and second-best per column, respecting the metric's direction. Ties share a rank; "second" is the next
// distinct value, and is only marked when at least three rows have a value (with two, underlining the other one
// would say nothing); when all values are equal nothing is marked.
import type { MetricDirection } from '../train/spec.js';

export function rankColumn(values: readonly (number | null)[], direction: MetricDirection): (1 | 2 | null)[] {
  const present = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (present.length < 2) return values.map(() => null);
  const distinct = [...new Set(present)].sort((a, b) => (direction === 'max' ? b - a : a - b));
  if (distinct.length < 2) return values.map(() => null); // all equal: nothing stands out
  const best = distinct[0];
  const second = present.length >= 3 && distinct.length >= 2 ? distinct[1] : undefined;
  return values.map((v) => (v === null ? null : v === best ? 1 : v === second ? 2 : null));
}
