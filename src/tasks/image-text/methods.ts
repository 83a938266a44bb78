// Puts a method on the two VSE∞ towers. What each method tunes (the GPO poolers and the text/image heads train in
// every method, as in VSE∞):
//   full     BERT and the CNN (convs and BN affines; BN statistics frozen)            both towers in the tape
//   bitfit   BERT biases + LayerNorm betas; the CNN's BN betas                        both towers in the tape
//   adapter  Houlsby adapters in BERT (+ its LayerNorms); CNN frozen                  CNN outside the tape
//   lora     LoRA on BERT query/value (+ BERT biases, as LST's baseline); CNN frozen   CNN outside the tape
//   prompt   prompt tokens in BERT; CNN frozen                                         CNN outside the tape
//   unipt    vse-text UniPT on BERT's hidden states, vse-cnn UniPT on the CNN's stages  both outside the tape
//   lst      LST side network on BERT (src/petl/lst) and on the CNN (src/petl/lst-cnn)  both outside the tape
// adapter / lora / prompt leave the CNN frozen: the baselines VSE∞'s code lists come from adapter-transformers,
// which only wraps the BERT tower (reference §3), and the registry's matrix says the same.
import type { Rng } from '../../engine/rng.js';
import type { Module } from '../../nn/module.js';
import { getMethod } from '../../registry/index.js';
import { applyThroughBackbone } from '../../petl/apply.js';
import { textEncoderHost } from '../../petl/hosts/text-encoder.js';
import { cnnHost } from '../../petl/hosts/cnn.js';
import { VseTextUnipt, VseCnnUnipt, resolveUniptConfig, ablationOf } from '../../petl/unipt/index.js';
import { buildTextLst, LstConfigSchema, type TextLadderSide } from '../../petl/lst/index.js';
import { buildCnnLst, type CnnLadderSide } from '../../petl/lst-cnn/index.js';
import { PromptConfigSchema } from '../../petl/prompt.js';
import { parseMethodConfig } from '../../petl/apply.js';
import { UNIPT_METHOD } from '../../petl/unipt/index.js';
import { LST_METHOD } from '../../petl/lst/config.js';
import { InputError } from '../../util/errors.js';
import type { VseTowers } from './backbone.js';

export type ImageRuntime =
  | { kind: 'tape' }
  | { kind: 'frozen' }
  | { kind: 'unipt'; side: VseCnnUnipt }
  | { kind: 'lst'; side: CnnLadderSide };

export type TextRuntime =
  /** promptTokens: prompt tokens prepended before [CLS] (sliced off before pooling). */
  | { kind: 'tape'; promptTokens: number }
  | { kind: 'unipt'; side: VseTextUnipt }
  | { kind: 'lst'; side: TextLadderSide };

export interface VseMethod {
  text: TextRuntime;
  image: ImageRuntime;
  /** Modules the method added, by accounting name. */
  modules: Record<string, Module>;
}

export const VSE_METHODS = ['full', 'bitfit', 'adapter', 'lora', 'prompt', 'unipt', 'lst'] as const;

export interface VseDims { embed: number; stageSizes: number[] }

export function applyVseMethod(methodId: string, config: Record<string, unknown>, towers: VseTowers, dims: VseDims, rng: Rng): VseMethod {
  const def = getMethod(methodId);
  const { text, image } = towers;
  let out: VseMethod;
  if (def.mode === 'through-backbone') {
    const t = applyThroughBackbone(methodId, textEncoderHost(text), config, rng.fork('text'));
    const modules: Record<string, Module> = Object.fromEntries(Object.entries(t.modules).map(([k, m]) => [`${k}_text`, m]));
    let imageRt: ImageRuntime;
    if (methodId === 'full' || methodId === 'bitfit') {
      applyThroughBackbone(methodId, cnnHost(image, { family: 'vse' }), config, rng.fork('image'));
      imageRt = { kind: 'tape' };
    } else {
      image.setTrainable(false);
      imageRt = { kind: 'frozen' };
    }
    const prompt = methodId === 'prompt' ? PromptConfigSchema.parse(config) : null;
    if (prompt && prompt.position !== 'prepend') throw new InputError('prompt on VSE∞: only position "prepend" is supported (the text is pooled by GPO over its own tokens, after the prompts are sliced off)');
    out = { text: { kind: 'tape', promptTokens: prompt ? prompt.tokens : 0 }, image: imageRt, modules };
  } else if (methodId === 'unipt') {
    parseMethodConfig(UNIPT_METHOD, config);
    const ct = resolveUniptConfig(config, 'vse', 'text'), ci = resolveUniptConfig(config, 'vse', 'image');
    if (ct.variant !== 'vse-text' || ci.variant !== 'vse-cnn') {
      throw new InputError(`unipt on VSE∞ uses variant "vse-text" on BERT and "vse-cnn" on the CNN; leave "variant" at "auto" (got "${config.variant}")`);
    }
    text.setTrainable(false); image.setTrainable(false);
    const L = text.numLayers;
    const sideText = new VseTextUnipt({ hiddenSizes: new Array<number>(L + 1).fill(text.hiddenSize), embedSize: dims.embed, downsampleFactor: ct.downsampleFactor, ...ablationOf(ct) }, rng.fork('unipt:text'));
    const hw = dims.stageSizes, g = hw[3];
    const sideImage = new VseCnnUnipt({
      hiddenSizes: image.channels, embedSize: dims.embed, downsampleFactor: ci.downsampleFactor,
      hwSize: hw, hwRate: hw.map((s) => s / g), ...ablationOf(ci),
    }, rng.fork('unipt:image'));
    out = { text: { kind: 'unipt', side: sideText }, image: { kind: 'unipt', side: sideImage }, modules: { unipt_text: sideText, unipt_image: sideImage } };
  } else if (methodId === 'lst') {
    const c = parseMethodConfig(LST_METHOD, config);
    const sideText = buildTextLst(text, LstConfigSchema.parse(c), rng.fork('lst:text'));
    const { side: sideImage } = buildCnnLst(image, c, rng.fork('lst:image'));
    out = { text: { kind: 'lst', side: sideText }, image: { kind: 'lst', side: sideImage }, modules: { lst_text: sideText, lst_image: sideImage } };
  } else {
    throw new InputError(`method "${methodId}" has no VSE∞ implementation; supported: ${VSE_METHODS.join(', ')}`);
  }
  // the tasks read token features, never BERT's pooler: it stays frozen in every method
  text.pooler.setTrainable(false);
  return out;
}
