// How the through-backbone methods see a BERT/RoBERTa encoder: LoRA on query/value, adapters after attention and
// after the FFN of every layer, prompt tokens prepended at the embeddings output.
import type { TextEncoder } from '../../backbones/text/bert.js';
import type { PetlHost } from '../types.js';

export function textEncoderHost(encoder: TextEncoder): PetlHost {
  const H = encoder.hiddenSize;
  const adapterSites = encoder.encoder.layer.items.flatMap((_, i) => [
    { site: `encoder.layer.${i}:attention_output`, width: H },
    { site: `encoder.layer.${i}:ffn_output`, width: H },
  ]);
  return {
    family: 'text-encoder',
    module: encoder,
    loraTargets: ['query', 'value'],
    adapterSites,
    prompt: { site: 'embeddings:output', width: H, vocabulary: encoder.embeddings.word_embeddings.weight },
    isLayerNorm: (name) => /(^|\.)LayerNorm\./.test(name),
  };
}
