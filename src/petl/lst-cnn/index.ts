// LST on a ResNet/ResNeXt (design and [INFERRED] choices in side.ts): the backbone stays frozen and outside the
// gradient tape; only the side network trains. The LST method config is shared with the text LST: r, gate_T,
// gate_alpha, add_bias_sampling, init ('prune-magnitude' | 'random') and output ('replace' | 'add') apply here;
// `layers` and `final_layer_norm` are about transformer layers and do not (one side block per stage, always).
import type { Rng } from '../../engine/rng.js';
import type { ResNet } from '../../backbones/cnn/resnet.js';
import type { LstConfig } from '../lst/config.js';
import { CnnLadderSide } from './side.js';
import { pruneInitCnnSide, type CnnPrunePlan } from './prune.js';

export { CnnLadderSide, cnnSideWidths } from './side.js';
export { pruneInitCnnSide, topIndices, type CnnPrunePlan } from './prune.js';

/** Builds LST on a CNN and freezes the CNN. */
export function buildCnnLst(model: ResNet, config: LstConfig, rng: Rng): { side: CnnLadderSide; plan: CnnPrunePlan | null } {
  model.setTrainable(false);
  const side = new CnnLadderSide(model, config, rng);
  const plan = config.init === 'prune-magnitude' ? pruneInitCnnSide(model, side) : null;
  return { side, plan };
}
