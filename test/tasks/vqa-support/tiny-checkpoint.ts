// A tiny, randomly initialised CLIP-ViL checkpoint folder (config.json, model.safetensors, the scene tokenizer) for
// the VQA family's tests: the real loader, tokenizer and method code paths run on it in a second or two.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSceneTokenizer } from '../../../src/data/scenes/index.js';
import { ClipVilConfigSchema, type ClipVilConfig } from '../../../src/backbones/clip-vil/config.js';
import { ClipVilModel } from '../../../src/backbones/clip-vil/model.js';
import { VisionTower } from '../../../src/backbones/clip-vil/visual.js';
import { saveClipVil } from '../../../src/backbones/clip-vil/checkpoint.js';

export type TinyTower = 'vit' | 'rn';

export function tinyClipVilConfig(vocabSize: number, tower: TinyTower): ClipVilConfig {
  const text = {
    model_type: 'bert', vocab_size: vocabSize, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32,
    hidden_act: 'gelu', hidden_dropout_prob: 0.1, attention_probs_dropout_prob: 0.1, max_position_embeddings: 24, type_vocab_size: 2,
    layer_norm_eps: 1e-12, pad_token_id: 0, initializer_range: 0.02,
  };
  return ClipVilConfigSchema.parse(tower === 'vit'
    ? {
      model_type: 'clip-vil', text_config: text,
      vision_tower: { kind: 'clip-vit', vision_config: { hidden_size: 8, intermediate_size: 16, num_hidden_layers: 1, num_attention_heads: 2, image_size: 16, patch_size: 8 } },
      image_size: 16, visual_feat_dim: 8, use_positional_embedding: false, max_text_length: 20,
    }
    : {
      model_type: 'clip-vil', text_config: text,
      vision_tower: { kind: 'clip-rn', layers: [1, 1, 1, 1], width: 8 },
      image_size: 64, visual_feat_dim: 256, use_positional_embedding: true, pos_num: 4, max_text_length: 20,
    });
}

/** Writes a tiny checkpoint into a fresh temporary folder and returns the folder. */
export function writeTinyClipVil(tower: TinyTower = 'vit', seed = 3): string {
  const dir = mkdtempSync(join(tmpdir(), `tiny-clipvil-${tower}-`));
  const { vocabSize } = writeSceneTokenizer(dir, { modelMaxLength: 24 });
  const config = tinyClipVilConfig(vocabSize, tower);
  const model = new ClipVilModel(config, seed), t = new VisionTower(config, seed);
  saveClipVil(dir, model, t);
  model.dispose(); t.dispose();
  return dir;
}
