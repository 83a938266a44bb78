// How the through-backbone methods see CLIP-ViL's cross-modal encoder (the ClipVilModel: BERT embeddings + visn_fc
// + the single-stream layers + pooler; the frozen CLIP tower is NOT part of it and never trains), following LST's
// CLIP-ViL baselines (LST repo CLIP-ViL/src/lxrt/modeling.py, src/tasks/trainer_base.py):
//   LoRA: query and value of every BertAttention (LoRALinearController replaces exactly those two);
//   adapters: after the attention output dense and after the FFN output dense of every layer, before dropout and the
//     residual LayerNorm (AdapterController in BertAttOutput / BertOutput);
//   layer norms (trained with adapters, as `use_adapter` unfreezes every nn.LayerNorm): the BERT LayerNorms and
//     visn_fc's visn_layer_norm;
//   prompt tuning (not in LST's CLIP-ViL scripts; [INFERRED] the natural place): tokens prepended to the question's
//     embeddings, so the joint sequence is [prompts; question; visual tokens].
import type { ClipVilModel } from '../../backbones/clip-vil/model.js';
import type { PetlHost } from '../types.js';

export function clipVilHost(model: ClipVilModel): PetlHost {
  const H = model.hiddenSize;
  const adapterSites = model.bert.encoder.layer.items.flatMap((_, i) => [
    { site: `bert.encoder.layer.${i}:attention_output`, width: H },
    { site: `bert.encoder.layer.${i}:ffn_output`, width: H },
  ]);
  return {
    family: 'clip-vil',
    module: model,
    loraTargets: ['query', 'value'],
    adapterSites,
    prompt: { site: 'bert.embeddings:output', width: H, vocabulary: model.bert.embeddings.word_embeddings.weight },
    isLayerNorm: (name) => /(^|\.)(LayerNorm|visn_layer_norm)\./.test(name),
  };
}
