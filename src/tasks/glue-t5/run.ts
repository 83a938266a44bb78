// The GLUE family's T5 path: a RunSpec -> a TaskRun on a T5 backbone in LST's text-to-text setting. Same data as the
// encoder path (loadGlue: mini or real, LST's splits), sources/targets as format.ts, max_source_length 128 (LST),
// targets of at most the longest label string + </s>, metrics on the greedy-decoded strings.
// Methods: full / bitfit / adapter / lora / prompt through the shared method code on the T5 host (BitFit and LoRA
// get LST's added biases), lst via the T5 side encoder/decoder, unipt via UniPT's encoder-decoder variant.
import { tf } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import { InputError } from '../../util/errors.js';
import { checkpointHash } from '../../backbones/hf/config.js';
import { loadT5 } from '../../backbones/t5/checkpoint.js';
import { loadT5Tokenizer, type T5TextTokenizer } from '../../backbones/t5/tokenizer.js';
import { IGNORE_INDEX, type T5Model } from '../../backbones/t5/model.js';
import { supervisedPair } from '../../backbones/t5/pretrain.js';
import { hfHiddenStates, type T5SideNetwork } from '../../backbones/t5/side.js';
import { applyThroughBackbone, THROUGH_BACKBONE_METHOD_IDS } from '../../petl/apply.js';
import { t5Host, t5NeedsBiases } from '../../petl/hosts/t5.js';
import { buildT5Lst } from '../../petl/lst-t5/index.js';
import { EncoderDecoderUnipt, resolveUniptConfig, ablationOf } from '../../petl/unipt/index.js';
import { loadGlue, isGlueTaskId, type GlueExample, type GlueTaskId } from '../glue/data/index.js';
import { GLUE_METRIC_DEFS } from '../glue/metrics.js';
import { GLUE_FAMILY, GLUE_DATA_SEED } from '../glue/family.js';
import { getTask, getMethod } from '../../registry/index.js';
import type { FamilyBuildArgs } from '../family.js';
import type { Split, TaskRun } from '../types.js';
import { T5Seq2SeqModel, type Seq2SeqBatch, type T5MethodRuntime } from './model.js';
import { t5GlueMetrics, t5LabelStrings, t5Source, t5Target, T5_GLUE_FORMAT_VERSION } from './format.js';

/** LST's max_source_length. */
export const T5_MAX_SOURCE_LENGTH = 128;

export interface EncodedExample { source: number[]; target: number[]; label: number }

/** Token ids of one example: source truncated so that it ends with </s> within maxSource, target + </s>. */
export function encodeExample(tok: T5TextTokenizer, task: GlueTaskId, ex: GlueExample, maxSource = T5_MAX_SOURCE_LENGTH): EncodedExample {
  const { input, target } = supervisedPair(tok, { source: t5Source(task, ex), target: t5Target(task, ex.label) }, maxSource);
  return { source: input, target, label: ex.label };
}

/** Most tokens a prediction may take: the longest label string's tokens + </s> (LST's get_max_target_length). */
export function maxTargetTokens(tok: T5TextTokenizer, task: GlueTaskId): number {
  return Math.max(...t5LabelStrings(task).map((s) => tok.encode(s).length)) + 1;
}

/** A padded batch: sources with <pad> and mask 0, targets with -100. */
export function makeBatch(items: EncodedExample[], padId: number): Seq2SeqBatch {
  const B = items.length;
  const Ts = Math.max(...items.map((e) => e.source.length)), Td = Math.max(...items.map((e) => e.target.length));
  const ids = new Int32Array(B * Ts).fill(padId), mask = new Int32Array(B * Ts), labels = new Int32Array(B * Td).fill(IGNORE_INDEX);
  items.forEach((e, b) => {
    e.source.forEach((v, i) => { ids[b * Ts + i] = v; mask[b * Ts + i] = 1; });
    e.target.forEach((v, i) => { labels[b * Td + i] = v; });
  });
  return { size: B, ids: tf.tensor2d(ids, [B, Ts], 'int32'), mask: tf.tensor2d(mask, [B, Ts], 'int32'), labels, targetLength: Td };
}

/**
 * UniPT's encoder-decoder variant as a side network over a frozen T5 (no official T5 code exists; see INFERRED.md):
 * [INFERRED] each branch reads HF-style hidden states (embeddings output, blocks 1..N-1, the final-normed last state
 * as the guide); [INFERRED] its output, scaled by the frozen decoder final-norm weight, replaces the decoder output
 * before the frozen LM head (tied: d_model^-0.5 rescale); [INFERRED] the backbone runs in training mode outside the tape, as UniPT's CLIP-ViL and MDETR variants.
 */
export function uniptT5Side(model: T5Model, rawConfig: unknown, rng: Rng): T5SideNetwork {
  const c = resolveUniptConfig(rawConfig, 't5');
  if (c.variant !== 'encoder-decoder') throw new InputError(`unipt on a T5 backbone needs variant "encoder-decoder" (or "auto"), got "${c.variant}"`);
  const module = new EncoderDecoderUnipt({
    dModel: model.dModel, numEncoderLayers: model.encoder.numLayers, numDecoderLayers: model.decoder.numLayers,
    downsampleFactor: c.downsampleFactor, ...ablationOf(c),
  }, rng.fork('unipt-t5'));
  return {
    name: 'unipt', module,
    encode: (enc, ctx) => module.encode(hfHiddenStates(enc), enc.mask, ctx),
    // [INFERRED] UniPT's output (ending in a LayerNorm) is scaled by the frozen decoder final-norm weight, which is what
    // T5's final RMSNorm applies to a normalised state: UniPT starts at the logit scale the frozen LM head expects and
    // its own LayerNorm gain can still change it
    decode: (dec, memory, encMask, ctx) => tf.mul(module.decode(hfHiddenStates(dec), memory, encMask, ctx), model.decoder.final_layer_norm.weight.value),
  };
}

