// Ladder Side-Tuning for a ResNet/ResNeXt. No official port exists (reference §6.3: UniPT's VSE∞/MDETR LST variants
// are not released), so this is a design in LST's spirit; every choice not taken from LST is marked [INFERRED].
//
//   h_0 = side_first_downsample(stem output)                        Conv1x1 C_stem -> C_stem / r   (LST: on the embeddings)
//   for stage i = 0..3:
//     h = side_block.i(h)                                           a bottleneck block of width w_i / r, output C_i / r,
//                                                                   stride 2 from stage 1 on (as the backbone's block 0)
//     h = mu_i * h + (1 - mu_i) * side_downsamples.i(X_i)           mu_i = sigmoid(alpha_i / T), alpha_0 = 0, T = 0.1 (LST)
//   out = side_final_upsample(h)                                    Conv1x1 C_3 / r -> C_3   (replaces X_3, or is added)
//
// [INFERRED] the ladder joins AFTER the side block of its stage (LST mixes before the block, with the output of the
//   backbone layer of the same index; here the block changes the resolution, so the stage output X_i can only meet the
//   side state once the side block has reached X_i's resolution; every stage output, the last included, feeds a ladder).
// [INFERRED] one side block per stage (the backbone's stages hold 1-23 blocks; LST keeps one side block per kept layer).
// [INFERRED] plain (groups = 1) 3x3 convolutions in the side blocks; BatchNorm with batch statistics (the side
//   network trains, like UniPT's CNN branch); no final norm (the blocks end in BN already).
// [INFERRED] LST's pruning initialisation, structurally: each side block starts as a channel subset of the backbone's
//   first block of that stage (prune.ts); ladders and the upsample start random, as in LST.
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import { ModuleDict, ParamDict } from '../../nn/container.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import { Bottleneck } from '../../backbones/cnn/resnet.js';
import { blockWidth } from '../../backbones/cnn/config.js';
import type { ResNet } from '../../backbones/cnn/resnet.js';
import type { LstConfig } from '../lst/config.js';

/** Side widths for reduction factor r: stem, per-stage block widths and outputs. */
export function cnnSideWidths(model: ResNet, r: number): { stem: number; width: number[]; out: number[] } {
  const red = (c: number) => Math.max(1, Math.round(c / r));
  return {
    stem: red(model.stemChannels),
    width: [0, 1, 2, 3].map((i) => red(blockWidth(model.config, i))),
    out: model.channels.map(red),
  };
}

export class CnnLadderSide extends Module {
  readonly side_first_downsample: Linear;
  readonly side_downsamples: ModuleDict<Linear>;
  readonly side_block: ModuleDict<Bottleneck>;
  readonly side_gate_params: ParamDict;
  readonly side_final_upsample: Linear;
  readonly widths: { stem: number; width: number[]; out: number[] };

  constructor(readonly backbone: ResNet, readonly cfg: LstConfig, rng: Rng) {
    super();
    const w = cnnSideWidths(backbone, cfg.r), C = backbone.channels, bias = cfg.add_bias_sampling;
    this.widths = w;
    this.side_first_downsample = this.addChild('side_first_downsample', new Linear(backbone.stemChannels, w.stem, rng.fork('lst:first'), { bias }));
    this.side_downsamples = this.addChild('side_downsamples', new ModuleDict<Linear>());
    this.side_block = this.addChild('side_block', new ModuleDict<Bottleneck>());
    this.side_gate_params = this.addChild('side_gate_params', new ParamDict());
    const eps = backbone.config.batch_norm_eps;
    for (let i = 0; i < 4; i++) {
      const inC = i === 0 ? w.stem : w.out[i - 1];
      const block = new Bottleneck(inC, w.width[i], w.out[i], i === 0 ? 1 : 2, 1, eps, rng.fork(`lst:block${i}`));
      for (const [, m] of block.namedModules()) if ('mode' in m) (m as unknown as { mode: string }).mode = 'batch';
      this.side_block.set(String(i), block);
      this.side_downsamples.set(String(i), new Linear(C[i], w.out[i], rng.fork(`lst:down${i}`), { bias }));
      this.side_gate_params.add(String(i), init.constant([1], cfg.gate_alpha), 'weight');
    }
    this.side_final_upsample = this.addChild('side_final_upsample', new Linear(w.out[3], C[3], rng.fork('lst:up'), { bias }));
  }

  gate(i: number): Param { return this.side_gate_params.get(String(i))!; }

  /**
   * stem: the backbone's stem output; stages: its four stage outputs (plain tensors from outside the tape).
   * Returns the side network's map in the last stage's shape [B, h, w, C_3].
   */
  forward(stem: Tensor, stages: Tensor[], ctx: ForwardCtx): Tensor {
    if (stages.length !== 4) throw new Error(`lst (cnn): expected the 4 stage outputs, got ${stages.length}`);
    let h = tf.tidy(() => this.side_first_downsample.forward(stem, ctx));
    for (let i = 0; i < 4; i++) {
      const prev = h;
      h = tf.tidy(() => {
        const y = this.side_block.get(String(i))!.forward(prev, ctx);
        const [, hh, ww] = y.shape, [, H, W] = stages[i].shape;
        if (hh !== H || ww !== W) throw new Error(`lst (cnn): side stage ${i} is ${hh}x${ww} but backbone stage ${i} is ${H}x${W}; the backbone's strides must be 1, 2, 2, 2 from the stem on`);
        const mu = tf.sigmoid(tf.div(this.gate(i).value, this.cfg.gate_T));
        return tf.add(tf.mul(mu, y), tf.mul(tf.sub(1, mu), this.side_downsamples.get(String(i))!.forward(stages[i], ctx)));
      });
      prev.dispose();
    }
    const out = tf.tidy(() => {
      const up = this.side_final_upsample.forward(h, ctx);
      return this.cfg.output === 'add' ? tf.add(stages[3], up) : up;
    });
    h.dispose();
    return out;
  }
}
