// Parameter accounting for a run: the backbone, each module a method added (by its short name: 'lora', 'adapter',
// 'prompt', 'lst', ...) and any further modules such as the task head. Each parameter is counted once, under the
// first module that holds it (backbone first), so a method module that re-uses a backbone tensor adds nothing.
// Buffers (e.g. BatchNorm running statistics) are not parameters and are left out.
import type { Module } from '../nn/module.js';
import type { Param } from '../nn/param.js';
import type { ParamAccounting } from '../train/spec.js';

export function accountParams(backbone: Module, methodModules: Record<string, Module>, extra: Record<string, Module> = {}): ParamAccounting {
  const groups: [string, Module][] = [['backbone', backbone]];
  for (const [name, m] of [...Object.entries(methodModules), ...Object.entries(extra)]) {
    if (groups.some(([n]) => n === name)) {
      throw new Error(`parameter accounting: module name "${name}" is used twice (method modules and extra modules need distinct names; "backbone" is reserved)`);
    }
    groups.push([name, m]);
  }
  const seen = new Set<Param>();
  const byModule: ParamAccounting['byModule'] = {};
  let total = 0, trainable = 0;
  for (const [name, m] of groups) {
    let t = 0, tr = 0;
    for (const p of m.parameters()) {
      if (p.role === 'buffer' || seen.has(p)) continue;
      seen.add(p);
      t += p.size;
      if (p.trainable) tr += p.size;
    }
    byModule[name] = { total: t, trainable: tr };
    total += t; trainable += tr;
  }
  const backboneTotal = byModule.backbone.total;
  return { total, trainable, added: total - backboneTotal, backbone: backboneTotal, byModule };
}
