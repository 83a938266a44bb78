// ResNet / ResNeXt with bottleneck blocks (torchvision's ResNet v1.5: the stride sits on the 3x3 convolution),
// NHWC. Parameter names are torchvision's (conv1, bn1, layer1.0.conv1, layer1.0.downsample.0, ...), so a torchvision
// or WSL state dict converts one-to-one (checkpoint.ts). 1x1 convolutions are Linear layers over the channel axis
// (weight [in, out]; a strided 1x1 conv subsamples first): the fast untransposed matmul path on wasm, and a frozen
// one keeps a single pre-transposed copy. forward() returns the four stage outputs; every block runs in its own
// tf.tidy, so only what the tape saved (or the stage outputs) outlives a block.
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import { customGrad, tracedSave } from '../../engine/ops/trace.js';
import { Module, ModuleList, type ForwardCtx } from '../../nn/module.js';
import { Linear } from '../../nn/layers.js';
import { Conv2d, BatchNorm, type BatchNormMode } from './layers.js';
import { blockWidth, stageWidths, stageStrides, EXPANSION, type ResNetConfig } from './config.js';

function conv1x1(inC: number, outC: number, rng: Rng): Linear {
  // torchvision: kaiming_normal_(mode='fan_out') = N(0, 2 / out) for a 1x1 kernel
  return new Linear(inC, outC, rng, { bias: false, init: { std: Math.sqrt(2 / outC) } });
}

/**
 * x[:, ::s, ::s, :] (a strided 1x1 conv's input). tfjs has no StridedSlice gradient, so the backward pass spreads
 * dy back onto the strided grid by zero padding (no saved activation).
 */
export function subsample(x: Tensor, stride: number): Tensor {
  if (stride === 1) return x;
  const [B, H, W, C] = x.shape;
  const f = customGrad((xx: Tensor, save: tf.GradSaveFunc) => {
    tracedSave('subsample', [], save, []);
    return {
      value: tf.stridedSlice(xx, [0, 0, 0, 0], [B, H, W, C], [1, stride, stride, 1]),
      gradFunc: (dy: Tensor) => tf.tidy(() => {
        const [, h, w] = dy.shape;
        const spread = tf.pad(tf.reshape(dy, [B, h, 1, w, 1, C]), [[0, 0], [0, 0], [0, stride - 1], [0, 0], [0, stride - 1], [0, 0]]);
        return tf.slice(tf.reshape(spread, [B, h * stride, w * stride, C]), [0, 0, 0, 0], [B, H, W, C]);
      }),
    };
  }) as (a: Tensor) => Tensor;
  return f(x);
}

export class Downsample extends Module {
  readonly conv: Linear;
  readonly bn: BatchNorm;
  constructor(inC: number, outC: number, readonly stride: number, eps: number, rng: Rng) {
    super();
    // torchvision's nn.Sequential(conv1x1, BatchNorm2d): children "0" and "1"
    this.conv = this.addChild('0', conv1x1(inC, outC, rng));
    this.bn = this.addChild('1', new BatchNorm(outC, eps));
  }
  forward(x: Tensor, ctx: ForwardCtx): Tensor { return this.bn.forward(this.conv.forward(subsample(x, this.stride), ctx), ctx); }
}

export class Bottleneck extends Module {
  readonly conv1: Linear;
  readonly bn1: BatchNorm;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm;
  readonly conv3: Linear;
  readonly bn3: BatchNorm;
  readonly downsample: Downsample | null;
  constructor(inC: number, width: number, outC: number, stride: number, groups: number, eps: number, rng: Rng) {
    super();
    this.conv1 = this.addChild('conv1', conv1x1(inC, width, rng.fork('conv1')));
    this.bn1 = this.addChild('bn1', new BatchNorm(width, eps));
    this.conv2 = this.addChild('conv2', new Conv2d(width, width, 3, stride, 1, groups, rng.fork('conv2')));
    this.bn2 = this.addChild('bn2', new BatchNorm(width, eps));
    this.conv3 = this.addChild('conv3', conv1x1(width, outC, rng.fork('conv3')));
    this.bn3 = this.addChild('bn3', new BatchNorm(outC, eps));
    this.downsample = stride !== 1 || inC !== outC ? this.addChild('downsample', new Downsample(inC, outC, stride, eps, rng.fork('down'))) : null;
  }
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    const o = ops();
    let y = o.relu(this.bn1.forward(this.conv1.forward(x, ctx), ctx));
    y = o.relu(this.bn2.forward(this.conv2.forward(y), ctx));
    y = this.bn3.forward(this.conv3.forward(y, ctx), ctx);
    const id = this.downsample ? this.downsample.forward(x, ctx) : x;
    return o.relu(tf.add(y, id));
  }
}

