// LST on CLIP (both towers): a ClipLadderSide per tower (side.ts), initialised by pruning (prune.ts) or randomly,
// whose pooled output goes through the tower's frozen final norm and projection. Config: the shared LST schema
// (src/petl/lst/config.ts): r, layers, gate_T, gate_alpha, add_bias_sampling, init, output, final_layer_norm.
import type { Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { tf } from '../../engine/tf.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import type { ClipModel } from '../../backbones/clip/model.js';
import type { LstConfig } from '../lst/config.js';
import { ClipLadderSide } from './side.js';
import { pruneInitClipSide, type ClipChannelPlan } from './prune.js';

export { ClipLadderSide, clipSideDims } from './side.js';
export { clipChannelPlan, pruneInitClipSide, type ClipChannelPlan, type ClipLayerChannels } from './prune.js';

export class ClipLst extends Module {
  readonly vision: ClipLadderSide;
  readonly text: ClipLadderSide;
  /** Channels kept by the pruning init, per tower (null for init 'random'). */
  readonly plans: { vision: ClipChannelPlan; text: ClipChannelPlan } | null;

  /** Freezes the whole CLIP (only side parameters train). */
  constructor(readonly clip: ClipModel, readonly cfg: LstConfig, rng: Rng) {
    super();
    clip.setTrainable(false);
    const vc = clip.config.vision_config, tc = clip.config.text_config;
    this.vision = this.addChild('vision', new ClipLadderSide(vc, false, cfg, rng.fork('lst-vision')));
    this.text = this.addChild('text', new ClipLadderSide(tc, true, cfg, rng.fork('lst-text')));
    if (cfg.init === 'prune-magnitude') {
      const blocks = (s: ClipLadderSide) => new Map(s.layers.map((i) => [i, s.block(i)]));
      const patchRows = tf.reshape(clip.vision_model.embeddings.patch_embedding.weight.value, [-1, vc.hidden_size]);
      try {
        this.plans = {
          vision: pruneInitClipSide(clip.vision_model.encoder, patchRows, blocks(this.vision), this.vision.side.hidden_size, this.vision.side.intermediate_size),
          text: pruneInitClipSide(clip.text_model.encoder, clip.text_model.embeddings.token_embedding.weight.value, blocks(this.text), this.text.side.hidden_size, this.text.side.intermediate_size),
        };
      } finally { patchRows.dispose(); }
    } else {
      this.plans = null;
    }
  }

  /** Frame embeddings [N, E] from the vision tower's hidden states (pooled at the class token). */
  image(hiddenStates: Tensor[], ctx: ForwardCtx): Tensor {
    const N = (hiddenStates[0].shape as number[])[0];
    const v = this.clip.vision_model;
    const state = this.vision.forward(hiddenStates, new Array<number>(N).fill(0), ctx);
    return this.clip.visual_projection.forward(v.post_layernorm.forward(state), ctx);
  }

  /** Caption embeddings [B, E] from the text tower's hidden states (pooled at each row's end-of-text token). */
  textEmbedding(hiddenStates: Tensor[], eot: readonly number[], ctx: ForwardCtx): Tensor {
    const state = this.text.forward(hiddenStates, eot, ctx);
    return this.clip.text_projection.forward(this.clip.text_model.final_layer_norm.forward(state), ctx);
  }
}

export function buildClipLst(clip: ClipModel, config: LstConfig, rng: Rng): ClipLst {
  return new ClipLst(clip, config, rng);
}
