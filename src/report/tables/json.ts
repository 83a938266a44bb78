// JSON form of a result table: every cell with its numbers, seeds and the run ids it came from (so any number in a
// paper can be traced back to runs in the store), plus the row costs and the environment summary.
import type { ResultModel } from '../model.js';

export const REPORT_TABLE_SCHEMA = 'unipt.report-table/v1';

export function tableJson(model: ResultModel, kind: 'main' | 'ablation' = 'main', method?: string): object {
  return {
    schema: REPORT_TABLE_SCHEMA,
    kind,
    ...(method ? { method } : {}),
    experiment: model.experiment,
    generatedAt: model.generatedAt,
    split: model.split,
    env: model.env,
    groups: model.groups.map((g) => ({ id: g.id, backbone: g.backbone, family: g.family, label: g.label, columns: g.columns })),
    rows: model.rows.map((r) => ({
      id: r.id, method: r.method, label: r.label, settings: r.settings, variantNames: r.variantNames,
      cells: Object.fromEntries(Object.entries(model.cells[r.id]).map(([colId, c]) => [colId, {
        state: c.state, mean: c.summary?.mean ?? null, std: c.summary?.std ?? null, n: c.summary?.n ?? 0, seeds: c.seeds,
        rank: c.rank, runIds: c.runIds, failed: c.failed, target: c.target, diff: c.diff, ...(c.reason ? { reason: c.reason } : {}),
        ...(c.superseded ? { superseded: c.superseded } : {}), ...(c.targetNote ? { targetNote: c.targetNote } : {}),
      }])),
      costs: Object.fromEntries(Object.entries(model.costs[r.id]).map(([gid, c]) => [gid, {
        runIds: c.runIds,
        trainableParams: c.trainable.summary, trainableRank: c.trainable.rank, trainablePctOfBackbone: c.trainablePct,
        peakBytes: c.peakBytes.summary, peakRank: c.peakBytes.rank, memoryBreakdownBytes: c.breakdown,
        trainSeconds: c.trainSeconds.summary, timeRank: c.trainSeconds.rank,
      }])),
    })),
  };
}

export function renderJson(model: ResultModel, kind: 'main' | 'ablation' = 'main', method?: string): string {
  return `${JSON.stringify(tableJson(model, kind, method), null, 2)}\n`;
}
