// T5 (encoder-decoder, HF T5ForConditionalGeneration layout): model, checkpoints, tokenizers, decoding, pretraining.
export { T5ConfigSchema, T5_PRESETS, t5PresetConfig, decoderLayers, type T5Config } from './config.js';
export { T5Model, T5Stack, shiftRight, seq2seqLoss, keyMask, causalMask, IGNORE_INDEX, type T5StackOutput, type EncoderMemory } from './model.js';
export { T5Block, T5Attention, T5LayerNorm, type T5BuildOptions } from './layers.js';
export { relativePositionBucket, relativePositionBuckets } from './position.js';
export { tiedLogits, LmHeadBias } from './lm-head.js';
export { greedyDecode, t5Decodable, type Seq2SeqDecodable, type GreedyOptions } from './generate.js';
export { sideDecodable, hfHiddenStates, type T5SideNetwork } from './side.js';
export { loadT5, saveT5, readT5Config, t5Tensors, t5ConfigJson, isT5CheckpointFolder, type LoadedT5, type T5LoadReport } from './checkpoint.js';
export { WordLevelT5Tokenizer, loadT5Tokenizer, buildMiniT5Tokenizer, T5_GLUE_WORDS, T5_MINI_SENTINELS, sentinelToken, type T5TextTokenizer } from './tokenizer.js';
export { spanCorrupt, randomSpansNoiseMask, randomSegmentation } from './span-corruption.js';
export { pretrainT5, pretrainT5Mini, miniT5Tokenizer, T5_MINI_PRETRAIN, T5_MINI_PRETRAIN_VERSION, type T5PretrainOptions, type T5PretrainResult, type T5MiniPretrainOptions } from './pretrain.js';
