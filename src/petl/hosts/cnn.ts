// How the through-backbone methods see a ResNet/ResNeXt:
// - full: every parameter (convs, BN affines; BN statistics stay frozen: eval mode, as VSE∞ and MDETR keep them).
// - bitfit: the bias vectors, i.e. the BatchNorm betas (torchvision's convs have no bias).
// - adapter: not applied by default. Houlsby adapters are transformer sub-layer bottlenecks; the adapter baselines
//   of VSE∞ (adapter-transformers) only ever wrap BERT. With `stageAdapters: true` the host offers a site after each
//   stage (`layerN:output`), where the generic bottleneck adapter acts as a residual 1x1-conv bottleneck (its Linear
//   layers act on the channel axis of the NHWC map): a Conv-Adapter-style variant for experiments, not a baseline.
// - lora: not applied (no loraTargets). LoRA in the compared baselines adapts attention projections; a CNN has none.
//   (The 1x1 convs are Linear layers, so `targets: ["conv1", "conv3"]` in a LoRA config would reach them.)
// - prompt: not applicable: prompt tokens need a token sequence.
import type { ResNet } from '../../backbones/cnn/resnet.js';
import type { BackboneFamily, PetlHost } from '../types.js';

export interface CnnHostOptions {
  /** Family the CNN belongs to in the capability matrix (VSE∞: 'vse', MDETR: 'mdetr'). */
  family: BackboneFamily;
  /** Offer an adapter site after each stage (default false, see above). */
  stageAdapters?: boolean;
}

export function cnnHost(model: ResNet, opts: CnnHostOptions): PetlHost {
  return {
    family: opts.family,
    module: model,
    loraTargets: [],
    adapterSites: opts.stageAdapters ? model.channels.map((width, i) => ({ site: `layer${i + 1}:output`, width })) : [],
    prompt: null,
    // BatchNorm plays the role of the layer norms Houlsby adapters also train
    isLayerNorm: (name) => /(^|\.)bn\d\.|(^|\.)downsample\.1\./.test(name),
  };
}
