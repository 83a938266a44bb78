// CLIP-ViL configuration (config.json of a clip-vil checkpoint folder), validated with zod so a bad file is an error
// naming the key. Field names follow the reference code where it has them (CLIP-ViL `src/param.py` VisualConfig:
// visual_feat_dim, pos_num, use_positional_embedding; BERT's config for the cross-modal transformer):
//   text_config       the single-stream BERT (embeddings, layers, pooler), a TextEncoderConfig (model_type "bert")
//   vision_tower      the frozen CLIP image encoder that makes the grid: "clip-rn" (CLIP's ModifiedResNet with
//                     skip_last_layer, CLIP-ViL's RN50x4 path) or "clip-vit" (a CLIP ViT's tokens after ln_post,
//                     CLIP-ViL's ViT-B/32 path; the mini size)
//   visual_feat_dim   width of the grid features (RN50x4: 2560 = 80 x 32; ViT: the tower width)
//   use_positional_embedding / pos_num   learned x/y position tables added to the grid (CLIP-ViL adds them on the
//                     RN path only: "RN" in clip_model_name)
//   max_text_length   question tokens incl. [CLS]/[SEP] (MAX_VQA_LENGTH = 20)
//   pooler_activation "none" as CLIP-ViL's modeling.py (BertPooler's tanh is commented out there), "tanh" as BERT
import { z } from 'zod';
import { TextEncoderConfigSchema } from '../text/config.js';

export const CLIP_RN_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_RN_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export const ClipRnTowerSchema = z.object({
  kind: z.literal('clip-rn'),
  /** Bottleneck blocks per stage (RN50x4: [4, 6, 10, 6]). */
  layers: z.array(z.number().int().positive()).length(4),
  /** Stem width (RN50x4: 80); the grid has width * 32 channels. */
  width: z.number().int().positive(),
}).strict();

export const ClipVitTowerSchema = z.object({
  kind: z.literal('clip-vit'),
  /** The CLIP vision tower's own configuration (src/backbones/clip), stored as written by that module. */
  vision_config: z.record(z.string(), z.unknown()),
}).strict();

export const VisionTowerSchema = z.discriminatedUnion('kind', [ClipRnTowerSchema, ClipVitTowerSchema]);
export type VisionTowerConfig = z.infer<typeof VisionTowerSchema>;
export type ClipRnTowerConfig = z.infer<typeof ClipRnTowerSchema>;

export const ClipVilConfigSchema = z.object({
  model_type: z.literal('clip-vil'),
  text_config: TextEncoderConfigSchema,
  vision_tower: VisionTowerSchema,
  /** Side of the square RGB input the tower is fed (CLIP-ViL resizes to min 384 / max 640 with zero padding). */
  image_size: z.number().int().positive(),
  image_mean: z.array(z.number()).length(3).default([...CLIP_RN_MEAN]),
  image_std: z.array(z.number().positive()).length(3).default([...CLIP_RN_STD]),
  visual_feat_dim: z.number().int().positive(),
  use_positional_embedding: z.boolean().default(false),
  pos_num: z.number().int().positive().default(25),
  max_text_length: z.number().int().min(3).default(20),
  pooler_activation: z.enum(['none', 'tanh']).default('none'),
}).passthrough().superRefine((c, ctx) => {
  if (c.text_config.model_type !== 'bert') {
    ctx.addIssue({ code: 'custom', path: ['text_config', 'model_type'], message: 'CLIP-ViL\'s cross-modal encoder is BERT-style: model_type must be "bert"' });
  }
  if (c.vision_tower.kind === 'clip-rn' && c.vision_tower.width * 32 !== c.visual_feat_dim) {
    ctx.addIssue({ code: 'custom', path: ['visual_feat_dim'], message: `a clip-rn tower of width ${c.vision_tower.width} gives ${c.vision_tower.width * 32}-d grid features, not ${c.visual_feat_dim}` });
  }
  if (c.max_text_length > c.text_config.max_position_embeddings) {
    ctx.addIssue({ code: 'custom', path: ['max_text_length'], message: `exceeds text_config.max_position_embeddings (${c.text_config.max_position_embeddings})` });
  }
  if (c.use_positional_embedding && c.vision_tower.kind === 'clip-rn') {
    const side = gridSide(c.vision_tower, c.image_size);
    if (side > c.pos_num) ctx.addIssue({ code: 'custom', path: ['pos_num'], message: `the ${side}x${side} grid of a ${c.image_size}-pixel image needs pos_num >= ${side}` });
  }
});
export type ClipVilConfig = z.infer<typeof ClipVilConfigSchema>;

/** Grid side of the ModifiedResNet for a square input: the stem halves twice, stages 2-4 halve once each (/32). */
export function gridSide(_tower: ClipRnTowerConfig, imageSize: number): number {
  let s = Math.floor((imageSize + 2 - 3) / 2) + 1;   // conv1, stride 2, padding 1
  s = Math.floor(s / 2);                              // stem avgpool 2
  for (let i = 0; i < 3; i++) s = Math.floor(s / 2);  // layer2..layer4 (avgpool stride 2)
  return s;
}

/** The paper's configuration: CLIP RN50x4 grid (2560-d, x/y position tables of 25) + 12-layer BERT-base. */
export const CLIP_VIL_PAPER: Omit<ClipVilConfig, 'text_config'> & { text_config: Record<string, unknown> } = {
  model_type: 'clip-vil',
  text_config: {
    model_type: 'bert', vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072,
    hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 512, type_vocab_size: 2,
    layer_norm_eps: 1e-12, pad_token_id: 0, initializer_range: 0.02,
  },
  vision_tower: { kind: 'clip-rn', layers: [4, 6, 10, 6], width: 80 },
  image_size: 384,
  image_mean: [...CLIP_RN_MEAN], image_std: [...CLIP_RN_STD],
  visual_feat_dim: 2560,
  use_positional_embedding: true,
  pos_num: 25,
  max_text_length: 20,
  pooler_activation: 'none',
};

export function parseClipVilConfig(raw: unknown): ClipVilConfig { return ClipVilConfigSchema.parse(raw); }
