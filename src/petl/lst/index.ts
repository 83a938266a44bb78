// Ladder Side-Tuning: config and method definition, the BERT-style side network, and the pruning init.
export { LST_METHOD, LstConfigSchema, lstDefaultLayers, resolveLstLayers, type LstConfig } from './config.js';
export { TextLadderSide, buildTextLst, sideConfig, sideHeads } from './text-encoder.js';
export { magnitudeChannelPlan, pruneInitSideBlocks, topK, type ChannelPlan, type LayerChannels } from './prune.js';
