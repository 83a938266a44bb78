// Houlsby-style bottleneck adapters (as LST's T5 baseline: Compacter's `Adapter` + `AdapterController`): at each
// adapter site (after the attention output projection and after the FFN, before the residual add + LayerNorm)
//   a <- a + up(act(down(a))),   down: Linear(d, d/reduction_factor), up: Linear(d/reduction_factor, d).
// LST's adapters.json: task_reduction_factor 16, non_linearity gelu_new, no extra layer norm around the adapter
// (add_layer_norm_before/after_adapter false), and the backbone's layer norms also train (unfreeze_layer_norms).
// Init: LST keeps nn.Linear's default for both projections ('torch-default'); the default here is 'near-identity'
// (down as nn.Linear, up ~ N(0, 1e-3) with zero bias, after Houlsby's adapter_init_scale 1e-3), so the adapted
// backbone starts as the pretrained function.
import { z } from 'zod';
import type { Tensor } from '../engine/tf.js';
import { tf } from '../engine/tf.js';
import type { Rng } from '../engine/rng.js';
import { Module, type ForwardCtx } from '../nn/module.js';
import { Linear, activate, type Activation } from '../nn/layers.js';
import { ModuleTree } from '../nn/container.js';
import { setTrainableWhere, snapshotTrainable } from '../nn/trainable.js';
import type { AppliedMethod, MethodDef, PetlHost } from './types.js';

export const AdapterConfigSchema = z.strictObject({
  reduction_factor: z.number().int().positive().default(16),
  non_linearity: z.enum(['gelu_new', 'gelu', 'relu', 'quick_gelu', 'tanh']).default('gelu_new'),
  unfreeze_layer_norms: z.boolean().default(true),
  init: z.enum(['near-identity', 'torch-default']).default('near-identity'),
});
export type AdapterConfig = z.output<typeof AdapterConfigSchema>;

export const ADAPTER_METHOD: MethodDef<AdapterConfig> = {
  id: 'adapter',
  version: '1',
  mode: 'through-backbone',
  title: 'Adapters (Houlsby)',
  description: 'Bottleneck adapters after attention and after the FFN of every layer; layer norms also train.',
  schema: AdapterConfigSchema,
};

/** Residual bottleneck: x + up(act(down(x))). */
export class BottleneckAdapter extends Module {
  readonly down_sampler: Linear;
  readonly up_sampler: Linear;
  constructor(readonly width: number, readonly bottleneck: number, readonly act: Activation, init: AdapterConfig['init'], rng: Rng) {
    super();
    this.down_sampler = this.addChild('down_sampler', new Linear(width, bottleneck, rng));
    this.up_sampler = this.addChild('up_sampler', new Linear(bottleneck, width, rng, init === 'near-identity' ? { init: { std: 1e-3 } } : {}));
  }
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    return tf.add(x, this.up_sampler.forward(activate(this.down_sampler.forward(x, ctx), this.act), ctx));
  }
}

/** Splits `<module path>:<site>` at the last colon. */
export function splitSite(site: string): { path: string; name: string } {
  const i = site.lastIndexOf(':');
  if (i < 0) throw new Error(`site id "${site}" is not of the form "<module path>:<site>"`);
  return { path: site.slice(0, i), name: site.slice(i + 1) };
}

export function apply(host: PetlHost, config: AdapterConfig, rng: Rng): AppliedMethod {
  if (!host.adapterSites.length) throw new Error(`adapter: the ${host.family} backbone declares no adapter sites`);
  const restore = snapshotTrainable(host.module);
  setTrainableWhere(host.module, (name, p) => config.unfreeze_layer_norms && host.isLayerNorm(name, p));
  const tree = new ModuleTree();
  const removers: (() => void)[] = [];
  for (const { site, width } of host.adapterSites) {
    const bottleneck = Math.floor(width / config.reduction_factor);
    if (bottleneck < 1) {
      throw new Error(`adapter: reduction_factor ${config.reduction_factor} leaves no bottleneck unit at site "${site}" (width ${width}); use reduction_factor <= ${width}`);
    }
    const { path, name } = splitSite(site);
    const adapter = tree.put(`${path}.${name}`, new BottleneckAdapter(width, bottleneck, config.non_linearity, config.init, rng.fork(`adapter:${site}`)));
    removers.push(host.module.getModule(path).onSite(name, (x, ctx) => adapter.forward(x, ctx)));
  }
  return {
    modules: { adapter: tree },
    detach: () => { for (const r of removers) r(); restore(); },
  };
}
