// CLIP: both towers (ViT image encoder, causal text transformer), projections and logit_scale, in the Hugging Face
// CLIPModel layout; the mini tokenizer writer; the contrastive loss.
export { ClipModel, type ClipImageOutput, type ClipTextOutputs } from './model.js';
export { ClipVisionTransformer, patchify } from './vision.js';
export { ClipTextTransformer, eotPositions, causalMask, type ClipTextInput } from './text.js';
export { ClipEncoderLayer, ClipEncoder } from './layers.js';
export { ClipConfigSchema, CLIP_PRESETS, CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, clipConfigFromPreset, visionGrid, type ClipConfig, type ClipTextConfig, type ClipVisionConfig } from './config.js';
export { loadClip, saveClip, readClipConfig, readClipImageStats, clipTensors, clipConfigJson, clipPreprocessorJson } from './checkpoint.js';
export { writeClipWordTokenizer, encodeClipText, loadClipTokenizer, CLIP_SOT, CLIP_EOT, type ClipEncodedText } from './tokenizer.js';
export { symmetricInfoNce, l2normalize } from './contrastive.js';
