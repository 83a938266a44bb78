// Puts a method on CLIP-ViL's cross-modal encoder (the frozen CLIP tower is never part of any method).
//   full, bitfit, adapter, lora, prompt: through the backbone, via the clip-vil PetlHost. As LST's CLIP-ViL
//     baselines (trainer_base.py `unfreeze_parameters`), adapters and LoRA also train the visual projection visn_fc
//     (VisualFeatEncoder is unfrozen unless side transformers are used); LoRA's `train_biases` covers every bias of
//     the cross-modal model ("bias" not in visual_model). BitFit and prompt tuning keep their plain definitions
//     (they are not in LST's CLIP-ViL scripts).
//   unipt: variant (D) (src/petl/unipt/clip-vil.ts) over X_0 (the joint input embeddings) .. X_L; its output
//     replaces the encoder output, and the frozen pooler feeds the trainable logit_fc.
//   lst: the project's BERT-style ladder (src/petl/lst/text-encoder.ts) over the same joint hidden states, its
//     output replacing the encoder output. LST's CLIP-ViL code runs init_bert_weights over the whole LXRT model,
//     side modules included, so the down/up-sampling layers are re-drawn here from N(0, 0.02) with zero biases
//     (the text LST leaves PyTorch's default init on them). CLIP-ViL's script settings are r = 4, layers 'all',
//     add_bias_sampling false, final_layer_norm false, init 'random' (no --load_side_pretrained_weights).
import type { Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import type { Module, ForwardCtx } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import * as init from '../../nn/init.js';
import type { ClipVilModel } from '../../backbones/clip-vil/model.js';
import { getMethod } from '../../registry/index.js';
import { applyThroughBackbone } from '../../petl/apply.js';
import { clipVilHost } from '../../petl/hosts/clip-vil.js';
import { ClipVilUnipt, resolveUniptConfig, ablationOf } from '../../petl/unipt/index.js';
import { buildTextLst, LstConfigSchema, type TextLadderSide } from '../../petl/lst/index.js';
import { PromptConfigSchema } from '../../petl/prompt.js';
import { InputError } from '../../util/errors.js';

export interface VqaSideNetwork {
  module: Module;
  /** hiddenStates X_0..X_L [B, T, H] (computed outside the tape), joint mask [B, T] -> sequence [B, T, H]. */
  forward(hiddenStates: Tensor[], mask: Tensor, ctx: ForwardCtx): Tensor;
}

export type VqaMethodRuntime =
  /** `firstToken`: where the question's [CLS] sits in the joint sequence (after prepended prompt tokens). */
  | { mode: 'through-backbone'; modules: Record<string, Module>; firstToken: number }
  | { mode: 'side'; name: string; side: VqaSideNetwork };

/** init_bert_weights on a linear layer: weight ~ N(0, 0.02), bias 0. */
function bertInit(lin: Linear, rng: Rng, std: number): void {
  const w = init.normal(lin.weight.shape, std, rng);
  lin.weight.assign(w); w.dispose();
  if (lin.bias) { const b = init.zeros(lin.bias.shape); lin.bias.assign(b); b.dispose(); }
}

export function clipVilLst(model: ClipVilModel, config: unknown, rng: Rng): TextLadderSide {
  const cfg = LstConfigSchema.parse(config ?? {});
  model.setTrainable(false);
  const side = buildTextLst(model.bert, cfg, rng.fork('lst'));
  const r = rng.fork('lst:bert-init');
  const std = model.config.text_config.initializer_range;
  bertInit(side.side_first_downsample, r, std);
  for (const lin of side.side_downsamples.values()) bertInit(lin, r, std);
  bertInit(side.side_final_upsample, r, std);
  return side;
}

export function applyVqaMethod(methodId: string, config: Record<string, unknown>, model: ClipVilModel, rng: Rng): VqaMethodRuntime {
  const def = getMethod(methodId);
  if (def.mode === 'through-backbone') {
    const applied = applyThroughBackbone(methodId, clipVilHost(model), config, rng);
    if (methodId === 'adapter' || methodId === 'lora') model.visn_fc.setTrainable(true);
    const prompt = methodId === 'prompt' ? PromptConfigSchema.parse(config) : null;
    return { mode: 'through-backbone', modules: applied.modules, firstToken: prompt && prompt.position === 'prepend' ? prompt.tokens : 0 };
  }
  if (methodId === 'unipt') {
    model.setTrainable(false);
    const c = resolveUniptConfig(config, 'clip-vil');
    if (c.variant !== 'clip-vil') throw new InputError(`unipt on CLIP-ViL needs variant "clip-vil" (or "auto"), got "${c.variant}"`);
    const module = new ClipVilUnipt({ hiddenSize: model.hiddenSize, numLayers: model.numLayers, downsampleFactor: c.downsampleFactor, ...ablationOf(c) }, rng.fork('unipt'));
    return { mode: 'side', name: 'unipt', side: { module, forward: (hs, mask, ctx) => module.forward(hs, mask, ctx) } };
  }
  if (methodId === 'lst') {
    const side = clipVilLst(model, config, rng);
    return { mode: 'side', name: 'lst', side: { module: side, forward: (hs, mask, ctx) => side.forward(hs, mask, ctx) } };
  }
  throw new InputError(`method "${methodId}" has no CLIP-ViL implementation`);
}
