// Image-text retrieval, VSE∞ style (reference §1 rows 9-10, §2.2 A-B, §5.1). Entry points:
//   IMAGE_TEXT_FAMILY (TaskFamily for src/tasks/index.ts), buildItrRun, the VSE model pieces and metrics.
export { IMAGE_TEXT_FAMILY } from './family.js';
export { buildItrRun, embedSizeFor, VSE_WARMUP_EPOCHS } from './run.js';
export { VseModel, VseHeads, type ItrBatch } from './model.js';
export { applyVseMethod, VSE_METHODS, type VseMethod } from './methods.js';
export { loadVseBackbone, vseFolders, VseTowers, VSE_IMAGE_SIZE } from './backbone.js';
export { Gpo, positionalEncoding } from './gpo.js';
export { sortDescending } from './sort.js';
export { contrastiveLoss, VSE_MARGIN } from './loss.js';
export { retrievalMetrics, foldedRetrievalMetrics, prefixed, ITR_METRIC_DEFS, ITR_METRIC_NAMES, type ItrMetrics } from './metrics.js';
export { ImageAggr, VseMlp, dropGrid, l2norm } from './heads.js';
