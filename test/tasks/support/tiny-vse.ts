// A tiny VSE backbone folder with random weights (a 2-layer text encoder over the scene tokenizer + a small
// ResNeXt in image/), so the image-text tests never depend on the pretrained mini checkpoints.
import { join } from 'node:path';
import { TextEncoder } from '../../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema } from '../../../src/backbones/text/config.js';
import { saveTextEncoder } from '../../../src/backbones/text/checkpoint.js';
import { ResNet, ResNetConfigSchema, saveResNet } from '../../../src/backbones/cnn/index.js';
import { writeSceneTokenizer } from '../../../src/data/scenes/index.js';

export function writeTinyVse(dir: string, opts: { imageSize?: number } = {}): void {
  const { vocabSize } = writeSceneTokenizer(dir, { modelMaxLength: 64 });
  const text = new TextEncoder(TextEncoderConfigSchema.parse({
    model_type: 'bert', vocab_size: vocabSize, hidden_size: 16, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 32,
    max_position_embeddings: 64, type_vocab_size: 2,
  }), 1);
  saveTextEncoder(dir, text);
  text.dispose();
  const image = new ResNet(ResNetConfigSchema.parse({
    model_type: 'resnet', layers: [1, 1, 1, 1], groups: 2, width_per_group: 32, planes: [4, 4, 8, 8], stem: 'mini', stem_stride: 2, stem_width: 8,
    image_size: opts.imageSize ?? 32,
  }), 2);
  saveResNet(join(dir, 'image'), image);
  image.dispose();
}
