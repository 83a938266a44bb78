// Ladder Side-Tuning on CLIP, one side network per tower. LST's CLIP4Clip port used by UniPT is not released
// (reference §6.3), so this follows LST's T5 / CLIP-ViL design and marks what had to be chosen:
//   side blocks       CLIP blocks (pre-LN, QuickGELU; the text side keeps the causal mask) at width d/r, MLP ff/r,
//                     heads = the backbone's count when it divides d/r, else the largest that does     [as LST]
//   ladders           h = side_first_downsample(X_0)  (X_0 = the transformer input: after pre_layrnorm for
//                     vision, token + position embeddings for text); for each kept layer i:
//                     mu_i = sigmoid(alpha_i / T); h = mu_i h + (1 - mu_i) side_downsamples[i](X_{i+1});
//                     h = side_block[i](h)                                                          [as LST]
//   layer dropping    LST's rule (keep i with i mod 4 != 0) unless `layers` says otherwise           [as LST]
//   output            [INFERRED] the side state at the pooled token (CLS for frames, <|endoftext|> for text) ->
//                     side_final_layer_norm -> side_final_upsample (d/r -> d) replaces the backbone's last hidden
//                     state there ('replace'; 'add' adds it to the backbone's) and goes through the FROZEN
//                     post_layernorm / final_layer_norm and projection to the joint space: the analogue of LST
//                     feeding its upsampled side state to T5's frozen lm_head, and of CLIP-ViL's frozen pooler.
//   init              side blocks from magnitude pruning of the backbone (prune.ts) or random (CLIP's init);
//                     ladders and the upsample random                                                 [as LST]
import { tf, type Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { Linear, LayerNorm } from '../../nn/layers.js';
import { ModuleDict, ParamDict } from '../../nn/container.js';
import type { Param } from '../../nn/param.js';
import * as init from '../../nn/init.js';
import { ClipEncoderLayer, type ClipBlockDims, type ClipEncoder } from '../../backbones/clip/layers.js';
import { causalMask } from '../../backbones/clip/text.js';
import { resolveLstLayers, type LstConfig } from '../lst/config.js';
import { sideHeads } from '../lst/text-encoder.js';

/** The reduced block dimensions of a tower's side network. */
export function clipSideDims(backbone: ClipBlockDims, r: number): ClipBlockDims {
  const hidden = Math.floor(backbone.hidden_size / r), inter = Math.floor(backbone.intermediate_size / r);
  if (hidden < 1 || inter < 1) {
    throw new Error(`lst: r = ${r} leaves no side width (hidden ${backbone.hidden_size}/${r}, intermediate ${backbone.intermediate_size}/${r}); use r <= ${Math.min(backbone.hidden_size, backbone.intermediate_size)}`);
  }
  return { ...backbone, hidden_size: hidden, intermediate_size: inter, num_attention_heads: sideHeads(hidden, backbone.num_attention_heads) };
}

export class ClipLadderSide extends Module {
  readonly side_first_downsample: Linear;
  readonly side_downsamples: ModuleDict<Linear>;
  readonly side_block: ModuleDict<ClipEncoderLayer>;
  readonly side_gate_params: ParamDict;
  readonly side_final_layer_norm: LayerNorm | null;
  readonly side_final_upsample: Linear;
  readonly layers: number[];
  readonly side: ClipBlockDims;

  constructor(readonly backbone: ClipBlockDims, readonly causal: boolean, readonly cfg: LstConfig, rng: Rng) {
    super();
    const H = backbone.hidden_size;
    this.side = clipSideDims(backbone, cfg.r);
    this.layers = resolveLstLayers(cfg.layers, backbone.num_hidden_layers);
    const d = this.side.hidden_size, bias = cfg.add_bias_sampling;
    this.side_first_downsample = this.addChild('side_first_downsample', new Linear(H, d, rng.fork('lst:first'), { bias }));
    this.side_downsamples = this.addChild('side_downsamples', new ModuleDict<Linear>());
    this.side_block = this.addChild('side_block', new ModuleDict<ClipEncoderLayer>());
    this.side_gate_params = this.addChild('side_gate_params', new ParamDict());
    for (const i of this.layers) {
      this.side_downsamples.set(String(i), new Linear(H, d, rng.fork(`lst:down${i}`), { bias }));
      this.side_block.set(String(i), new ClipEncoderLayer(this.side, rng.fork(`lst:block${i}`)));
      this.side_gate_params.add(String(i), init.constant([1], cfg.gate_alpha), 'weight');
    }
    this.side_final_layer_norm = cfg.final_layer_norm ? this.addChild('side_final_layer_norm', new LayerNorm(d, backbone.layer_norm_eps)) : null;
    this.side_final_upsample = this.addChild('side_final_upsample', new Linear(d, H, rng.fork('lst:up'), { bias }));
  }

  gate(i: number): Param { return this.side_gate_params.get(String(i))!; }
  block(i: number): ClipEncoderLayer { return this.side_block.get(String(i))!; }

  /**
   * hiddenStates: the tower's transformer input and each block's output ([N, T, H], computed outside the tape);
   * positions: the pooled token per row (0 = CLS; the end-of-text index for text). Returns the backbone-width
   * state at those tokens, [N, H] (upsampled side output, or the backbone's last state plus it for 'add').
   */
  forward(hiddenStates: Tensor[], positions: readonly number[], ctx: ForwardCtx): Tensor {
    const L = this.backbone.num_hidden_layers;
    if (hiddenStates.length !== L + 1) throw new Error(`lst: expected ${L + 1} hidden states (transformer input + ${L} blocks), got ${hiddenStates.length}`);
    const [N, T, H] = hiddenStates[0].shape as number[];
    if (positions.length !== N) throw new Error(`lst: ${positions.length} pooled positions for ${N} rows`);
    const flat = (x: Tensor) => tf.reshape(x, [N * T, H]);
    const mask = this.causal ? causalMask(T) : null;
    let h = tf.tidy(() => this.side_first_downsample.forward(flat(hiddenStates[0]), ctx));
    for (const i of this.layers) {
      const prev = h;
      h = tf.tidy(() => {
        const mu = tf.sigmoid(tf.div(this.gate(i).value, this.cfg.gate_T));
        const down = this.side_downsamples.get(String(i))!.forward(flat(hiddenStates[i + 1]), ctx);
        const mixed = tf.add(tf.mul(mu, prev), tf.mul(tf.sub(1, mu), down));
        return this.block(i).forward(mixed, N, T, mask, ctx);
      });
    }
    return tf.tidy(() => {
      const rows = tf.tensor1d(positions.map((p, n) => n * T + p), 'int32');
      const picked = tf.gather(h, rows);
      const normed = this.side_final_layer_norm ? this.side_final_layer_norm.forward(picked) : picked;
      const up = this.side_final_upsample.forward(normed, ctx);
      if (this.cfg.output !== 'add') return up;
      return tf.add(tf.gather(flat(hiddenStates[L]), rows), up);
    });
  }
}

export type { ClipEncoder };
