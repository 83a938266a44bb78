// Puts a method on CLIP for CLIP4Clip. Through-backbone methods (full, bitfit, adapter, lora, prompt) hook into both
// towers through the CLIP host, and CLIP runs inside the gradient tape. Side methods freeze CLIP, which then runs
// outside the tape (the run's `prepare`), and train a network over its outputs:
//   unipt  CLIP4Clip's two `Our_tuning_for_transformer` adapters (reference §2.2 C): `image_adapter` over each
//          frame's hidden states and raw CLIP embedding (CLS added back), `text_adapter` over the caption's hidden
//          states, raw embedding, token mask and end-of-text position; their outputs replace the CLIP embeddings.
//   lst    a ladder side network per tower (src/petl/lst-clip).
import type { Tensor } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import type { ClipModel } from '../../backbones/clip/model.js';
import { getMethod } from '../../registry/index.js';
import { applyClipThroughBackbone } from '../../petl/hosts/clip.js';
import { Clip4ClipUnipt, resolveUniptConfig, ablationOf } from '../../petl/unipt/index.js';
import { buildClipLst, type ClipLst } from '../../petl/lst-clip/index.js';
import { LstConfigSchema } from '../../petl/lst/index.js';
import { parseMethodConfig } from '../../petl/apply.js';
import { LST_METHOD } from '../../petl/lst/index.js';
import { InputError } from '../../util/errors.js';

/** What a side method computes from CLIP's frozen outputs. */
export interface ClipSideNetwork {
  module: Module;
  /** Frame embeddings [N, E] from the vision hidden states and the raw CLIP frame embeddings [N, E]. */
  image(hiddenStates: Tensor[], rawEmbedding: Tensor, ctx: ForwardCtx): Tensor;
  /** Caption embeddings [B, E]. */
  text(hiddenStates: Tensor[], rawEmbedding: Tensor, mask: Tensor, eot: readonly number[], ctx: ForwardCtx): Tensor;
}

export type ClipMethodRuntime =
  | { mode: 'through-backbone'; modules: Record<string, Module>; promptTokens: number; detach(): void }
  | { mode: 'side'; name: 'unipt' | 'lst'; side: ClipSideNetwork };

/** CLIP4Clip's UniPT: the two adapters, as children `image_adapter` and `text_adapter`. */
export class Clip4ClipAdapters extends Module {
  readonly image_adapter: Clip4ClipUnipt;
  readonly text_adapter: Clip4ClipUnipt;
  constructor(clip: ClipModel, config: unknown, rng: Rng) {
    super();
    const c = resolveUniptConfig(config, 'clip');
    if (c.variant !== 'clip4clip') throw new InputError(`unipt on CLIP needs variant "clip4clip" (or "auto"), got "${c.variant}"`);
    const v = clip.config.vision_config, t = clip.config.text_config, E = clip.embedDim;
    const common = { embedSize: E, downsampleFactor: c.downsampleFactor, ...ablationOf(c) };
    this.image_adapter = this.addChild('image_adapter', new Clip4ClipUnipt({ hiddenSizes: new Array<number>(v.num_hidden_layers + 1).fill(v.hidden_size), ...common }, rng.fork('image_adapter')));
    this.text_adapter = this.addChild('text_adapter', new Clip4ClipUnipt({ hiddenSizes: new Array<number>(t.num_hidden_layers + 1).fill(t.hidden_size), ...common }, rng.fork('text_adapter')));
  }
}

export function applyClipMethod(methodId: string, config: Record<string, unknown>, clip: ClipModel, rng: Rng): ClipMethodRuntime {
  const def = getMethod(methodId);
  if (def.mode === 'through-backbone') {
    const a = applyClipThroughBackbone(methodId, clip, config, rng);
    return { mode: 'through-backbone', modules: a.modules, promptTokens: a.promptTokens, detach: a.detach };
  }
  if (methodId === 'unipt') {
    clip.setTrainable(false);
    const m = new Clip4ClipAdapters(clip, config, rng);
    return {
      mode: 'side', name: 'unipt',
      side: {
        module: m,
        // frames are unmasked and add back their CLS token (position 0)
        image: (hs, raw, ctx) => m.image_adapter.forward(hs, raw, null, null, ctx),
        text: (hs, raw, mask, eot, ctx) => m.text_adapter.forward(hs, raw, mask, eot, ctx),
      },
    };
  }
  if (methodId === 'lst') {
    const lst: ClipLst = buildClipLst(clip, parseMethodConfig(LST_METHOD, config ?? {}) as ReturnType<typeof LstConfigSchema.parse>, rng);
    return {
      mode: 'side', name: 'lst',
      side: { module: lst, image: (hs, _raw, ctx) => lst.image(hs, ctx), text: (hs, _raw, _mask, eot, ctx) => lst.textEmbedding(hs, eot, ctx) },
    };
  }
  throw new InputError(`method "${methodId}" has no CLIP implementation`);
}
