// How the through-backbone methods see MDETR: the tunable part is everything but the CNN and the heads, i.e.
// input_proj, query_embed and MDETR's `transformer` module (the text encoder, its resizer, the fusion encoder and
// decoder); the CNN stays frozen in every method (its features are computed outside the tape), and the heads train
// in every method (the task model adds them). In that part:
//   LoRA: the attention query/value projections of the fusion transformer (q_proj, v_proj: encoder self-attention,
//     decoder self- and cross-attention) and of the text encoder (query, value);
//   adapters: after the attention and the FFN of every fusion-encoder layer and text-encoder layer, and after the
//     self-attention and the FFN of every decoder layer (as LST's T5 adapters, none after cross-attention);
//   prompt tuning: tokens prepended to the text encoder's embedded sequence (its `embeddings:output` site); they run
//     through the text encoder and stay in the fusion encoder's sequence as extra text tokens;
//   layer norms: every LayerNorm (fusion norm1..norm4 and decoder norm, the text encoder's LayerNorm, the resizer's).
import { Module } from '../../nn/module.js';
import type { MdetrModel } from '../../backbones/mdetr/model.js';
import type { PetlHost } from '../types.js';

/** A view of the MDETR parameters the methods tune (same modules, MDETR's names). */
export class MdetrTunable extends Module {
  constructor(readonly model: MdetrModel) {
    super();
    this.addChild('input_proj', model.input_proj);
    this.addChild('query_embed', model.query_embed);
    this.addChild('transformer', model.transformer);
    if (model.position) this.addChild('position', model.position);
  }
}

export function mdetrHost(model: MdetrModel): PetlHost {
  const d = model.dModel, H = model.textEncoder.hiddenSize;
  const t = model.transformer;
  const adapterSites = [
    ...t.encoder.layers.items.flatMap((_, i) => [
      { site: `transformer.encoder.layers.${i}:attention_output`, width: d },
      { site: `transformer.encoder.layers.${i}:ffn_output`, width: d },
    ]),
    ...t.decoder.layers.items.flatMap((_, i) => [
      { site: `transformer.decoder.layers.${i}:self_attention_output`, width: d },
      { site: `transformer.decoder.layers.${i}:ffn_output`, width: d },
    ]),
    ...t.text_encoder.encoder.layer.items.flatMap((_, i) => [
      { site: `transformer.text_encoder.encoder.layer.${i}:attention_output`, width: H },
      { site: `transformer.text_encoder.encoder.layer.${i}:ffn_output`, width: H },
    ]),
  ];
  return {
    family: 'mdetr',
    module: new MdetrTunable(model),
    loraTargets: ['q_proj', 'v_proj', 'query', 'value'],
    adapterSites,
    prompt: { site: 'transformer.text_encoder.embeddings:output', width: H, vocabulary: t.text_encoder.embeddings.word_embeddings.weight },
    isLayerNorm: (name) => /(^|\.)(norm\d?|LayerNorm|layer_norm)\.(weight|bias)$/.test(name),
  };
}
