// Puts a method on a text encoder. Through-backbone methods hook into the encoder (its forward then runs inside
// the gradient tape); side methods (UniPT, LST) freeze it and build a side network over its hidden states.
import type { Rng } from '../engine/rng.js';
import type { TextEncoder } from '../backbones/text/bert.js';
import { getMethod } from '../registry/index.js';
import { applyThroughBackbone } from '../petl/apply.js';
import { textEncoderHost } from '../petl/hosts/text-encoder.js';
import { createTextUnipt } from '../petl/unipt/index.js';
import { buildTextLst, LstConfigSchema } from '../petl/lst/index.js';
import { PromptConfigSchema } from '../petl/prompt.js';
import { InputError } from '../util/errors.js';
import type { TextMethodRuntime } from './text-model.js';

export function applyTextMethod(methodId: string, config: Record<string, unknown>, encoder: TextEncoder, rng: Rng): TextMethodRuntime {
  const def = getMethod(methodId);
  let runtime: TextMethodRuntime;
  if (def.mode === 'through-backbone') {
    const applied = applyThroughBackbone(methodId, textEncoderHost(encoder), config, rng);
    const prompt = methodId === 'prompt' ? PromptConfigSchema.parse(config) : null;
    runtime = { mode: 'through-backbone', modules: applied.modules, firstToken: prompt && prompt.position === 'prepend' ? prompt.tokens : 0 };
  } else if (methodId === 'unipt') {
    encoder.setTrainable(false);
    runtime = { mode: 'side', name: 'unipt', side: createTextUnipt(config, { numHiddenStates: encoder.numLayers + 1, hiddenSize: encoder.hiddenSize }, rng) };
  } else if (methodId === 'lst') {
    const side = buildTextLst(encoder, LstConfigSchema.parse(config), rng);
    runtime = { mode: 'side', name: 'lst', side };
  } else {
    throw new InputError(`method "${methodId}" has no text-encoder implementation`);
  }
  // The task heads read token 0 through their own dense layer (RoBERTa-style), so the BERT pooler is unused: it never
  // trains and counts as part of the frozen backbone, for every method alike.
  encoder.pooler.setTrainable(false);
  return runtime;
}
