// LoRA (Hu et al. 2022) as in LST's T5 baseline: a low-rank branch x A B * (alpha / r) on the linears whose module
// name ends with one of `targets` (default: the host's, query and value for BERT), A kaiming-uniform, B zero.
// LST's seq2seq/lora/config.py: lora_dim 32 (set by scripts/lora.sh), lora_alpha 32 (so the scaling is 1; this is
// LST's LoraConfig default, not loralib's alpha=1), lora_dropout 0.1, and "bitfit": true, i.e. every bias trains too.
import { z } from 'zod';
import type { Rng } from '../engine/rng.js';
import { Linear } from '../nn/layers.js';
import { LowRankDelta } from '../nn/low-rank.js';
import { ModuleTree } from '../nn/container.js';
import { setTrainableWhere, snapshotTrainable } from '../nn/trainable.js';
import type { AppliedMethod, MethodDef, PetlHost } from './types.js';

export const LoraConfigSchema = z.strictObject({
  r: z.number().int().positive().default(32),
  alpha: z.number().positive().default(32),
  dropout: z.number().min(0).lt(1).default(0.1),
  /** Module-name suffixes to wrap; omitted = the host's defaults. */
  targets: z.array(z.string().min(1)).min(1).optional(),
  train_biases: z.boolean().default(true),
});
export type LoraConfig = z.output<typeof LoraConfigSchema>;

export const LORA_METHOD: MethodDef<LoraConfig> = {
  id: 'lora',
  version: '1',
  mode: 'through-backbone',
  title: 'LoRA',
  description: 'Low-rank updates on the attention query/value projections, plus BitFit biases (as LST\'s LoRA baseline).',
  schema: LoraConfigSchema,
};

/** True when the dotted module name ends with the dotted suffix at a segment boundary. */
export function nameEndsWith(name: string, suffix: string): boolean {
  return name === suffix || name.endsWith(`.${suffix}`);
}

export function apply(host: PetlHost, config: LoraConfig, rng: Rng): AppliedMethod {
  const targets = config.targets ?? host.loraTargets;
  const linears = host.module.namedModules().filter((e): e is [string, Linear] => e[1] instanceof Linear);
  const hits = linears.filter(([name]) => targets.some((t) => nameEndsWith(name, t)));
  if (!hits.length) {
    const sample = linears.slice(0, 8).map(([n]) => n).join(', ');
    throw new Error(`lora: no linear layer of the ${host.family} backbone matches targets [${targets.join(', ')}]; linear names look like: ${sample}`);
  }
  const restore = snapshotTrainable(host.module);
  setTrainableWhere(host.module, (_, p) => config.train_biases && p.role === 'bias');
  const tree = new ModuleTree();
  const removers: (() => void)[] = [];
  for (const [name, lin] of hits) {
    const delta = tree.put(name, new LowRankDelta(lin.inFeatures, lin.outFeatures, config.r, config.alpha, rng.fork(`lora:${name}`), config.dropout));
    removers.push(lin.addDelta((x, ctx) => delta.forward(x, ctx)));
  }
  return {
    modules: { lora: tree },
    detach: () => { for (const r of removers) r(); restore(); },
  };
}
