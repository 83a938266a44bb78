// Text-encoder checkpoints in the Hugging Face layout: config.json (BertConfig / RobertaConfig fields plus
// `architectures` and `model_type`) and model.safetensors with BertForMaskedLM / RobertaForMaskedLM names
// (`bert.*` + `cls.predictions.*`, `roberta.*` + `lm_head.*`). Loading also takes bare BertModel names, legacy
// LayerNorm gamma/beta, sharded checkpoints, and skips the position_ids / token_type_ids buffers and the heads of
// common checkpoints (listed in the report). Linear weights are [out, in] in the file and [in, out] here.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../engine/tf.js';
import type { Param } from '../../nn/param.js';
import { TextEncoder } from './bert.js';
import { TextEncoderConfigSchema, type TextEncoderConfig } from './config.js';
import { MlmHead, mlmHeadHfName, mlmHeadLocalName, MLM_HEAD_PARAMS } from './mlm-head.js';
import { readConfigJson, CheckpointError, DEFAULT_CHECKPOINT_HINT } from '../hf/config.js';
import { openCheckpointWeights, type CheckpointWeights } from '../hf/weights.js';
import { writeFileAtomic, writeSafetensors, type TensorToWrite } from '../hf/safetensors.js';

const MODEL_PREFIXES = ['bert.', 'roberta.'] as const;
const ENCODER_ROOTS = ['embeddings.', 'encoder.', 'pooler.'];
/** Registered buffers some checkpoints carry; they are recomputed here, never loaded. */
const BUFFERS = new Set(['embeddings.position_ids', 'embeddings.token_type_ids']);
/** Heads of common HF checkpoints that a text encoder does not use (pre-training, classification, QA). */
const IGNORABLE_HEADS = ['cls.', 'lm_head.', 'classifier.', 'qa_outputs.', 'score.'];
const TIED_DECODER_WEIGHTS = new Set(['cls.predictions.decoder.weight', 'lm_head.decoder.weight']);
const DECODER_BIASES = new Set(['cls.predictions.decoder.bias', 'lm_head.decoder.bias']);

export interface LoadReport {
  /** The weight files read. */
  files: string[];
  /** The model prefix the checkpoint used for encoder tensors ('' for a bare BertModel). */
  prefix: string;
  /** Checkpoint tensors not loaded, each with the reason. */
  ignored: string[];
  /** Parameters the checkpoint did not have, left at their seeded initialisation (the pooler of *ForMaskedLM checkpoints). */
  initialized: string[];
  /** Legacy names that were renamed (file name -> parameter name). */
  renamed: [string, string][];
}

export interface LoadedTextEncoder {
  encoder: TextEncoder;
  config: TextEncoderConfig;
  mlmHead?: MlmHead;
  report: LoadReport;
}

export interface LoadTextEncoderOptions {
  /** Seeds the initialisation of anything the checkpoint lacks (the pooler, for *ForMaskedLM checkpoints). */
  seed: number;
  /** Load the MLM head: 'auto' (default) when the checkpoint has one, true to require it, false to skip it. */
  mlmHead?: boolean | 'auto';
  /** Appended to "file missing" errors: what the user should do (e.g. "run `unipt pretrain text-mini`"). */
  hint?: string;
}

type Slot = { kind: 'encoder' | 'head'; local: string; file: string };

function legacyName(k: string): string {
  if (k.endsWith('.gamma')) return `${k.slice(0, -'.gamma'.length)}.weight`;
  if (k.endsWith('.beta')) return `${k.slice(0, -'.beta'.length)}.bias`;
  return k;
}

/** Reads config.json, checking the fields this encoder cannot honour. */
export function readTextEncoderConfig(folder: string, hint = DEFAULT_CHECKPOINT_HINT): TextEncoderConfig {
  const config = readConfigJson(folder, TextEncoderConfigSchema, { hint });
  const pet = (config as Record<string, unknown>).position_embedding_type;
  if (pet !== undefined && pet !== 'absolute') {
    throw new CheckpointError(`${join(folder, 'config.json')}: key "position_embedding_type" is ${JSON.stringify(pet)}; only "absolute" position embeddings are implemented`);
  }
  if ((config as Record<string, unknown>).is_decoder === true) {
    throw new CheckpointError(`${join(folder, 'config.json')}: key "is_decoder" is true; only bidirectional encoders are supported (set it to false)`);
  }
  return config;
}