/** One stage (torchvision `layerN`, an nn.Sequential of blocks) with a site after its last block. */
export class ResNetStage extends ModuleList<Bottleneck> {
  override declaredSites(): readonly string[] { return ['output']; }
  /** Runs the blocks, each in its own tidy; `x` is not disposed (the caller owns it). */
  forward(x: Tensor, ctx: ForwardCtx): Tensor {
    let h = x;
    for (const block of this.items) {
      const prev = h;
      h = tf.tidy(() => block.forward(prev, ctx));
      if (prev !== x) prev.dispose();
    }
    const out = this.site('output', h, ctx);
    if (out !== h) h.dispose();
    return out;
  }
}

export interface ResNetOutput {
  /** The four stage outputs, NHWC [B, H/s_i, W/s_i, C_i] (s_i = stageStrides, C_i = channels). */
  stages: Tensor[];
  channels: number[];
  /** The stem output (the input of layer1), only when asked for with keepStem. */
  stem?: Tensor;
}

export class ResNet extends Module {
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm;
  readonly layer1: ResNetStage;
  readonly layer2: ResNetStage;
  readonly layer3: ResNetStage;
  readonly layer4: ResNetStage;
  readonly channels: number[];

  constructor(readonly config: ResNetConfig, seed: number) {
    super();
    const rng = new Rng(seed).fork('resnet-init');
    const c = config, eps = c.batch_norm_eps;
    this.conv1 = this.addChild('conv1', c.stem === 'imagenet'
      ? new Conv2d(3, c.stem_width, 7, 2, 3, 1, rng.fork('conv1'))
      : new Conv2d(3, c.stem_width, 3, c.stem_stride, 1, 1, rng.fork('conv1')));
    this.bn1 = this.addChild('bn1', new BatchNorm(c.stem_width, eps));
    this.channels = stageWidths(c);
    let inC = c.stem_width;
    const stages: ResNetStage[] = [];
    for (let s = 0; s < 4; s++) {
      const blocks: Bottleneck[] = [];
      for (let b = 0; b < c.layers[s]; b++) {
        const stride = b === 0 && s > 0 ? 2 : 1;
        blocks.push(new Bottleneck(inC, blockWidth(c, s), c.planes[s] * EXPANSION, stride, c.groups, eps, rng.fork(`layer${s + 1}.${b}`)));
        inC = c.planes[s] * EXPANSION;
      }
      stages.push(this.addChild(`layer${s + 1}`, new ResNetStage(blocks)));
    }
    [this.layer1, this.layer2, this.layer3, this.layer4] = stages;
  }

  get stages(): ResNetStage[] { return [this.layer1, this.layer2, this.layer3, this.layer4]; }
  /** Output stride of each stage. */
  get strides(): number[] { return stageStrides(this.config); }

  /** Sets the BatchNorm statistics mode of every BN layer ('running' = eval-mode statistics, the default). */
  setBatchNormMode(mode: BatchNormMode): void {
    for (const [, m] of this.namedModules()) if (m instanceof BatchNorm) m.mode = mode;
  }

  /** Stem: conv + BN + ReLU (+ 3x3 stride-2 max-pool with PyTorch's 1-pixel padding for the ImageNet stem). */
  stem(images: Tensor, ctx: ForwardCtx): Tensor {
    return tf.tidy(() => {
      const y = ops().relu(this.bn1.forward(this.conv1.forward(images), ctx));
      if (this.config.stem === 'mini') return y;
      // inputs are >= 0 after the ReLU, so zero padding equals PyTorch's -inf padding
      return tf.maxPool(tf.pad(y, [[0, 0], [1, 1], [1, 1], [0, 0]]) as tf.Tensor4D, 3, 2, 'valid');
    });
  }

  /**
   * images: NHWC [B, H, W, 3], normalised. Returns the four stage outputs (each kept; the caller disposes them, or
   * a surrounding tidy does). H and W must be multiples of the last stage's stride for the maps to tile exactly.
   */
  forward(images: Tensor, ctx: ForwardCtx, opts: { keepStem?: boolean } = {}): ResNetOutput {
    if (images.rank !== 4 || images.shape[3] !== 3) throw new Error(`ResNet: images must be NHWC [B, H, W, 3], got [${images.shape}]`);
    const stages: Tensor[] = [];
    const stem = this.stem(images, ctx);
    let h = stem;
    for (const stage of this.stages) {
      h = stage.forward(h, ctx);
      stages.push(h);
    }
    if (opts.keepStem) return { stages, channels: this.channels, stem };
    stem.dispose();   // tensors the tape saved are its own clones
    return { stages, channels: this.channels };
  }

  /** Channels of the stem output. */
  get stemChannels(): number { return this.config.stem_width; }
}
