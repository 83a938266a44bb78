// The registry as the report sees it: task labels and metric directions, backbone families, method labels and order,
// the capability matrix's design applicability, and the paper targets. Only registry modules that hold plain data
// are imported, so making a report never loads the tensor engine.
import { BACKBONES } from '../registry/backbones.js';
import { designApplicability } from '../registry/capability.js';
import { PAPER_TARGETS } from '../registry/targets.js';
import { TASKS } from '../registry/tasks.js';
import type { BackboneFamily } from '../petl/types.js';
import type { Catalog, CatalogMethod, CatalogTask, PaperTarget } from './types.js';

/** How papers label the methods, in the order LST's Table 1 lists them (UniPT last, as "ours"). */
const METHOD_LABELS: [string, string][] = [
  ['full', 'Full FT'], ['adapter', 'Adapter'], ['lora', 'LoRA'], ['bitfit', 'BitFit'], ['prompt', 'Prompt'],
  ['side', 'Side-Tuning'], ['lst', 'LST'], ['unipt', 'UniPT'],
];

/** Column labels: the dataset name, made unique where one dataset has two evaluations (MSCOCO 1K / 5K). */
function taskLabels(): Map<string, string> {
  const count = new Map<string, number>();
  for (const t of TASKS) count.set(t.dataset, (count.get(t.dataset) ?? 0) + 1);
  return new Map(TASKS.map((t) => [t.id, (count.get(t.dataset) ?? 0) > 1 ? `${t.dataset} ${t.id.split('-').pop()!.toUpperCase()}` : t.dataset]));
}

/** A task family's average (e.g. "glue:average") -> the registry's target scope ("glue-avg"). */
function targetScope(task: string): string {
  const m = /^([a-z-]+):average$/.exec(task);
  return m ? `${m[1]}-avg` : task;
}

export function catalogFromRegistry(): Catalog {
  const labels = taskLabels();
  const tasks = new Map<string, CatalogTask>(TASKS.map((t, i) => [t.id, {
    id: t.id, label: labels.get(t.id)!, family: t.family, order: i, metrics: t.metrics.map((m) => ({ name: m.name, direction: m.direction })), ...(t.evaluatedFrom ? { evaluatedFrom: t.evaluatedFrom } : {}),
  }]));
  const methods = new Map<string, CatalogMethod>(METHOD_LABELS.map(([id, label], i) => [id, { id, label, order: i }]));
  const families = new Set<string>(BACKBONES.map((b) => b.family));
  return {
    task: (id) => tasks.get(id),
    method: (id) => methods.get(id),
    backboneFamily: (id) => BACKBONES.find((b) => b.id === id)?.family ?? null,
    capability(method, family) {
      // Only the design question matters here: a report shows what ran, and says why a cell cannot exist.
      if (!families.has(family)) return { status: 'supported' };
      const d = designApplicability(method, family as BackboneFamily);
      return d.applicable ? { status: 'supported', reason: d.reason } : { status: 'not-applicable', reason: `${methods.get(method)?.label ?? method} on ${family}: ${d.reason}` };
    },
    paperTarget({ task, method, backbone }): PaperTarget | undefined {
      const scope = targetScope(task);
      const find = (q: string) => PAPER_TARGETS.find((t) => t.scope === scope && t.backbone === backbone && t.method === method && t.quantity === q);
      const metric = find('metric');
      if (!metric) return undefined;
      const mem = find('memory');
      const params = find('trainable-params');
      return {
        metric: metric.metric ?? 'headline', value: metric.value, approximate: metric.approximate, tasks: metric.tasks,
        source: metric.source,
        ...(mem ? { memory: { value: mem.value, unit: mem.unit } } : {}),
        ...(params ? { trainable: params.value } : {}),
      };
    },
  };
}