/**
 * Loads a text encoder (and its MLM head, when present) from a Hugging Face checkpoint folder. Missing encoder
 * tensors, unexpected tensors and shape mismatches are errors naming the tensors (and both shapes).
 */
export function loadTextEncoder(folder: string, opts: LoadTextEncoderOptions): LoadedTextEncoder {
  const hint = opts.hint ?? DEFAULT_CHECKPOINT_HINT;
  const config = readTextEncoderConfig(folder, hint);
  const weights = openCheckpointWeights(folder, hint);
  const report: LoadReport = { files: weights.files.map((f) => f.source), prefix: '', ignored: [], initialized: [], renamed: [] };

  const slots = new Map<string, Slot>();   // `${kind}:${local}` -> where it comes from
  const prefixes = new Set<string>();
  const unexpected: string[] = [];
  const headAliases: { decoderBias?: string; tiedWeight?: string } = {};
  const claim = (kind: Slot['kind'], local: string, file: string): void => {
    const key = `${kind}:${local}`;
    const prev = slots.get(key);
    if (prev) throw new CheckpointError(`${weights.source(file)}: tensors "${prev.file}" and "${file}" both map to parameter "${local}"; keep only one`);
    slots.set(key, { kind, local, file });
  };

  for (const file of weights.names) {
    const name = legacyName(file);
    if (name !== file) report.renamed.push([file, name]);
    const pre = MODEL_PREFIXES.find((p) => name.startsWith(p)) ?? '';
    const local = name.slice(pre.length);
    if (ENCODER_ROOTS.some((r) => local.startsWith(r))) {
      prefixes.add(pre);
      if (BUFFERS.has(local)) { report.ignored.push(`${file} (buffer, recomputed)`); continue; }
      claim('encoder', local, file);
      continue;
    }
    const headLocal = mlmHeadLocalName(name);
    if (headLocal) { claim('head', headLocal, file); continue; }
    if (TIED_DECODER_WEIGHTS.has(name)) { headAliases.tiedWeight = file; continue; }
    if (DECODER_BIASES.has(name)) { headAliases.decoderBias = file; continue; }
    if (IGNORABLE_HEADS.some((h) => name.startsWith(h))) { report.ignored.push(`${file} (task head, not part of the encoder)`); continue; }
    unexpected.push(file);
  }
  if (prefixes.size > 1) {
    throw new CheckpointError(`${report.files.join(', ')}: encoder tensors use several prefixes (${[...prefixes].map((p) => JSON.stringify(p)).join(', ')}); a checkpoint must name them one way`);
  }
  report.prefix = [...prefixes][0] ?? '';
  if (unexpected.length) {
    throw new CheckpointError(`${report.files.join(', ')}: unexpected tensors that are neither ${config.model_type} encoder parameters nor a known head: ${unexpected.join(', ')}. Is this a ${config.model_type} checkpoint (config.json says model_type "${config.model_type}")?`);
  }

  const encoder = new TextEncoder(config, opts.seed);
  try {
    const missing: string[] = [];
    for (const [local, p] of encoder.namedParameters()) {
      if (p.role === 'buffer') continue;
      const s = slots.get(`encoder:${local}`);
      if (!s) {
        if (local.startsWith('pooler.')) report.initialized.push(local);   // *ForMaskedLM checkpoints have no pooler
        else missing.push(`${report.prefix}${local}`);
        continue;
      }
      slots.delete(`encoder:${local}`);
      assignFrom(weights, s.file, local, p);
    }
    if (missing.length) throw new CheckpointError(`${report.files.join(', ')}: missing encoder tensors: ${missing.join(', ')} (config.json describes ${config.num_hidden_layers} layers)`);
    const extra = [...slots.values()].filter((s) => s.kind === 'encoder').map((s) => s.file);
    if (extra.length) throw new CheckpointError(`${report.files.join(', ')}: tensors with no matching parameter: ${extra.join(', ')} (does config.json's num_hidden_layers = ${config.num_hidden_layers} match the checkpoint?)`);

    const headFiles = [...slots.values()].filter((s) => s.kind === 'head');
    const hasHead = headFiles.length > 0 || headAliases.decoderBias !== undefined;
    const want = opts.mlmHead ?? 'auto';
    if (want === true && !hasHead) {
      throw new CheckpointError(`${report.files.join(', ')}: no MLM head (cls.predictions.* or lm_head.*) in the checkpoint, but one was required`);
    }
    let mlmHead: MlmHead | undefined;
    if (hasHead && want !== false) {
      mlmHead = new MlmHead(config, opts.seed);
      try {
        loadHead(weights, mlmHead, slots, headAliases, encoder, report);
      } catch (err) { mlmHead.dispose(); throw err; }
    } else {
      for (const s of headFiles) report.ignored.push(`${s.file} (MLM head, not requested)`);
      for (const f of [headAliases.decoderBias, headAliases.tiedWeight]) if (f) report.ignored.push(`${f} (MLM head, not requested)`);
    }
    return { encoder, config, mlmHead, report };
  } catch (err) {
    encoder.dispose();
    throw err;
  }
}

