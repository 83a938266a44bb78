// Ladder Side-Tuning on MDETR: the side encoder-decoder network (side.ts, every inferred choice listed in
// LST_MDETR_INFERRED_CHOICES) and its pruning init (prune.ts). The method id, version and config schema are LST's
// (src/petl/lst/config.ts).
import type { Rng } from '../../engine/rng.js';
import type { Tensor } from '../../engine/tf.js';
import type { ForwardCtx } from '../../nn/module.js';
import type { MdetrModel } from '../../backbones/mdetr/model.js';
import { parseMethodConfig } from '../apply.js';
import { LST_METHOD } from '../lst/config.js';
import { LstMdetrSide, type LstMdetrInput } from './side.js';
import { pruneInitMdetrSide } from './prune.js';

export { LstMdetrSide, sideMdetrDims, LST_MDETR_INFERRED_CHOICES, type LstMdetrInput } from './side.js';
export { pruneInitMdetrSide, type MdetrChannelPlan } from './prune.js';

/** LST's side network for a (frozen) MDETR from a raw `lst` method config: { name, module, forward }. */
export function buildMdetrLst(model: MdetrModel, rawConfig: unknown, rng: Rng): { name: 'lst'; module: LstMdetrSide; forward(inp: LstMdetrInput, ctx: ForwardCtx): Tensor } {
  const cfg = parseMethodConfig(LST_METHOD, rawConfig);
  if (cfg.output === 'add') throw new Error('lst on MDETR: output "add" is not defined (the side decoder\'s outputs replace the decoder\'s); use output "replace"');
  const module = new LstMdetrSide(model.config, cfg, rng.fork('lst-mdetr'));
  if (cfg.init === 'prune-magnitude') pruneInitMdetrSide(model, module);
  return { name: 'lst', module, forward: (inp, ctx) => module.forward(inp, ctx) };
}
