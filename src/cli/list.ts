// `unipt list [tasks|methods|backbones|experiments|matrix|targets]`: what the registry knows, and what exists here.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import {
  BACKBONE_FAMILIES, BACKBONES, METHODS, PAPER_TARGETS, TASKS, allTargetCells, capabilityMatrix, isKnownTarget, methodKeys,
} from '../registry/index.js';
import { currentCapabilityContext } from '../registry/implementation.js';
import { loadExperiment } from '../sweep/experiment.js';
import { experimentsDir } from '../sweep/paths.js';
import { backboneReady } from '../sweep/prepare.js';
import { InputError } from '../util/errors.js';
import { printJson, table } from './common.js';

export const LIST_WHAT = ['tasks', 'methods', 'backbones', 'experiments', 'matrix', 'targets'] as const;
type What = (typeof LIST_WHAT)[number];

const CAP_MARK = { supported: 'yes', 'not-applicable': 'n/a', 'not-yet-implemented': 'not yet' } as const;

function listTasks(json: boolean) {
  const ctx = currentCapabilityContext();
  const rows = TASKS.map((t) => ({ ...t, implemented: ctx.taskFamilies.includes(t.family) }));
  if (json) return rows;
  return table(['task', 'family', 'implemented', 'dataset', 'headline', 'paper backbone', 'paper setup (epochs / lr / batch)', 'version'], rows.map((t) => [
    t.id, t.family, t.implemented ? 'yes' : 'not yet', t.dataset, `${t.metrics[0].name} (${t.metrics[0].direction})${t.evaluatedFrom ? ` from ${t.evaluatedFrom.task}` : ''}`,
    t.paperBackbone.split(' (')[0], `${t.paperSetup.epochs} / ${t.paperSetup.lr} / ${t.paperSetup.batchSize}`, t.version,
  ]));
}

function listMethods(json: boolean) {
  const rows = METHODS.map((m) => ({ id: m.id, version: m.version, mode: m.mode, title: m.title, description: m.description, keys: methodKeys(m), defaults: m.schema.parse({}) }));
  if (json) return rows;
  return table(['method', 'version', 'mode', 'title', 'config keys'], rows.map((m) => [m.id, m.version, m.mode, m.title, m.keys.join(', ')]));
}

function listBackbones(json: boolean) {
  const rows = BACKBONES.map((b) => ({ ...b, present: b.kind === 'mini' ? backboneReady(b.id) : null }));
  if (json) return rows;
  return table(['backbone', 'family', 'kind', 'present', 'title'], rows.map((b) => [b.id, b.family, b.kind, b.present === null ? 'user folder' : b.present ? 'yes' : 'no (pretrained on first use)', b.title]));
}

function listExperiments(json: boolean) {
  let files: string[] = [];
  try { files = readdirSync(experimentsDir()).filter((f) => /\.ya?ml$/.test(f)).sort(); } catch { /* no folder: no experiments */ }
  const rows = files.map((f) => {
    try {
      const e = loadExperiment(join(experimentsDir(), f));
      return { name: e.name, file: e.file, valid: true, description: e.description ?? '', tasks: e.tasks, methods: e.methods, seeds: e.seeds, variants: (e.variants ?? []).map((v) => v.name), defaults: e.defaults, error: null };
    } catch (err) {
      return { name: f.replace(/\.ya?ml$/, ''), file: join(experimentsDir(), f), valid: false, description: '', tasks: null, methods: null, seeds: null, variants: null, defaults: null, error: (err as Error).message };
    }
  });
  if (json) return rows;
  return table(['experiment', 'description', 'tasks', 'methods', 'seeds', 'variants'], rows.map((r) => r.valid
    ? [r.name, r.description.slice(0, 70), Array.isArray(r.tasks) ? r.tasks.length : r.tasks, Array.isArray(r.methods) ? r.methods.join(',') : r.methods, r.seeds!.join(','), r.variants!.length || '-']
    : [r.name, `not usable here: ${r.error!.split('\n').slice(-1)[0].slice(0, 110)}`, '', '', '', '']));
}

function listMatrix(json: boolean) {
  const ctx = currentCapabilityContext();
  const cells = capabilityMatrix(ctx);
  if (json) return { context: { taskFamilies: ctx.taskFamilies, methods: ctx.methods, miniRecipes: ctx.miniRecipes }, families: BACKBONE_FAMILIES, cells };
  const grid = table(['method', ...BACKBONE_FAMILIES], METHODS.map((m) => [m.id, ...BACKBONE_FAMILIES.map((f) => CAP_MARK[cells.find((c) => c.method === m.id && c.backboneFamily === f)!.capability])]));
  const notes: string[] = [];
  for (const f of BACKBONE_FAMILIES) {
    const missing = [...new Set(cells.filter((c) => c.backboneFamily === f && c.missing).flatMap((c) => c.missing!))];
    if (missing.length) notes.push(`  ${f}: not yet implemented: ${missing.join('; ')}`);
  }
  for (const c of cells) {
    if (c.capability === 'not-applicable') notes.push(`  ${c.method} x ${c.backboneFamily}: not applicable: ${c.reason}`);
    else if (/\(not to /.test(c.design)) notes.push(`  ${c.method} x ${c.backboneFamily}: ${c.design}`);
  }
  return `${grid}\n\nimplemented task families: ${ctx.taskFamilies.join(', ') || '(none)'}\n${notes.length ? `notes:\n${notes.join('\n')}` : ''}`;
}

function listTargets(json: boolean) {
  const cells = allTargetCells(METHODS.map((m) => m.id));
  if (json) return { known: PAPER_TARGETS, cells };
  const unknown = cells.filter((c) => !isKnownTarget(c)).length;
  return `${table(['scope', 'backbone', 'method', 'quantity', 'value', 'unit', 'tolerance', 'provenance'], PAPER_TARGETS.map((t) => [
    t.scope, t.backbone, t.method, t.metric ? `${t.quantity} (${t.metric})` : t.quantity, `${t.approximate ? '~' : ''}${t.value.toLocaleString('en-US')}`, t.unit, `±${t.tolerance.toLocaleString('en-US')}`, t.provenance,
  ]))}\n\n${PAPER_TARGETS.length} known target(s); ${unknown} other cell(s) of the paper's comparison are unknown (the UniPT paper's tables are not available); --json lists them with reasons`;
}

export function listCommand(what: string | undefined, o: { json?: boolean }): number {
  if (what !== undefined && !(LIST_WHAT as readonly string[]).includes(what)) throw new InputError(`unknown list "${what}"; choose one of: ${LIST_WHAT.join(', ')}`);
  const sections: What[] = what ? [what as What] : ['tasks', 'methods', 'backbones', 'matrix', 'experiments'];
  const fns: Record<What, (json: boolean) => unknown> = { tasks: listTasks, methods: listMethods, backbones: listBackbones, experiments: listExperiments, matrix: listMatrix, targets: listTargets };
  if (o.json) {
    printJson(what ? fns[what as What](true) : Object.fromEntries(sections.map((s) => [s, fns[s](true)])));
    return 0;
  }
  process.stdout.write(sections.map((s) => `${what ? '' : `== ${s}\n`}${fns[s](false) as string}`).join('\n\n') + '\n');
  return 0;
}

export function registerListCommand(program: Command): void {
  program.command('list [what]')
    .description(`list ${LIST_WHAT.join(' | ')} (default: all but targets)`)
    .option('--json', 'print JSON')
    .action((what: string | undefined, o: { json?: boolean }) => { process.exitCode = listCommand(what, o); });
}
