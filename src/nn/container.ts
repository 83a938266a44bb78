// Containers for modules a method adds next to a backbone. A ModuleTree places modules at dotted paths, creating the
// intermediate nodes, so added parameters can mirror the backbone's names (PEFT style, e.g. LoRA's
// `encoder.layer.0.attention.self.query.lora_A`), and a ModuleDict holds children under arbitrary keys (LST's
// `side_block.1`, `side_block.2`, ... where dropped layers leave gaps a ModuleList cannot express).
import { Module } from './module.js';
import type { Param } from './param.js';
import type { Tensor } from '../engine/tf.js';
import type { ParamRole, ParamLayout } from './param.js';

function checkKey(key: string, where: string): void {
  if (!key || key.includes('.') || key.includes(':')) {
    throw new Error(`${where}: key "${key}" is not a plain name (no dots, colons or empty names allowed)`);
  }
}

/** Children under string keys, in insertion order. */
export class ModuleDict<M extends Module = Module> extends Module {
  private readonly map = new Map<string, M>();

  set(key: string, m: M): M {
    checkKey(key, 'ModuleDict.set');
    this.addChild(key, m);
    this.map.set(key, m);
    return m;
  }
  get(key: string): M | undefined { return this.map.get(key); }
  has(key: string): boolean { return this.map.has(key); }
  keys(): string[] { return [...this.map.keys()]; }
  values(): M[] { return [...this.map.values()]; }
  entries(): [string, M][] { return [...this.map.entries()]; }
  get size(): number { return this.map.size; }
}

/** Modules placed at dotted paths; intermediate path segments become empty ModuleTree nodes. */
export class ModuleTree extends Module {
  private readonly nodes = new Map<string, Module>();

  /** Places `m` at `path` (e.g. "encoder.layer.0.attention.self.query"); the path must be new. */
  put<M extends Module>(path: string, m: M): M {
    const parts = path.split('.');
    for (const p of parts) checkKey(p, `ModuleTree.put("${path}")`);
    let node: ModuleTree = this;
    for (const part of parts.slice(0, -1)) {
      const next = node.nodes.get(part);
      if (next === undefined) {
        const t = new ModuleTree();
        node.addChild(part, t);
        node.nodes.set(part, t);
        node = t;
      } else if (next instanceof ModuleTree) {
        node = next;
      } else {
        throw new Error(`ModuleTree.put("${path}"): "${part}" already holds a module, it cannot also be a path prefix`);
      }
    }
    const leaf = parts[parts.length - 1];
    if (node.nodes.has(leaf)) throw new Error(`ModuleTree.put("${path}"): the path is already taken`);
    node.addChild(leaf, m);
    node.nodes.set(leaf, m);
    return m;
  }

  /** Every module placed with `put`, by its full path. */
  leaves(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [k, m] of this.nodes) {
      if (m instanceof ModuleTree) out.push(...m.leaves(`${prefix}${k}.`));
      else out.push([`${prefix}${k}`, m]);
    }
    return out;
  }
}

/** A module holding loose parameters under plain names (e.g. LST's per-layer gate scalars, a prompt table). */
export class ParamDict extends Module {
  private readonly map = new Map<string, Param>();
  add(key: string, value: Tensor, role: ParamRole, layout: ParamLayout = 'plain'): Param {
    checkKey(key, 'ParamDict.add');
    const p = this.addParam(key, value, role, layout);
    this.map.set(key, p);
    return p;
  }
  get(key: string): Param | undefined { return this.map.get(key); }
  keys(): string[] { return [...this.map.keys()]; }
}
