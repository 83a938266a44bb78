// Video-text retrieval, CLIP4Clip meanP: data (mini clips, MSR-VTT / MSVD in CLIP4Clip's formats), the model, the
// methods on CLIP, retrieval metrics.
export { VIDEO_TEXT_FAMILY } from './family.js';
export { buildVideoTextRun, CLIP4CLIP_MAX_FRAMES, CLIP4CLIP_MAX_WORDS } from './run.js';
export { VideoTextModel, meanPool } from './model.js';
export { applyClipMethod, Clip4ClipAdapters, type ClipMethodRuntime, type ClipSideNetwork } from './methods.js';
export { retrievalMetrics, retrievalRanks, rankStats, medianOf } from './metrics.js';
export * from './data/index.js';
