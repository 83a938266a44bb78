// How the through-backbone methods see CLIP (both towers at once, since CLIP4Clip tunes image and text alike):
//   LoRA      q_proj and v_proj of every attention block of both towers;
//   adapters  after the attention output and after the MLP of every block (`attention_output` / `mlp_output` sites,
//             before each residual add), vision blocks at the vision width, text blocks at the text width;
//   prompts   one table per tower: after the class token for the vision tower (on the transformer input, after
//             pre_layrnorm) and after <|startoftext|> for the text tower (after the position embeddings); the towers
//             shift the class/end-of-text pooling accordingly. On CLIP the prompt site is "the tokens after the first
//             one", so the prompt config's position "prepend" (the default) means directly after CLS / SOT;
//             "after-first" is refused rather than silently placing prompts after the first patch or word.
//             [INFERRED] The vision tower has no vocabulary to initialise prompts from; its stand-in is the patch
//             embedding's rows (the token each single pixel channel produces, [p*p*3, width]), standardised like the
//             text rows by `normalize_init`, so vision prompts start as plausible patch tokens.
//   BitFit    every bias (q/k/v/out/fc1/fc2 and the layer-norm betas) of both towers;
//   layer norms (trained with adapters): layer_norm1/2, pre_layrnorm, post_layernorm, final_layer_norm.
// logit_scale never trains (CLIP4Clip's UniPT setup freezes it; kept frozen for every method so the similarity
// temperature is the same across methods).
import { tf } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import type { Module } from '../../nn/module.js';
import { Param } from '../../nn/param.js';
import type { ClipModel } from '../../backbones/clip/model.js';
import { applyThroughBackbone, parseMethodConfig } from '../apply.js';
import { PROMPT_METHOD } from '../prompt.js';
import type { AppliedMethod, PetlHost } from '../types.js';

const LAYER_NORM = /(^|\.)(layer_norm1|layer_norm2|pre_layrnorm|post_layernorm|final_layer_norm)\./;

function adapterSites(model: ClipModel): PetlHost['adapterSites'] {
  const sites: PetlHost['adapterSites'] = [];
  for (const [tower, enc, width] of [
    ['vision_model', model.vision_model.encoder, model.config.vision_config.hidden_size],
    ['text_model', model.text_model.encoder, model.config.text_config.hidden_size],
  ] as const) {
    enc.layers.items.forEach((_, i) => {
      sites.push({ site: `${tower}.encoder.layers.${i}:attention_output`, width });
      sites.push({ site: `${tower}.encoder.layers.${i}:mlp_output`, width });
    });
  }
  return sites;
}

/** The CLIP host with the text tower's prompt site (the one PetlHost slot). */
export function clipHost(model: ClipModel): PetlHost {
  return {
    family: 'clip',
    module: model,
    loraTargets: ['q_proj', 'v_proj'],
    adapterSites: adapterSites(model),
    prompt: { site: 'text_model.embeddings:prompt', width: model.config.text_config.hidden_size, vocabulary: model.text_model.embeddings.token_embedding.weight },
    isLayerNorm: (name) => LAYER_NORM.test(name),
  };
}

/** The patch embedding's rows [p*p*C, width] as a temporary table for initialising vision prompts (caller disposes). */
export function visionPromptVocabulary(model: ClipModel): Param {
  const w = model.vision_model.embeddings.patch_embedding.weight;
  const t = tf.reshape(w.value, [-1, model.config.vision_config.hidden_size]);
  return new Param(t, 'buffer', false);
}

export interface AppliedClipMethod extends AppliedMethod {
  /** How many prompt tokens each tower inserts (0 unless prompt tuning). */
  promptTokens: number;
}

/**
 * Applies one of full / bitfit / adapter / lora / prompt to CLIP; prompt tuning gets a table per tower (modules
 * `prompt_vision`, `prompt_text`). logit_scale stays frozen.
 */
export function applyClipThroughBackbone(methodId: string, model: ClipModel, config: Record<string, unknown>, rng: Rng): AppliedClipMethod {
  let applied: AppliedClipMethod;
  if (methodId === 'prompt') {
    const cfg = parseMethodConfig(PROMPT_METHOD, config);
    if (cfg.position !== 'prepend') {
      throw new Error('prompt on CLIP: position must be "prepend" (directly after the class token / <|startoftext|>, where CLIP\'s prompt sites are); "after-first" would put the prompts after the first patch or word');
    }
    const host = clipHost(model);
    const text = applyThroughBackbone('prompt', host, cfg, rng.fork('prompt-text'));
    const vocab = visionPromptVocabulary(model);
    let vision: AppliedMethod;
    try {
      vision = applyThroughBackbone('prompt', { ...host, prompt: { site: 'vision_model.embeddings:prompt', width: model.config.vision_config.hidden_size, vocabulary: vocab } }, cfg, rng.fork('prompt-vision'));
    } finally { vocab.dispose(); }
    const modules: Record<string, Module> = { prompt_vision: vision.modules.prompt, prompt_text: text.modules.prompt };
    applied = { modules, promptTokens: cfg.tokens, detach: () => { vision.detach(); text.detach(); } };
  } else {
    const a = applyThroughBackbone(methodId, clipHost(model), config, rng);
    applied = { ...a, promptTokens: 0 };
  }
  model.logit_scale.trainable = false;
  return applied;
}
