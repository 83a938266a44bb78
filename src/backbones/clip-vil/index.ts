// CLIP-ViL (Shen et al. 2021) as CLIP-ViL's VQA/GQA code builds it: a frozen CLIP image encoder's grid features plus a
// single-stream BERT over [question tokens; visual tokens], pooled at [CLS], with the logit_fc answer head.
export { ClipVilConfigSchema, CLIP_VIL_PAPER, parseClipVilConfig, gridSide, type ClipVilConfig, type VisionTowerConfig, type ClipRnTowerConfig } from './config.js';
export { ClipVilModel, VisualFeatEncoder, LinearPositionEmbedding, type ClipVilInput, type ClipVilOutput } from './model.js';
export { VisionTower } from './visual.js';
export { ModifiedResNet, ClipBottleneck } from './modified-resnet.js';
export { AnswerHead, MatchHead } from './heads.js';
export { loadClipVil, saveClipVil, readClipVilConfig, clipVilParams, clipVilTensors, clipVilConfigJson, type LoadedClipVil, type ClipVilLoadReport } from './checkpoint.js';
