// CLIP configuration with Hugging Face's CLIPConfig field names (config.json: model_type "clip", text_config,
// vision_config, projection_dim, logit_scale_init_value), validated with zod so a bad config.json is an error naming
// the key. Only what the forward pass needs is required; other HF keys pass through untouched.
import { z } from 'zod';

const act = z.enum(['quick_gelu', 'gelu']).default('quick_gelu');

export const ClipTextConfigSchema = z.object({
  vocab_size: z.number().int().positive(),
  hidden_size: z.number().int().positive(),
  intermediate_size: z.number().int().positive(),
  num_hidden_layers: z.number().int().positive(),
  num_attention_heads: z.number().int().positive(),
  max_position_embeddings: z.number().int().positive().default(77),
  hidden_act: act,
  layer_norm_eps: z.number().positive().default(1e-5),
  attention_dropout: z.number().min(0).max(1).default(0),
  initializer_range: z.number().positive().default(0.02),
  initializer_factor: z.number().positive().default(1),
}).passthrough().refine((c) => c.hidden_size % c.num_attention_heads === 0, {
  message: 'hidden_size must be divisible by num_attention_heads', path: ['hidden_size'],
});

export const ClipVisionConfigSchema = z.object({
  hidden_size: z.number().int().positive(),
  intermediate_size: z.number().int().positive(),
  num_hidden_layers: z.number().int().positive(),
  num_attention_heads: z.number().int().positive(),
  image_size: z.number().int().positive(),
  patch_size: z.number().int().positive(),
  num_channels: z.number().int().positive().default(3),
  hidden_act: act,
  layer_norm_eps: z.number().positive().default(1e-5),
  attention_dropout: z.number().min(0).max(1).default(0),
  initializer_range: z.number().positive().default(0.02),
  initializer_factor: z.number().positive().default(1),
}).passthrough().refine((c) => c.hidden_size % c.num_attention_heads === 0, {
  message: 'hidden_size must be divisible by num_attention_heads', path: ['hidden_size'],
}).refine((c) => c.image_size % c.patch_size === 0, {
  message: 'image_size must be a multiple of patch_size', path: ['image_size'],
});

export const ClipConfigSchema = z.object({
  model_type: z.literal('clip'),
  projection_dim: z.number().int().positive(),
  /** ln(1 / 0.07), CLIP's initial temperature. */
  logit_scale_init_value: z.number().default(2.6592),
  initializer_factor: z.number().positive().default(1),
  text_config: ClipTextConfigSchema,
  vision_config: ClipVisionConfigSchema,
}).passthrough();

export type ClipTextConfig = z.infer<typeof ClipTextConfigSchema>;
export type ClipVisionConfig = z.infer<typeof ClipVisionConfigSchema>;
export type ClipConfig = z.infer<typeof ClipConfigSchema>;

/** Patches per side and tokens per image (patches + the class token). */
export function visionGrid(v: ClipVisionConfig): { side: number; patches: number; tokens: number } {
  const side = v.image_size / v.patch_size;
  return { side, patches: side * side, tokens: side * side + 1 };
}

/** OpenAI CLIP's image normalisation (HF CLIPImageProcessor defaults). */
export const CLIP_IMAGE_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_IMAGE_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** Known sizes: the project's mini CLIP (pretrained by `unipt pretrain clip-mini`) and OpenAI's ViT-B/32. */
export const CLIP_PRESETS: Record<'clip-mini' | 'clip-vit-b32', Omit<ClipConfig, 'text_config'> & { text_config: Omit<ClipTextConfig, 'vocab_size'> & { vocab_size?: number } }> = {
  'clip-mini': {
    model_type: 'clip', projection_dim: 64, logit_scale_init_value: 2.6592, initializer_factor: 1,
    text_config: { hidden_size: 64, intermediate_size: 256, num_hidden_layers: 4, num_attention_heads: 4, max_position_embeddings: 32, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5, attention_dropout: 0, initializer_range: 0.02, initializer_factor: 1 },
    vision_config: { hidden_size: 64, intermediate_size: 256, num_hidden_layers: 4, num_attention_heads: 4, image_size: 48, patch_size: 12, num_channels: 3, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5, attention_dropout: 0, initializer_range: 0.02, initializer_factor: 1 },
  },
  'clip-vit-b32': {
    model_type: 'clip', projection_dim: 512, logit_scale_init_value: 2.6592, initializer_factor: 1,
    text_config: { vocab_size: 49408, hidden_size: 512, intermediate_size: 2048, num_hidden_layers: 12, num_attention_heads: 8, max_position_embeddings: 77, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5, attention_dropout: 0, initializer_range: 0.02, initializer_factor: 1 },
    vision_config: { hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, image_size: 224, patch_size: 32, num_channels: 3, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5, attention_dropout: 0, initializer_range: 0.02, initializer_factor: 1 },
  },
};

/** A full config from a preset (the vocabulary size comes from the tokenizer for mini). */
export function clipConfigFromPreset(name: keyof typeof CLIP_PRESETS, vocabSize?: number): ClipConfig {
  const p = CLIP_PRESETS[name];
  const vocab = vocabSize ?? p.text_config.vocab_size;
  if (vocab === undefined) throw new Error(`CLIP preset "${name}" needs a vocabulary size (from its tokenizer)`);
  return ClipConfigSchema.parse({ ...p, text_config: { ...p.text_config, vocab_size: vocab } });
}
