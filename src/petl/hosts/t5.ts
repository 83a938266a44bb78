// How the through-backbone methods see a T5 (LST's T5 baselines, reference §3):
//   LoRA: q and v of every attention, cross-attention included (36 attention modules, 72 linears at base);
//   adapters: after the self-attention and after the FFN of every encoder and decoder block (LST's T5 has adapter
//     controllers in T5LayerSelfAttention and T5LayerFF, none in T5LayerCrossAttention: 48 adapters at base, which
//     with the layer norms gives LST's 3,625,728 trainable parameters);
//   prompt tuning: tokens prepended to the encoder's input embeddings (before the embedding dropout), as LST does;
//   layer norms: every T5LayerNorm (`layer_norm`, `final_layer_norm`).
// BitFit, and LoRA with its BitFit biases, need biases T5 does not have: LST's T5 adds zero-initialised biases to
// q/k/v/o/wi/wo, every T5LayerNorm and the LM head when `bitfit` is on. The model must be built with them, so the
// task builder asks `t5NeedsBiases` before loading the checkpoint.
import type { T5Model } from '../../backbones/t5/model.js';
import type { PetlHost } from '../types.js';

export function t5Host(model: T5Model): PetlHost {
  const D = model.dModel;
  const adapterSites = [model.encoder, model.decoder].flatMap((stack) => {
    const name = stack.isDecoder ? 'decoder' : 'encoder';
    return stack.block.items.flatMap((_, i) => [
      { site: `${name}.block.${i}:self_attention_output`, width: D },
      { site: `${name}.block.${i}:ffn_output`, width: D },
    ]);
  });
  return {
    family: 't5',
    module: model,
    loraTargets: ['q', 'v'],
    adapterSites,
    prompt: { site: 'encoder:embeddings', width: D, vocabulary: model.shared.weight },
    isLayerNorm: (name) => /(^|\.)(layer_norm|final_layer_norm)\.(weight|bias)$/.test(name),
  };
}

/**
 * Whether a method needs T5 built with LST's extra biases: BitFit always; LoRA when it trains biases (its
 * `train_biases`, default true, is LST's `"bitfit": true` in lora.json).
 */
export function t5NeedsBiases(methodId: string, methodConfig: Record<string, unknown> | undefined): boolean {
  if (methodId === 'bitfit') return true;
  if (methodId === 'lora') return methodConfig?.train_biases !== false;
  return false;
}
