// Minimum-cost assignment on a rectangular cost matrix (the Hungarian method in its shortest-augmenting-path form with
// row/column potentials, as Jonker-Volgenant; O(n² m) for n <= m). MDETR's matcher calls scipy's
// linear_sum_assignment on a [queries, targets] cost; `linearSumAssignment` returns the same pairs, sorted by row.

export interface Assignment {
  /** Row indices, ascending. */
  rows: number[];
  /** The column assigned to rows[k]. */
  cols: number[];
  /** Sum of the chosen costs. */
  cost: number;
}

/**
 * Assigns min(n, m) rows to distinct columns at minimum total cost. `cost` is row-major [n][m] (n rows of m numbers)
 * or a flat array with the shape given. Every entry must be finite (a NaN cost would make the optimum undefined).
 */
export function linearSumAssignment(cost: number[][] | Float32Array | Float64Array | number[], shape?: [number, number]): Assignment {
  let n: number, m: number, at: (i: number, j: number) => number;
  if (Array.isArray(cost) && (cost.length === 0 || Array.isArray(cost[0]))) {
    const rows = cost as number[][];
    n = rows.length; m = n ? rows[0].length : 0;
    rows.forEach((r, i) => { if (r.length !== m) throw new Error(`linearSumAssignment: row ${i} has ${r.length} entries, row 0 has ${m}`); });
    at = (i, j) => rows[i][j];
  } else {
    if (!shape) throw new Error('linearSumAssignment: a flat cost array needs its [rows, cols] shape');
    [n, m] = shape;
    const flat = cost as ArrayLike<number>;
    if (flat.length !== n * m) throw new Error(`linearSumAssignment: ${flat.length} entries do not make a [${n}, ${m}] matrix`);
    at = (i, j) => flat[i * m + j];
  }
  if (n === 0 || m === 0) return { rows: [], cols: [], cost: 0 };
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) {
    if (!Number.isFinite(at(i, j))) throw new Error(`linearSumAssignment: cost[${i}][${j}] is ${at(i, j)}; every cost must be finite`);
  }
  // the algorithm below needs rows <= columns: solve the transpose otherwise
  const transposed = n > m;
  const R = transposed ? m : n, C = transposed ? n : m;
  const a = (i: number, j: number) => (transposed ? at(j, i) : at(i, j));
  // 1-based potentials u (rows), v (columns); p[j] = row matched to column j (0 = none); way[j] = previous column
  const u = new Float64Array(R + 1), v = new Float64Array(C + 1);
  const p = new Int32Array(C + 1), way = new Int32Array(C + 1);
  const minv = new Float64Array(C + 1);
  const used = new Uint8Array(C + 1);
  for (let i = 1; i <= R; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity); used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity, j1 = 0;
      for (let j = 1; j <= C; j++) {
        if (used[j]) continue;
        const cur = a(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) { minv[j] = cur; way[j] = j0; }
        if (minv[j] < delta) { delta = minv[j]; j1 = j; }
      }
      for (let j = 0; j <= C; j++) {
        if (used[j]) { u[p[j]] += delta; v[j] -= delta; } else minv[j] -= delta;
      }
      j0 = j1;
    } while (p[j0] !== 0);
    // augment along the alternating path
    do { const j1 = way[j0]; p[j0] = p[j1]; j0 = j1; } while (j0 !== 0);
  }
  const pairs: [number, number][] = [];
  for (let j = 1; j <= C; j++) {
    if (p[j] === 0) continue;
    const r = p[j] - 1, c = j - 1;
    pairs.push(transposed ? [c, r] : [r, c]);
  }
  pairs.sort((x, y) => x[0] - y[0]);
  let total = 0;
  for (const [r, c] of pairs) total += at(r, c);
  return { rows: pairs.map((q) => q[0]), cols: pairs.map((q) => q[1]), cost: total };
}
