// Backbones: the project's mini checkpoints (pretrained here by `unipt pretrain <id>`) and paper-scale
// configurations (checkpoints the user supplies as Hugging Face folders). A backbone family counts as implemented
// once a mini backbone of that family is listed here (see capability.ts).
import type { BackboneDef } from './types.js';

const folderNote = (what: string) => `${what}, passed as a checkpoint folder (--backbone <folder>, or a backbone path in an experiment file)`;

export const BACKBONES: BackboneDef[] = [
  {
    id: 'text-mini', family: 'text-encoder', kind: 'mini', title: 'BERT-style encoder, 4 layers x 64, pretrained by MLM on the procedural corpus',
    config: { model_type: 'bert', hidden_size: 64, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 256, max_position_embeddings: 64, type_vocab_size: 2 },
    source: 'made by `unipt pretrain text-mini` (deterministic from its seed) into models/text-mini/',
  },
  {
    id: 't5-mini', family: 't5', kind: 'mini', title: 'T5 encoder-decoder, 4 + 4 layers x 64 (ReLU FFN, v1 style), pretrained like T5 v1.0: span corruption on the procedural corpus mixed with the mini GLUE training sets as text-to-text',
    config: { model_type: 't5', d_model: 64, d_kv: 16, d_ff: 256, num_layers: 4, num_decoder_layers: 4, num_heads: 4, relative_attention_num_buckets: 32, feed_forward_proj: 'relu', tie_word_embeddings: true },
    source: 'made by `unipt pretrain t5-mini` (deterministic from its seed) into models/t5-mini/',
  },
  {
    id: 'cnn-mini', family: 'vse', kind: 'mini', title: 'ResNeXt-style CNN (4 bottleneck stages, grouped 3x3 convolutions, 32 px), pretrained by multi-label tagging of procedural scenes; the image tower of vse-mini and mdetr-mini',
    config: { model_type: 'resnet', layers: [1, 1, 1, 1], groups: 2, width_per_group: 32, planes: [8, 16, 32, 64], image_size: 32 },
    source: 'made by `unipt pretrain cnn-mini` (deterministic from its seed) into models/cnn-mini/',
  },
  {
    id: 'vse-mini', family: 'vse', kind: 'mini', title: 'VSE∞ mini: text-mini (vocabulary grown by the scene words) + image/ = cnn-mini',
    config: { text: 'text-mini', image: 'cnn-mini', pooling: 'gpo' },
    source: 'made by `unipt pretrain vse-mini` (deterministic; reuses text-mini and cnn-mini) into models/vse-mini/',
  },
  {
    id: 'clip-mini', family: 'clip', kind: 'mini', title: 'CLIP mini: ViT 4 x 64 (48 px, 12 px patches) + text transformer 4 x 64, contrastively pretrained on procedural scenes and captions',
    config: { model_type: 'clip', projection_dim: 64, vision_config: { hidden_size: 64, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 256, patch_size: 12, image_size: 48 }, text_config: { hidden_size: 64, num_hidden_layers: 4, num_attention_heads: 4, intermediate_size: 256, max_position_embeddings: 32 } },
    source: 'made by `unipt pretrain clip-mini` (deterministic from its seed) into models/clip-mini/',
  },
  {
    id: 'clip-vil-mini', family: 'clip-vil', kind: 'mini', title: 'CLIP-ViL mini: clip-mini grid features (frozen) + single-stream 4 x 64 cross-modal encoder initialised from text-mini, pretrained LXRT-style (masked language modelling given the image + image-sentence matching)',
    config: { visual: 'clip-mini', text: 'text-mini', hidden_size: 64, num_hidden_layers: 4, num_attention_heads: 4, max_text_length: 20 },
    source: 'made by `unipt pretrain clip-vil-mini` (deterministic; reuses text-mini and clip-mini) into models/clip-vil-mini/',
  },
  {
    id: 'mdetr-mini', family: 'mdetr', kind: 'mini', title: 'MDETR mini: cnn-mini (trained further to name the grounding scenes\' objects) + text-mini-initialised text encoder + 3 + 3-layer transformer (d=64, 5 queries), pretrained by modulated detection and referring expressions on procedural scenes',
    config: { image: 'cnn-mini', text: 'text-mini', d_model: 64, encoder_layers: 3, decoder_layers: 3, num_heads: 4, dim_feedforward: 128, num_queries: 5 },
    source: 'made by `unipt pretrain mdetr-mini` (deterministic; reuses text-mini and cnn-mini) into models/mdetr-mini/',
  },
  {
    id: 'bert-base', family: 'text-encoder', kind: 'paper', title: 'BERT-base (12 x 768), as in VSE∞',
    config: { model_type: 'bert', vocab_size: 30522, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 512, type_vocab_size: 2 },
    source: folderNote('a Hugging Face folder of bert-base-uncased (config.json, model.safetensors, tokenizer.json; https://huggingface.co/bert-base-uncased)'),
    paramCount: { value: 109_482_240, provenance: '[STD] BertModel with pooler' },
  },
  {
    id: 'roberta-base', family: 'text-encoder', kind: 'paper', title: 'RoBERTa-base (12 x 768), as in MDETR',
    config: { model_type: 'roberta', vocab_size: 50265, hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_position_embeddings: 514, type_vocab_size: 1 },
    source: folderNote('a Hugging Face folder of roberta-base (config.json, model.safetensors, tokenizer.json; https://huggingface.co/roberta-base)'),
    paramCount: { value: 124_645_632, provenance: '[STD] RobertaModel with pooler' },
  },
  {
    id: 't5-base', family: 't5', kind: 'paper', title: 'T5-base encoder-decoder (12 + 12 x 768), as in LST and UniPT-T5',
    config: { model_type: 't5', vocab_size: 32128, d_model: 768, d_kv: 64, d_ff: 3072, num_layers: 12, num_decoder_layers: 12, num_heads: 12, relative_attention_num_buckets: 32, feed_forward_proj: 'relu', tie_word_embeddings: true },
    source: folderNote('a Hugging Face folder of t5-base (config.json, model.safetensors, tokenizer.json; https://huggingface.co/t5-base)'),
    paramCount: { value: 222_903_552, provenance: '[CODE LST] the T5-base count the LST paper\'s percentages are computed against (reference section 4)' },
  },
  {
    id: 't5-large', family: 't5', kind: 'paper', title: 'T5-large (24 + 24 x 1024), LST\'s larger backbone',
    config: { model_type: 't5', vocab_size: 32128, d_model: 1024, d_kv: 64, d_ff: 4096, num_layers: 24, num_decoder_layers: 24, num_heads: 16, relative_attention_num_buckets: 32, feed_forward_proj: 'relu', tie_word_embeddings: true },
    source: folderNote('a Hugging Face folder of t5-large (https://huggingface.co/t5-large)'),
  },
  {
    id: 't5-3b', family: 't5', kind: 'paper', title: 'T5-3B (24 + 24 x 1024, d_ff 16384), LST\'s largest backbone',
    config: { model_type: 't5', vocab_size: 32128, d_model: 1024, d_kv: 128, d_ff: 16384, num_layers: 24, num_decoder_layers: 24, num_heads: 32, relative_attention_num_buckets: 32, feed_forward_proj: 'relu', tie_word_embeddings: true },
    source: folderNote('a Hugging Face folder of t5-3b (https://huggingface.co/t5-3b)'),
  },
  {
    id: 'resnext101-32x8d-wsl', family: 'vse', kind: 'paper', title: 'ResNeXt-101 32x8d pre-trained on Instagram (WSL), VSE∞\'s image encoder',
    config: { model_type: 'resnet', layers: [3, 4, 23, 3], groups: 32, width_per_group: 8, hidden_sizes: [256, 512, 1024, 2048], image_size: 512 },
    source: folderNote('the WSL checkpoint (torch.hub facebookresearch/WSL-Images resnext101_32x8d_wsl) converted to safetensors with torchvision parameter names'),
    paramCount: { value: 88_791_336, provenance: '[STD] torchvision resnext101_32x8d including the ImageNet fc layer' },
  },
  {
    id: 'vse-infty', family: 'vse', kind: 'paper', title: 'VSE∞: BERT-base text encoder + ResNeXt-101 32x8d WSL image encoder, GPO pooling, 1024-d joint space',
    config: { text: 'bert-base', image: 'resnext101-32x8d-wsl', embed_size: 1024, pooling: 'gpo', precomp_enc_type: 'backbone' },
    source: folderNote('a folder with text/ (bert-base-uncased) and image/ (resnext101-32x8d-wsl) sub-folders'),
    paramCount: { value: 201_200_000, provenance: '[TERTIARY] "201.2 M" for full fine-tuning of VSE∞ in a later paper\'s Flickr30K table' },
  },
  {
    id: 'clip-vit-b32', family: 'clip', kind: 'paper', title: 'CLIP ViT-B/32 (image 12 x 768, text 12 x 512), CLIP4Clip\'s backbone',
    config: {
      model_type: 'clip', projection_dim: 512,
      vision_config: { hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, patch_size: 32, image_size: 224 },
      text_config: { hidden_size: 512, num_hidden_layers: 12, num_attention_heads: 8, intermediate_size: 2048, vocab_size: 49408, max_position_embeddings: 77 },
    },
    source: folderNote('a Hugging Face folder of openai/clip-vit-base-patch32 (config.json, model.safetensors, tokenizer.json)'),
    paramCount: { value: 151_277_313, provenance: '[STD] CLIPModel (both towers, projections, logit scale)' },
  },
  {
    id: 'clip-rn50x4', family: 'clip-vil', kind: 'paper', title: 'CLIP RN50x4 image encoder (grid features), CLIP-ViL\'s visual backbone',
    config: { model_type: 'clip-modified-resnet', vision_layers: [4, 6, 10, 6], vision_width: 80, image_resolution: 288, embed_dim: 640 },
    source: folderNote('OpenAI CLIP "RN50x4" weights (https://github.com/openai/CLIP) converted to safetensors'),
  },
  {
    id: 'clip-vil', family: 'clip-vil', kind: 'paper', title: 'CLIP-ViL: CLIP RN50x4 grid features + 12-layer single-stream BERT-style cross-modal encoder (768)',
    config: { visual: 'clip-rn50x4', hidden_size: 768, num_hidden_layers: 12, num_attention_heads: 12, intermediate_size: 3072, max_text_length: 20 },
    source: folderNote('the CLIP-ViL pre-trained checkpoint (snap/pretrained/CLIP_VL_RN50x4/Epoch11_LXRT.pth, CLIP-ViL README) converted to safetensors, with clip-rn50x4'),
  },
  {
    id: 'resnet101', family: 'mdetr', kind: 'paper', title: 'ResNet-101, MDETR\'s image encoder',
    config: { model_type: 'resnet', layers: [3, 4, 23, 3], groups: 1, width_per_group: 64, hidden_sizes: [256, 512, 1024, 2048] },
    source: folderNote('torchvision resnet101 weights, or the backbone part of MDETR\'s pretrained_resnet101_checkpoint.pth, as safetensors'),
    paramCount: { value: 44_549_160, provenance: '[STD] torchvision resnet101 including the ImageNet fc layer' },
  },
  {
    id: 'mdetr-r101', family: 'mdetr', kind: 'paper', title: 'MDETR: ResNet-101 + RoBERTa-base + 6+6-layer transformer (d=256, 8 heads, 100 queries)',
    config: { image: 'resnet101', text: 'roberta-base', d_model: 256, encoder_layers: 6, decoder_layers: 6, num_heads: 8, dim_feedforward: 2048, num_queries: 100 },
    source: folderNote('MDETR\'s pretrained_resnet101_checkpoint.pth (https://zenodo.org/record/4721981) converted to safetensors'),
  },
];
