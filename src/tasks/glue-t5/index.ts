// GLUE in LST's text-to-text form on a T5 backbone.
export { buildGlueT5Run, attachT5Method, uniptT5Side, encodeExample, maxTargetTokens, makeBatch, T5_MAX_SOURCE_LENGTH, type GlueT5Options, type EncodedExample } from './run.js';
export { T5Seq2SeqModel, type Seq2SeqBatch, type T5MethodRuntime } from './model.js';
export { t5Source, t5Target, t5LabelStrings, roundStsbTarget, isValidPrediction, parsePrediction, t5GlueMetrics, STSB_INVALID_SCORE, INVALID_CLASS, T5_GLUE_FORMAT_VERSION } from './format.js';
