// BERT / RoBERTa configuration with Hugging Face field names, validated with zod so a bad config.json is an error
// naming the key.
import { z } from 'zod';

export const TextEncoderConfigSchema = z.object({
  model_type: z.enum(['bert', 'roberta']).default('bert'),
  vocab_size: z.number().int().positive(),
  hidden_size: z.number().int().positive(),
  num_hidden_layers: z.number().int().positive(),
  num_attention_heads: z.number().int().positive(),
  intermediate_size: z.number().int().positive(),
  hidden_act: z.enum(['gelu', 'gelu_new', 'relu']).default('gelu'),
  hidden_dropout_prob: z.number().min(0).max(1).default(0.1),
  attention_probs_dropout_prob: z.number().min(0).max(1).default(0.1),
  max_position_embeddings: z.number().int().positive().default(512),
  type_vocab_size: z.number().int().positive().default(2),
  layer_norm_eps: z.number().positive().default(1e-12),
  pad_token_id: z.number().int().nonnegative().default(0),
  initializer_range: z.number().positive().default(0.02),
}).passthrough().refine((c) => c.hidden_size % c.num_attention_heads === 0, {
  message: 'hidden_size must be divisible by num_attention_heads', path: ['hidden_size'],
});

export type TextEncoderConfig = z.infer<typeof TextEncoderConfigSchema>;

/** Known sizes. `text-mini` is the project's own pretrained mini backbone; the others are paper scale. */
export const TEXT_ENCODER_PRESETS: Record<string, Omit<TextEncoderConfig, 'vocab_size'> & { vocab_size?: number }> = {
  'bert-base': { model_type: 'bert', vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 512, type_vocab_size: 2, layer_norm_eps: 1e-12, pad_token_id: 0, initializer_range: 0.02 },
  'roberta-base': { model_type: 'roberta', vocab_size: 50265, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 514, type_vocab_size: 1, layer_norm_eps: 1e-5, pad_token_id: 1, initializer_range: 0.02 },
  /** The reference encoder of the engine benchmark (engine-notes): 4 x 256, 4 heads, FFN 1024. */
  'bench-reference': { model_type: 'bert', vocab_size: 8000, hidden_size: 256, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 1024, hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 64, type_vocab_size: 2, layer_norm_eps: 1e-12, pad_token_id: 0, initializer_range: 0.02 },
};
