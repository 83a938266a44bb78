// T5 configuration with Hugging Face T5Config field names, validated with zod so a bad config.json is an error
// naming the key. T5 v1 (t5-base: ReLU FFN, tied embeddings) and v1.1 (gated GELU, untied lm_head) both fit.
import { z } from 'zod';

export const T5_FEED_FORWARD = ['relu', 'gated-gelu'] as const;

export const T5ConfigSchema = z.object({
  model_type: z.literal('t5').default('t5'),
  vocab_size: z.number().int().positive(),
  d_model: z.number().int().positive(),
  /** Width of one attention head (inner attention width = num_heads * d_kv, need not equal d_model). */
  d_kv: z.number().int().positive(),
  d_ff: z.number().int().positive(),
  num_layers: z.number().int().positive(),
  /** Decoder depth; null/absent = num_layers (as Hugging Face). */
  num_decoder_layers: z.number().int().positive().nullable().optional(),
  num_heads: z.number().int().positive(),
  relative_attention_num_buckets: z.number().int().positive().default(32),
  relative_attention_max_distance: z.number().int().positive().default(128),
  dropout_rate: z.number().min(0).lt(1).default(0.1),
  layer_norm_epsilon: z.number().positive().default(1e-6),
  initializer_factor: z.number().positive().default(1),
  feed_forward_proj: z.enum(T5_FEED_FORWARD).default('relu'),
  /** v1: true (lm_head = shared embeddings, output rescaled by d_model^-0.5); v1.1: false (own lm_head.weight). */
  tie_word_embeddings: z.boolean().default(true),
  pad_token_id: z.number().int().nonnegative().default(0),
  eos_token_id: z.number().int().nonnegative().default(1),
  decoder_start_token_id: z.number().int().nonnegative().default(0),
  is_encoder_decoder: z.boolean().default(true),
}).passthrough().superRefine((c, ctx) => {
  if (c.relative_attention_num_buckets < 2) ctx.addIssue({ code: 'custom', path: ['relative_attention_num_buckets'], message: 'needs at least 2 buckets' });
  for (const k of ['pad_token_id', 'eos_token_id', 'decoder_start_token_id'] as const) {
    if (c[k] >= c.vocab_size) ctx.addIssue({ code: 'custom', path: [k], message: `${c[k]} is outside the vocabulary [0, ${c.vocab_size})` });
  }
  if (c.is_encoder_decoder === false) ctx.addIssue({ code: 'custom', path: ['is_encoder_decoder'], message: 'only the encoder-decoder T5 is implemented (set it to true)' });
});

export type T5Config = z.output<typeof T5ConfigSchema>;

export function decoderLayers(c: T5Config): number { return c.num_decoder_layers ?? c.num_layers; }

type Preset = Omit<T5Config, 'vocab_size' | 'model_type' | 'is_encoder_decoder'> & { vocab_size?: number };

/** Known sizes. `t5-mini` is the project's own mini backbone (span corruption + a supervised mixture); the others are paper scale. */
export const T5_PRESETS: Record<string, Preset> = {
  /** Google's t5-base (v1): 222,903,552 parameters with the 32,128-entry vocabulary. */
  't5-base': {
    vocab_size: 32128, d_model: 768, d_kv: 64, d_ff: 3072, num_layers: 12, num_decoder_layers: 12, num_heads: 12,
    relative_attention_num_buckets: 32, relative_attention_max_distance: 128, dropout_rate: 0.1, layer_norm_epsilon: 1e-6,
    initializer_factor: 1, feed_forward_proj: 'relu', tie_word_embeddings: true, pad_token_id: 0, eos_token_id: 1, decoder_start_token_id: 0,
  },
  't5-small': {
    vocab_size: 32128, d_model: 512, d_kv: 64, d_ff: 2048, num_layers: 6, num_decoder_layers: 6, num_heads: 8,
    relative_attention_num_buckets: 32, relative_attention_max_distance: 128, dropout_rate: 0.1, layer_norm_epsilon: 1e-6,
    initializer_factor: 1, feed_forward_proj: 'relu', tie_word_embeddings: true, pad_token_id: 0, eos_token_id: 1, decoder_start_token_id: 0,
  },
  /** google/t5-v1_1-base: gated GELU, untied lm_head. */
  't5-v1_1-base': {
    vocab_size: 32128, d_model: 768, d_kv: 64, d_ff: 2048, num_layers: 12, num_decoder_layers: 12, num_heads: 12,
    relative_attention_num_buckets: 32, relative_attention_max_distance: 128, dropout_rate: 0.1, layer_norm_epsilon: 1e-6,
    initializer_factor: 1, feed_forward_proj: 'gated-gelu', tie_word_embeddings: false, pad_token_id: 0, eos_token_id: 1, decoder_start_token_id: 0,
  },
  /**
   * The mini backbone: 4 + 4 layers of width 64 (4 heads of 16), v1 layout; vocab_size comes from the tokenizer.
   * dropout_rate 0: it is pretrained without dropout, and at 0.1 its frozen states were too noisy to read (mini QQP,
   * four times the mini budget: UniPT 55.6 -> 63.0 with dropout off; a fixed readout's training accuracy stayed at
   * the majority class with dropout on).
   */
  't5-mini': {
    d_model: 64, d_kv: 16, d_ff: 256, num_layers: 4, num_decoder_layers: 4, num_heads: 4,
    relative_attention_num_buckets: 32, relative_attention_max_distance: 128, dropout_rate: 0, layer_norm_epsilon: 1e-6,
    initializer_factor: 1, feed_forward_proj: 'relu', tie_word_embeddings: true, pad_token_id: 0, eos_token_id: 1, decoder_start_token_id: 0,
  },
};

/** A validated config from a preset (vocab_size required when the preset has none). */
export function t5PresetConfig(name: string, overrides: Partial<T5Config> = {}): T5Config {
  const p = T5_PRESETS[name];
  if (!p) throw new Error(`unknown T5 preset "${name}"; known: ${Object.keys(T5_PRESETS).join(', ')}`);
  const r = T5ConfigSchema.safeParse({ model_type: 't5', ...p, ...overrides });
  if (!r.success) throw new Error(`T5 preset "${name}" with overrides ${JSON.stringify(overrides)} is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