function loadHead(weights: CheckpointWeights, head: MlmHead, slots: Map<string, Slot>, aliases: { decoderBias?: string; tiedWeight?: string }, encoder: TextEncoder, report: LoadReport): void {
  const missing: string[] = [];
  for (const local of MLM_HEAD_PARAMS) {
    let file = slots.get(`head:${local}`)?.file;
    if (!file && local === 'bias' && aliases.decoderBias) file = aliases.decoderBias;   // older files keep only decoder.bias
    else if (local === 'bias' && aliases.decoderBias) report.ignored.push(`${aliases.decoderBias} (tied to the output bias)`);
    if (!file) { missing.push(mlmHeadHfName(local, head.config.model_type)); continue; }
    assignFrom(weights, file, local, head.getParam(local));
  }
  if (missing.length) throw new CheckpointError(`${report.files.join(', ')}: the MLM head is incomplete; missing: ${missing.join(', ')}`);
  if (aliases.tiedWeight) {
    // the decoder must equal the word embeddings: this head only implements the tied form
    const dec = weights.getFloat(aliases.tiedWeight);
    const emb = encoder.embeddings.word_embeddings.weight.value.dataSync();
    let diff = dec.length === emb.length ? 0 : Infinity;
    for (let i = 0; i < dec.length && diff === 0; i++) diff = Math.max(diff, Math.abs(dec[i] - emb[i]));
    if (diff > 0) {
      throw new CheckpointError(`${weights.source(aliases.tiedWeight)}: tensor "${aliases.tiedWeight}" differs from the word embeddings (untied decoder); the MLM head here is tied. Load with mlmHead: false to use the encoder alone`);
    }
    report.ignored.push(`${aliases.tiedWeight} (tied copy of the word embeddings)`);
  }
}

/** Copies one checkpoint tensor into a parameter, converting [out, in] linear weights to [in, out]. */
function assignFrom(weights: CheckpointWeights, file: string, local: string, p: Param): void {
  const entry = weights.entry(file);
  if (p.layout === 'conv') throw new CheckpointError(`parameter "${local}" is a conv filter; text encoders have none`);
  const expected = p.layout === 'linear' ? [p.shape[1], p.shape[0]] : p.shape;
  if (entry.shape.length !== expected.length || entry.shape.some((d, i) => d !== expected[i])) {
    throw new CheckpointError(`${weights.source(file)}: tensor "${file}" has shape [${entry.shape}] but parameter "${local}" of the model built from config.json needs [${expected}]${p.layout === 'linear' ? ' (PyTorch [out, in] layout)' : ''}`);
  }
  const data = weights.getFloat(file);
  tf.tidy(() => {
    const t = tf.tensor(data, entry.shape, 'float32');
    p.assign(p.layout === 'linear' ? tf.transpose(t) : t);
  });
}

