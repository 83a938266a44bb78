// The side methods on MDETR (UniPT, LST) read the frozen model's hidden states, computed outside the gradient tape,
// and produce the decoder outputs the (trainable) MDETR heads read: [L, B, Q, d_model], auxiliary outputs first.
import type { Tensor } from '../../engine/tf.js';
import type { ForwardCtx, Module } from '../../nn/module.js';

export interface MdetrSideInput {
  /** Fusion-encoder input then each layer's output: enc_layers + 1 tensors [B, S, d]. */
  encoderStates: Tensor[];
  /** [B, S] 1 = valid token. */
  encoderMask: Tensor;
  /** [B, S, d] the encoder's position encoding (zeros on text positions). */
  pos: Tensor;
  /** Decoder input (zeros) then each layer's output, the last through the decoder norm (as UniPT's MDETR returns
   *  them): dec_layers + 1 tensors [B, Q, d]. */
  decoderStates: Tensor[];
  /** [Q, d] the learned query embeddings (the decoder's query positions). */
  queryEmbed: Tensor;
}

export interface MdetrSideNetwork {
  name: string;
  module: Module;
  /** [L, B, Q, d_model]: decoder outputs for the heads (L - 1 auxiliary, then the final one). */
  forward(inp: MdetrSideInput, ctx: ForwardCtx): Tensor;
}