/** Attaches the run's method to a loaded T5 (built with biases when the method needs them). */
export function attachT5Method(model: T5Model, methodId: string, config: Record<string, unknown>, rng: Rng): T5MethodRuntime {
  if ((THROUGH_BACKBONE_METHOD_IDS as readonly string[]).includes(methodId)) {
    const applied = applyThroughBackbone(methodId, t5Host(model), config, rng.fork(`method:${methodId}`));
    return { mode: 'through-backbone', modules: applied.modules, detach: applied.detach };
  }
  model.setTrainable(false);
  if (methodId === 'lst') return { mode: 'side', side: buildT5Lst(model, config, rng) };
  if (methodId === 'unipt') return { mode: 'side', side: uniptT5Side(model, config, rng) };
  throw new InputError(`method "${methodId}" is not implemented on a T5 backbone; T5 runs: ${[...THROUGH_BACKBONE_METHOD_IDS, 'lst', 'unipt'].join(', ')}`);
}

export interface GlueT5Options {
  /** Evaluation batch size (default: the spec's evalBatchSize or batchSize). */
  evalBatchSize?: number;
  /** Mini data set sizes (tests). */
  miniSizes?: Partial<Record<string, number>>;
  largeValidationSize?: number;
}

/** Builds the text-to-text GLUE TaskRun for a T5 backbone (called by the GLUE family when the backbone is a T5). */
export async function buildGlueT5Run(args: FamilyBuildArgs, opts: GlueT5Options = {}): Promise<TaskRun<Seq2SeqBatch>> {
  const { spec, backboneDir, rng } = args;
  if (!isGlueTaskId(spec.task)) throw new InputError(`"${spec.task}" is not a GLUE task`);
  const task: GlueTaskId = spec.task;
  const data = await loadGlue(task, spec.data.source === 'real' ? { source: 'real', path: spec.data.path } : { source: 'mini' }, GLUE_DATA_SEED, { miniSizes: opts.miniSizes, largeValidationSize: opts.largeValidationSize });
  const hint = `point --backbone at a T5 folder (config.json, model.safetensors, tokenizer.json), or run \`unipt pretrain t5-mini\` for the mini one`;
  const tok = await loadT5Tokenizer(backboneDir, hint);
  const methodId = spec.method.id, config = spec.method.config ?? {};
  const { model } = loadT5(backboneDir, { seed: rng.fork('backbone').seedInt(), hint, biases: t5NeedsBiases(methodId, config) });
  if (tok.vocabSize > model.vocabSize) {
    model.dispose();
    throw new InputError(`${backboneDir}: tokenizer.json has ${tok.vocabSize} tokens but config.json's vocab_size is ${model.vocabSize}`);
  }
  let method: T5MethodRuntime;
  try { method = attachT5Method(model, methodId, config, rng); } catch (e) { model.dispose(); throw e; }
  const m = new T5Seq2SeqModel(model, method);
  const enc = (xs: GlueExample[]) => xs.map((x) => encodeExample(tok, task, x));
  const sets = { train: enc(data.train), validation: enc(data.validation), test: enc(data.test) };
  const maxTrain = spec.train.maxTrainExamples;
  let train = sets.train;
  if (maxTrain && maxTrain < train.length) {
    // a seeded subset in the original order, as the encoder path takes it
    const keep = rng.fork('subset').shuffle(Array.from({ length: train.length }, (_, i) => i)).slice(0, maxTrain).sort((a, b) => a - b);
    train = keep.map((i) => sets.train[i]);
  }
  const B = spec.train.batchSize;
  const evalB = opts.evalBatchSize ?? spec.train.evalBatchSize ?? Math.max(B, 64);
  const maxT = maxTargetTokens(tok, task);
  return {
    model: m,
    // evaluate() also reports `invalid`: the share (%) of decoded strings that are not a label string
    metricDefs: GLUE_METRIC_DEFS[task],
    trainSize: train.length,
    stepsPerEpoch: Math.ceil(train.length / B),
    *trainBatches(_epoch: number, r: Rng) {
      const order = r.shuffle(Array.from({ length: train.length }, (_, i) => i));
      for (let i = 0; i < order.length; i += B) yield makeBatch(order.slice(i, i + B).map((k) => train[k]), tok.padId);
    },
    disposeBatch: (b) => tf.dispose([b.ids, b.mask]),
    evaluate: async (split: Exclude<Split, 'train'>) => {
      const xs = sets[split];
      const preds: string[] = [];
      for (let i = 0; i < xs.length; i += evalB) {
        const b = makeBatch(xs.slice(i, i + evalB), tok.padId);
        try {
          for (const ids of m.generate(b.ids, b.mask, maxT)) preds.push(tok.decode(ids));
        } finally { tf.dispose([b.ids, b.mask]); }
      }
      return t5GlueMetrics(task, preds, xs.map((x) => x.label));
    },
    versions: {
      task: `${task}@${getTask(task).version}+${T5_GLUE_FORMAT_VERSION}`,
      method: `${methodId}@${getMethod(methodId).version}`,
      data: GLUE_FAMILY.dataFingerprint(spec),
      checkpoint: checkpointHash(backboneDir),
    },
    dispose: () => m.dispose(),
  };
}
