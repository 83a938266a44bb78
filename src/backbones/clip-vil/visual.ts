// The frozen CLIP image encoder that turns pixels into CLIP-ViL's visual tokens. Two towers, as CLIP-ViL's two CLIP
// paths (`LXRTEncoder.forward`, `use_clip`):
//   clip-rn   CLIP's ModifiedResNet with skip_last_layer: the layer4 map [B, h, w, width*32] (the paper: RN50x4,
//             2560-d); the model adds its x/y position tables and flattens it.
//   clip-vit  a CLIP ViT with skip_last_layer: ln_post over EVERY token of the last block (class token included),
//             [B, 1 + patches, width]; no position tables (the ViT tokens already carry positions). The project's mini
//             size uses this path with the clip-mini vision tower (src/backbones/clip).
// The tower is frozen in every setup and always runs outside the gradient tape, in evaluation mode (no dropout;
// running BatchNorm statistics). Pixels come in as [B, S, S, 3] RGB in [0, 1] and are normalised here with the
// checkpoint's image_mean / image_std. Parameter names: `visual_model.` + the tower's own names (OpenAI's `visual.*`
// names for the RN; Hugging Face's CLIPVisionTransformer names, without `vision_model.`, for the ViT).
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { Module, type ForwardCtx } from '../../nn/module.js';
import { ClipVisionTransformer } from '../clip/vision.js';
import { ClipVisionConfigSchema, type ClipVisionConfig } from '../clip/config.js';
import { ModifiedResNet } from './modified-resnet.js';
import { gridSide, type ClipVilConfig } from './config.js';
import type { Param } from '../../nn/param.js';

const EVAL: ForwardCtx = { training: false, rng: new Rng(0) };

export class VisionTower extends Module {
  readonly kind: 'clip-rn' | 'clip-vit';
  readonly resnet: ModifiedResNet | null;
  readonly vit: ClipVisionTransformer | null;
  readonly vitConfig: ClipVisionConfig | null;
  private readonly mean: Tensor;
  private readonly std: Tensor;

  constructor(readonly config: ClipVilConfig, seed: number) {
    super();
    const rng = new Rng(seed).fork('clip-vil-tower-init');
    const t = config.vision_tower;
    this.kind = t.kind;
    if (t.kind === 'clip-rn') {
      this.resnet = this.addChild('resnet', new ModifiedResNet(t, rng));
      this.vit = null; this.vitConfig = null;
    } else {
      const vc = ClipVisionConfigSchema.parse(t.vision_config);
      if (vc.image_size !== config.image_size) throw new Error(`clip-vil: vision_tower.vision_config.image_size ${vc.image_size} differs from image_size ${config.image_size}`);
      if (vc.hidden_size !== config.visual_feat_dim) throw new Error(`clip-vil: a ViT tower of width ${vc.hidden_size} gives ${vc.hidden_size}-d tokens, but visual_feat_dim is ${config.visual_feat_dim}`);
      this.vit = this.addChild('vit', new ClipVisionTransformer(vc, rng));
      this.vitConfig = vc;
      this.resnet = null;
    }
    this.setTrainable(false);
    this.mean = tf.keep(tf.tensor1d(config.image_mean));
    this.std = tf.keep(tf.tensor1d(config.image_std));
  }

  /** The tower's parameters under the names the checkpoint uses (the wrapper's own child name is dropped). */
  towerParameters(): [string, Param][] {
    return (this.resnet ?? this.vit!).namedParameters();
  }

  get imageSize(): number { return this.config.image_size; }

  /**
   * pixels [B, S, S, 3] in [0, 1] -> grid [B, h, w, C] (clip-rn) or tokens [B, N, C] (clip-vit). Runs outside the
   * tape: the caller wraps it in a tidy.
   */
  grid(pixels: Tensor): Tensor {
    const [, H, W, C] = pixels.shape as number[];
    const S = this.config.image_size;
    if (H !== S || W !== S || C !== 3) throw new Error(`clip-vil: images must be [B, ${S}, ${S}, 3] (image_size ${S}), got [${pixels.shape}]`);
    const x = tf.tidy(() => tf.div(tf.sub(pixels, this.mean), this.std));
    if (this.resnet) {
      const g = this.resnet.forward(x);
      x.dispose();
      return g;
    }
    const out = this.vit!.forward(x, EVAL);
    x.dispose();
    const last = out.hiddenStates[out.hiddenStates.length - 1];
    const tokens = tf.tidy(() => this.vit!.post_layernorm.forward(last));
    tf.dispose([...out.hiddenStates, out.pooled]);
    return tokens;
  }

  /** Number of visual tokens per image. */
  tokens(): number {
    if (this.vitConfig) return (this.vitConfig.image_size / this.vitConfig.patch_size) ** 2 + 1;
    const t = this.config.vision_tower;
    const side = t.kind === 'clip-rn' ? gridSide(t, this.config.image_size) : 0;
    return side * side;
  }

  override dispose(): void { super.dispose(); this.mean.dispose(); this.std.dispose(); }
}
