// Ladder Side-Tuning on T5: the side encoder/decoder network and its pruning init. The method id, version and config
// schema are LST's (src/petl/lst/config.ts); this folder is the T5 backbone's side network.
import type { Rng } from '../../engine/rng.js';
import type { T5Model } from '../../backbones/t5/model.js';
import { parseMethodConfig } from '../apply.js';
import { LST_METHOD } from '../lst/config.js';
import { LstT5Side } from './side.js';

export { LstT5Side, LstT5SideStack, sideT5Config } from './side.js';
export { pruneInitT5Side, t5ChannelPlan, type T5ChannelPlan, type T5BlockChannels } from './prune.js';

/** Builds LST's side network for a (frozen) T5 from a raw `lst` method config. */
export function buildT5Lst(model: T5Model, rawConfig: unknown, rng: Rng): LstT5Side {
  return new LstT5Side(model, parseMethodConfig(LST_METHOD, rawConfig), rng.fork('lst-t5'));
}
