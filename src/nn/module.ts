// Modules: trees of named parameters and sub-modules. Full names are dotted paths (Hugging Face style, e.g.
// `encoder.layer.3.attention.self.query.weight`), so checkpoints map one-to-one. Methods hook into a backbone
// through named sites: a site is a point inside a module's forward pass where registered transforms run
// (adapters insert bottlenecks there, prompts extend the sequence), addressed as `<module path>:<site>`.
import type { Tensor } from '../engine/tf.js';
import type { Rng } from '../engine/rng.js';
import { Param, type ParamLayout, type ParamRole } from './param.js';

export interface ForwardCtx {
  /** Training mode: dropout on, batch statistics in BatchNorm. */
  training: boolean;
  /** Source of dropout masks (a fork of the run's seed). */
  rng: Rng;
}

export type SiteFn = (x: Tensor, ctx: ForwardCtx) => Tensor;

export abstract class Module {
  private readonly ownParams = new Map<string, Param>();
  private readonly ownChildren = new Map<string, Module>();
  private readonly siteFns = new Map<string, SiteFn[]>();

  protected addParam(name: string, value: Tensor, role: ParamRole, layout: ParamLayout = 'plain', trainable = true): Param {
    if (this.ownParams.has(name) || this.ownChildren.has(name)) throw new Error(`duplicate parameter name "${name}"`);
    const p = new Param(value, role, trainable, layout);
    this.ownParams.set(name, p);
    return p;
  }

  protected addChild<M extends Module>(name: string, m: M): M {
    if (this.ownParams.has(name) || this.ownChildren.has(name)) throw new Error(`duplicate child name "${name}"`);
    this.ownChildren.set(name, m);
    return m;
  }

  /** Sites this module's forward pass exposes (names local to the module). */
  declaredSites(): readonly string[] { return []; }

  /** Registers a transform at one of this module's sites; returns a function that removes it. */
  onSite(site: string, fn: SiteFn): () => void {
    if (!this.declaredSites().includes(site)) {
      throw new Error(`${this.constructor.name} has no site "${site}"; its sites: ${this.declaredSites().join(', ') || 'none'}`);
    }
    const list = this.siteFns.get(site) ?? [];
    list.push(fn);
    this.siteFns.set(site, list);
    return () => { const l = this.siteFns.get(site); if (l) l.splice(l.indexOf(fn), 1); };
  }

  /** Runs the transforms registered at a site (identity when none). */
  protected site(name: string, x: Tensor, ctx: ForwardCtx): Tensor {
    const fns = this.siteFns.get(name);
    if (!fns) return x;
    let y = x;
    for (const f of fns) y = f(y, ctx);
    return y;
  }

  namedParameters(prefix = ''): [string, Param][] {
    const out: [string, Param][] = [];
    for (const [n, p] of this.ownParams) out.push([prefix + n, p]);
    for (const [n, c] of this.ownChildren) out.push(...c.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Param[] { return this.namedParameters().map(([, p]) => p); }

  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix.replace(/\.$/, ''), this]];
    for (const [n, c] of this.ownChildren) out.push(...c.namedModules(`${prefix}${n}.`));
    return out;
  }

  /** Every site of the tree, as `<module path>:<site>`. */
  namedSites(): string[] {
    return this.namedModules().flatMap(([path, m]) => m.declaredSites().map((s) => `${path}:${s}`));
  }

  getModule(path: string): Module {
    if (path === '') return this;
    let m: Module = this;
    for (const part of path.split('.')) {
      const c = m.ownChildren.get(part);
      if (!c) throw new Error(`no module "${path}" (missing "${part}")`);
      m = c;
    }
    return m;
  }

  getParam(path: string): Param {
    const i = path.lastIndexOf('.');
    const m = i < 0 ? this : this.getModule(path.slice(0, i));
    const p = m.ownParams.get(i < 0 ? path : path.slice(i + 1));
    if (!p) throw new Error(`no parameter "${path}"`);
    return p;
  }

  /** Sets every parameter's trainable flag (buffers stay frozen). */
  setTrainable(t: boolean): void { for (const p of this.parameters()) if (p.role !== 'buffer') p.trainable = t; }

  dispose(): void {
    for (const p of this.ownParams.values()) p.dispose();
    for (const c of this.ownChildren.values()) c.dispose();
  }
}

/** A module holding an ordered list of children named 0, 1, 2, ... */
export class ModuleList<M extends Module> extends Module {
  readonly items: M[];
  constructor(items: M[]) {
    super();
    this.items = items;
    items.forEach((m, i) => this.addChild(String(i), m));
  }
  get length(): number { return this.items.length; }
  at(i: number): M { return this.items[i]; }
}

export interface ParamCount { total: number; trainable: number }

export function countParams(m: Module, include: (name: string, p: Param) => boolean = () => true): ParamCount {
  let total = 0, trainable = 0;
  for (const [n, p] of m.namedParameters()) {
    if (p.role === 'buffer' || !include(n, p)) continue;
    total += p.size;
    if (p.trainable) trainable += p.size;
  }
  return { total, trainable };
}
