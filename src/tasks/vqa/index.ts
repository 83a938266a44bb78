// Visual question answering, CLIP-ViL style (VQAv2, GQA): data (LXMERT JSON / mini scenes), metrics, loss, model, run.
export { VQA_FAMILY } from './family.js';
export { buildVqaRun, encodeVqaSplit, makeVqaBatch, type VqaBuildOptions } from './run.js';
export { VqaTaskModel, type VqaBatch } from './model.js';
export { applyVqaMethod, clipVilLst, type VqaMethodRuntime } from './methods.js';
export { vqaAccuracy, gqaAccuracy, goldAnswer, computeVqaMetrics, VQA_METRIC_DEFS, VQA_TASK_IDS, type VqaTaskId } from './metrics.js';
export { vqaBce } from './loss.js';
export { readQuestionFile, readAnswerVocab, targetMatrix } from './data/lxmert.js';
export { loadRealVqa, realDataFingerprint, REAL_FILES, ANSWER_FILES } from './data/real.js';
export { generateMiniVqa, miniAnswerVocab, softLabel, compositionalQuestion, miniVqaFingerprint, MINI_VQA_SIZES, MINI_VQA_VERSION } from './data/mini.js';
export type { VqaExample, AnswerVocab, ImageSource, VqaSplits } from './data/types.js';
