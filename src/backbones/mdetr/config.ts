// MDETR's configuration in a Hugging Face-style config.json: the transformer's fields (names after MDETR's
// main.py arguments: hidden_dim -> d_model, nheads, enc_layers, dec_layers, dim_feedforward, dropout, num_queries),
// the head sizes, and the two sub-models as nested configs (like CLIP's text_config / vision_config):
// `backbone_config` (the CNN, src/backbones/cnn) and `text_config` (the BERT/RoBERTa text encoder). Validated with
// zod so a bad file is an error naming the key.
import { z } from 'zod';
import { TextEncoderConfigSchema, TEXT_ENCODER_PRESETS } from '../text/config.js';

export const MdetrConfigSchema = z.object({
  model_type: z.literal('mdetr'),
  d_model: z.number().int().positive().default(256),
  nheads: z.number().int().positive().default(8),
  enc_layers: z.number().int().positive().default(6),
  dec_layers: z.number().int().positive().default(6),
  dim_feedforward: z.number().int().positive().default(2048),
  dropout: z.number().min(0).max(1).default(0.1),
  num_queries: z.number().int().positive().default(100),
  /** Text positions the class head scores (MDETR: 255); its outputs are num_classes + 1 ("no object" last). */
  num_classes: z.number().int().positive().default(255),
  position_embedding: z.enum(['sine', 'learned']).default('sine'),
  contrastive_align_loss: z.boolean().default(true),
  contrastive_hdim: z.number().int().positive().default(64),
  /** Longest image side the model is trained at (MDETR: 800 after random resizing; mini: the scene render size). */
  image_size: z.number().int().positive().default(800),
  /**
   * The CNN stage (0-based) whose output becomes the image tokens. MDETR reads the last (3, output stride 32 on
   * ResNet-101; its DC5 variant dilates that stage to stride 16 for a finer grid). An earlier stage gives a finer
   * grid (cnn-mini at 48 px: stage 2, stride 8, 6 x 6 tokens instead of 3 x 3). **Deviation** when not 3.
   */
  feature_stage: z.number().int().min(0).max(3).default(3),
  /** The CNN (src/backbones/cnn config: model_type "resnet", layers, widths, ...). */
  backbone_config: z.record(z.string(), z.unknown()),
  text_config: TextEncoderConfigSchema,
}).passthrough().refine((c) => c.d_model % c.nheads === 0, { message: 'd_model must be divisible by nheads', path: ['d_model'] })
  .refine((c) => c.d_model % 2 === 0, { message: 'd_model must be even (the sine position encoding splits it into y and x halves)', path: ['d_model'] });

export type MdetrConfig = z.output<typeof MdetrConfigSchema>;

/** The paper's MDETR (MDETR main.py defaults, pretrained_resnet101_checkpoint.pth). */
export function mdetrR101Config(backboneConfig: Record<string, unknown>): MdetrConfig {
  return MdetrConfigSchema.parse({
    model_type: 'mdetr', d_model: 256, nheads: 8, enc_layers: 6, dec_layers: 6, dim_feedforward: 2048, dropout: 0.1,
    num_queries: 100, num_classes: 255, position_embedding: 'sine', contrastive_align_loss: true, contrastive_hdim: 64,
    image_size: 800, backbone_config: backboneConfig, text_config: TEXT_ENCODER_PRESETS['roberta-base'],
  });
}
