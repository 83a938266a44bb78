// The two towers of a VSE∞ backbone folder. Layouts accepted:
//   <dir>/config.json + model.safetensors + tokenizer (BERT-style text tower) and <dir>/image/ (ResNet folder)
//     -- the mini layout (vse-mini), so that tokenizer and text encoder load from the folder itself;
//   <dir>/text/ and <dir>/image/ sub-folders -- the paper layout (registry vse-infty: bert-base-uncased + the WSL
//     ResNeXt converted with torchvision names).
// The input size is the image tower's config image_size (VSE∞: 512 = 256 x input_scale_factor 2).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Module } from '../../nn/module.js';
import type { TextEncoder } from '../../backbones/text/bert.js';
import { loadTextEncoder } from '../../backbones/text/checkpoint.js';
import { loadResNet, stageStrides, type ResNet } from '../../backbones/cnn/index.js';
import { checkpointHash } from '../../backbones/hf/config.js';
import { InputError } from '../../util/errors.js';
import type { Normalization } from '../../data/images/index.js';

/** VSE∞'s input resolution when the image tower's config names none. */
export const VSE_IMAGE_SIZE = 512;

/** Both towers as one module tree (text.*, image.*), for parameter accounting and memory. */
export class VseTowers extends Module {
  readonly text: TextEncoder;
  readonly image: ResNet;
  constructor(text: TextEncoder, image: ResNet) {
    super();
    this.text = this.addChild('text', text);
    this.image = this.addChild('image', image);
  }
}

export interface VseBackbone {
  towers: VseTowers;
  textDir: string;
  imageDir: string;
  imageSize: number;
  normalization: Normalization;
  /** Spatial size of each stage map at imageSize. */
  stageSizes: number[];
  hash: string;
}

export function vseFolders(dir: string): { textDir: string; imageDir: string } {
  const imageDir = join(dir, 'image');
  if (!existsSync(join(imageDir, 'config.json'))) {
    throw new InputError(`${dir} is not a VSE backbone folder: no image/config.json. Expected image/ (a ResNet/ResNeXt checkpoint with torchvision names) next to the text encoder (config.json + model.safetensors + tokenizer.json in ${dir} itself, or in ${join(dir, 'text')}); run \`unipt pretrain vse-mini\` for the mini one`);
  }
  const textDir = existsSync(join(dir, 'text', 'config.json')) ? join(dir, 'text') : dir;
  return { textDir, imageDir };
}

export function loadVseBackbone(dir: string, seed: number): VseBackbone {
  const { textDir, imageDir } = vseFolders(dir);
  const hint = `a VSE backbone folder needs the text encoder (config.json, model.safetensors, tokenizer.json) and image/`;
  const { encoder } = loadTextEncoder(textDir, { seed, mlmHead: false, hint });
  const { model } = loadResNet(imageDir, { seed, hint });
  const imageSize = model.config.image_size ?? VSE_IMAGE_SIZE;
  const stageSizes = stageStrides(model.config).map((s) => Math.ceil(imageSize / s));
  const hash = textDir === dir ? `${checkpointHash(dir)}+${checkpointHash(imageDir)}` : `${checkpointHash(textDir)}+${checkpointHash(imageDir)}`;
  return { towers: new VseTowers(encoder, model), textDir, imageDir, imageSize, normalization: model.config.normalization, stageSizes, hash };
}
