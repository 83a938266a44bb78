// Puts a method on MDETR. The CNN is frozen in every method (its features are computed outside the tape) and the
// heads (class_embed, bbox_embed, contrastive projections) train in every method. Through-backbone methods (full,
// BitFit, adapters, LoRA, prompt tuning) act on the rest through the PetlHost (src/petl/hosts/mdetr.ts); side methods
// freeze all of it and train a network on its hidden states:
//   UniPT: the official MDETR variant (reference §2.2 E, MdetrUnipt): encoder branch over [src, enc_1 .. enc_N],
//     decoder branch over [tgt, hs_1 .. hs_N] with the crosser, select_layers [1, 3, 5] at depth 6, scaled to the
//     model's depth (round(k N / 6) for k = 1, 3, 5, distinct, within 1..N-1); its stacked outputs are the decoder
//     outputs the heads read.
//   LST: src/petl/lst-mdetr (a side encoder-decoder at d/r with ladders and gates).
import type { Rng } from '../../engine/rng.js';
import type { Module } from '../../nn/module.js';
import { getMethod } from '../../registry/index.js';
import { applyThroughBackbone } from '../../petl/apply.js';
import { mdetrHost } from '../../petl/hosts/mdetr.js';
import { MdetrUnipt, resolveUniptConfig, ablationOf } from '../../petl/unipt/index.js';
import { buildMdetrLst } from '../../petl/lst-mdetr/index.js';
import type { MdetrModel } from '../../backbones/mdetr/model.js';
import { InputError } from '../../util/errors.js';
import type { MdetrSideNetwork } from './side.js';

export type GroundingRuntime =
  | { mode: 'through-backbone'; modules: Record<string, Module> }
  | { mode: 'side'; side: MdetrSideNetwork };

/** MDETR's UniPT layer subset [1, 3, 5] (of 6) at another depth. */
export function scaledSelectLayers(depth: number): number[] {
  const out = new Set<number>();
  for (const k of [1, 3, 5]) {
    const i = Math.min(depth - 1, Math.max(1, Math.round((k * depth) / 6)));
    if (i >= 1 && i < depth) out.add(i);
  }
  return [...out].sort((a, b) => a - b);
}

export function buildMdetrUnipt(model: MdetrModel, config: unknown, rng: Rng): MdetrSideNetwork {
  const c = resolveUniptConfig(config, 'mdetr');
  if (c.variant !== 'mdetr') throw new InputError(`unipt on MDETR needs variant "mdetr" (or "auto"), got "${c.variant}"`);
  const N = model.config.enc_layers;
  if (model.config.dec_layers !== N) throw new InputError(`unipt mdetr: the official variant needs as many encoder as decoder layers (config has ${N} and ${model.config.dec_layers})`);
  const layers = c.guideOnly ? null : (c.layers ?? scaledSelectLayers(N));
  const module = new MdetrUnipt({ dModel: model.dModel, numLayers: N, downsampleFactor: c.downsampleFactor, ...ablationOf(c), layers }, rng.fork('unipt'));
  return {
    name: 'unipt',
    module,
    forward: (inp, ctx) => module.forward({ encoderStates: inp.encoderStates, encoderMask: inp.encoderMask, decoderStates: inp.decoderStates }, ctx).decoder,
  };
}

export function applyGroundingMethod(methodId: string, config: Record<string, unknown>, model: MdetrModel, rng: Rng): GroundingRuntime {
  const def = getMethod(methodId);
  model.setTrainable(false);
  let runtime: GroundingRuntime;
  if (def.mode === 'through-backbone') {
    const applied = applyThroughBackbone(methodId, mdetrHost(model), config, rng);
    runtime = { mode: 'through-backbone', modules: applied.modules };
  } else if (methodId === 'unipt') {
    runtime = { mode: 'side', side: buildMdetrUnipt(model, config, rng) };
  } else if (methodId === 'lst') {
    runtime = { mode: 'side', side: buildMdetrLst(model, config, rng) };
  } else {
    throw new InputError(`method "${methodId}" has no MDETR implementation`);
  }
  // the CNN never trains; the text encoder's pooler is not part of MDETR's computation; the heads always train
  model.backbone.setTrainable(false);
  model.textEncoder.pooler.setTrainable(false);
  model.heads.setTrainable(true);
  return runtime;
}
