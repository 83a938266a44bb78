// Ablation tables: for each method that ran in several variants (e.g. UniPT with different downsample factors D,
// interaction or aggregation settings), a table whose rows are the variants and whose leading columns are the
// settings that vary, ranked among the variants only.
import { restrictModel, type ResultModel } from '../model.js';

export interface Ablation {
  method: string;
  methodLabel: string;
  /** The varying settings (dotted spec paths). */
  keys: string[];
  model: ResultModel;
}

export function ablations(model: ResultModel): Ablation[] {
  const out: Ablation[] = [];
  for (const [method, keys] of Object.entries(model.variantKeys)) {
    const sub = restrictModel(model, (r) => r.method === method);
    // Only backbone groups / columns where this method has something to show.
    sub.groups = sub.groups
      .map((g) => ({ ...g, columns: g.columns.filter((c) => sub.rows.some((r) => ['value', 'failed'].includes(sub.cells[r.id][c.id]?.state))) }))
      .filter((g) => g.columns.length > 0);
    out.push({ method, methodLabel: sub.rows[0]?.methodLabel ?? method, keys, model: sub });
  }
  return out;
}
