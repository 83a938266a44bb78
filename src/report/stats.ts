// Summary statistics for cells: mean and the sample standard deviation (n - 1), as papers report "mean ± std over
// seeds" (LST's print_results.py uses numpy's std over 3 seeds; we use the unbiased sample form and say so).

export function mean(xs: readonly number[]): number {
  if (!xs.length) throw new Error('mean of an empty list');
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation; null for fewer than two values (a single seed has no spread to report). */
export function sampleStd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export interface Summary {
  mean: number;
  std: number | null;
  n: number;
}

export function summarize(xs: readonly number[]): Summary {
  return { mean: mean(xs), std: sampleStd(xs), n: xs.length };
}