export interface SaveTextEncoderOptions {
  mlmHead?: MlmHead;
  /** Further files written into the folder (tokenizer.json, tokenizer_config.json, ...), name -> content. */
  extraFiles?: Record<string, string | Uint8Array>;
  /** Extra string metadata for the safetensors header (`format: "pt"` is always set, as transformers requires). */
  metadata?: Record<string, string>;
}

/** Config keys written in a fixed (sorted) order, so the same model always gives the same file. */
function stableJson(obj: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

/** The config.json object for an encoder (with the architecture a loader should build). */
export function textEncoderConfigJson(config: TextEncoderConfig, withHead: boolean): Record<string, unknown> {
  const arch = config.model_type === 'roberta' ? (withHead ? 'RobertaForMaskedLM' : 'RobertaModel') : (withHead ? 'BertForMaskedLM' : 'BertModel');
  return { ...config, architectures: [arch], model_type: config.model_type, position_embedding_type: 'absolute', torch_dtype: 'float32' };
}

/** The checkpoint tensors of an encoder (and head) under their Hugging Face names, in PyTorch layout. */
export function textEncoderTensors(encoder: TextEncoder, mlmHead?: MlmHead, opts: { prefix?: boolean } = {}): Record<string, TensorToWrite> {
  const type = encoder.config.model_type;
  const prefix = opts.prefix === false ? '' : `${type}.`;
  const out: Record<string, TensorToWrite> = {};
  const put = (name: string, p: Param): void => {
    const data = tf.tidy(() => (p.layout === 'linear' ? tf.transpose(p.value) : p.value).dataSync() as Float32Array);
    out[name] = { dtype: 'F32', shape: p.layout === 'linear' ? [p.shape[1], p.shape[0]] : p.shape, data };
  };
  for (const [local, p] of encoder.namedParameters()) if (p.role !== 'buffer') put(prefix + local, p);
  if (mlmHead) for (const [local, p] of mlmHead.namedParameters()) put(mlmHeadHfName(local, type), p);
  return out;
}

export interface SavedCheckpoint { folder: string; files: string[] }

/**
 * Writes config.json, model.safetensors and any extra files into `folder` (created if needed), each atomically
 * (temporary file, then rename).
 */
export function saveTextEncoder(folder: string, encoder: TextEncoder, opts: SaveTextEncoderOptions = {}): SavedCheckpoint {
  const { mlmHead } = opts;
  if (mlmHead) {
    const a = encoder.config, b = mlmHead.config;
    if (a.vocab_size !== b.vocab_size || a.hidden_size !== b.hidden_size || a.model_type !== b.model_type) {
      throw new Error(`the MLM head (vocab ${b.vocab_size}, hidden ${b.hidden_size}, ${b.model_type}) does not match the encoder (vocab ${a.vocab_size}, hidden ${a.hidden_size}, ${a.model_type})`);
    }
  }
  for (const name of Object.keys(opts.extraFiles ?? {})) {
    if (!name || name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`extra file name "${name}" must be a plain file name inside the checkpoint folder`);
    if (name === 'config.json' || name === 'model.safetensors') throw new Error(`extra file "${name}" would overwrite the checkpoint's own file`);
  }
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  writeSafetensors(join(folder, 'model.safetensors'), textEncoderTensors(encoder, mlmHead), { ...opts.metadata, format: 'pt' });
  files.push('model.safetensors');
  writeFileAtomic(join(folder, 'config.json'), stableJson(textEncoderConfigJson(encoder.config, !!mlmHead)));
  files.push('config.json');
  for (const [name, content] of Object.entries(opts.extraFiles ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    writeFileAtomic(join(folder, name), content);
    files.push(name);
  }
  return { folder, files };
}
