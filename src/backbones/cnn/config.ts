// ResNet / ResNeXt configuration (config.json). Field names follow torchvision's constructor (layers, groups,
// width_per_group) since the checkpoints use torchvision parameter names; `hidden_sizes` (the four stage widths) is
// derived and, when present in a file, checked.
import { z } from 'zod';

export const EXPANSION = 4;   // bottleneck blocks: out = planes * 4

export const ResNetConfigSchema = z.object({
  model_type: z.literal('resnet'),
  /** Bottleneck blocks per stage (ResNet-50 [3,4,6,3], ResNet-101 [3,4,23,3]). */
  layers: z.array(z.number().int().positive()).length(4),
  /** Groups of the 3x3 convolution (ResNeXt 32x8d: 32). */
  groups: z.number().int().positive().default(1),
  /** Channels per group at planes = 64 (ResNeXt 32x8d: 8; plain ResNet: 64). */
  width_per_group: z.number().int().positive().default(64),
  /** Planes of each stage (torchvision: 64, 128, 256, 512); stage widths are planes x 4. */
  planes: z.array(z.number().int().positive()).length(4).default([64, 128, 256, 512]),
  /** 'imagenet': conv 7x7 stride 2 + BN + ReLU + max-pool 3x3 stride 2 (torchvision); 'mini': conv 3x3 (stride stem_stride) + BN + ReLU, no pool (small images). */
  stem: z.enum(['imagenet', 'mini']).default('imagenet'),
  /** Stride of the 'mini' stem's 3x3 convolution (1 or 2). */
  stem_stride: z.union([z.literal(1), z.literal(2)]).default(1),
  /** Output channels of the stem convolution (torchvision: 64). */
  stem_width: z.number().int().positive().default(64),
  batch_norm_eps: z.number().positive().default(1e-5),
  num_channels: z.literal(3).default(3),
  /** Stage widths, planes x 4 (optional in files; checked when given). */
  hidden_sizes: z.array(z.number().int().positive()).length(4).optional(),
  /** Input resolution the checkpoint was trained at (informative). */
  image_size: z.number().int().positive().optional(),
  /** Pixel normalisation the checkpoint expects. */
  normalization: z.enum(['imagenet', 'clip', 'none']).default('imagenet'),
}).passthrough().superRefine((c, ctx) => {
  const hs = c.planes.map((p) => p * EXPANSION);
  if (c.hidden_sizes && c.hidden_sizes.some((h, i) => h !== hs[i])) {
    ctx.addIssue({ code: 'custom', path: ['hidden_sizes'], message: `must equal planes x ${EXPANSION} = [${hs}] (got [${c.hidden_sizes}])` });
  }
  for (const [i, p] of c.planes.entries()) {
    if (Math.floor(p * (c.width_per_group / 64)) < 1) ctx.addIssue({ code: 'custom', path: ['planes', i], message: `planes ${p} x width_per_group ${c.width_per_group} / 64 leaves no channel per group` });
  }
});
export type ResNetConfig = z.output<typeof ResNetConfigSchema>;

/** Stage output widths (planes x 4). */
export function stageWidths(c: ResNetConfig): number[] { return c.planes.map((p) => p * EXPANSION); }

/** Width of the grouped 3x3 convolution of a stage's blocks (torchvision: int(planes * wpg / 64) * groups). */
export function blockWidth(c: ResNetConfig, stage: number): number {
  return Math.floor(c.planes[stage] * (c.width_per_group / 64)) * c.groups;
}

/** Output stride of each stage (relative to the input). */
export function stageStrides(c: ResNetConfig): number[] {
  const s0 = c.stem === 'imagenet' ? 4 : c.stem_stride;
  return [s0, s0 * 2, s0 * 4, s0 * 8];
}

/** Paper sizes (torchvision). */
export const RESNET_PRESETS = {
  resnet50: { model_type: 'resnet', layers: [3, 4, 6, 3], groups: 1, width_per_group: 64 },
  resnet101: { model_type: 'resnet', layers: [3, 4, 23, 3], groups: 1, width_per_group: 64 },
  'resnext101-32x8d': { model_type: 'resnet', layers: [3, 4, 23, 3], groups: 32, width_per_group: 8 },
} as const;

/** Parameters of the backbone (convs + BN affines; no classifier, no running statistics), computed from the config. */
export function resnetParamCount(c: ResNetConfig): number {
  const k = c.stem === 'imagenet' ? 7 : 3;
  let n = 3 * c.stem_width * k * k + 2 * c.stem_width;
  let inC = c.stem_width;
  for (let s = 0; s < 4; s++) {
    const w = blockWidth(c, s), out = c.planes[s] * EXPANSION;
    for (let b = 0; b < c.layers[s]; b++) {
      n += inC * w + 2 * w + 9 * (w / c.groups) * w + 2 * w + w * out + 2 * out;
      if (b === 0 && (s > 0 || inC !== out)) n += inC * out + 2 * out;
      inC = out;
    }
  }
  return n;
}
