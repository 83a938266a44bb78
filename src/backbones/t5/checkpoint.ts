// T5 checkpoints in the Hugging Face layout: config.json (T5Config fields, architectures
// ["T5ForConditionalGeneration"]) and model.safetensors with T5ForConditionalGeneration names. Loading accepts the
// tied aliases some exports carry (`encoder.embed_tokens.weight`, `decoder.embed_tokens.weight`, and `lm_head.weight`
// of a tied model) after checking they equal `shared.weight`, and the unused cross-attention position table of old
// exports; LST's BitFit biases missing from a plain checkpoint stay at zero (listed in the report). Linear weights are
// [out, in] in the file and [in, out] here.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../engine/tf.js';
import type { Param } from '../../nn/param.js';
import { readConfigJson, CheckpointError, DEFAULT_CHECKPOINT_HINT } from '../hf/config.js';
import { openCheckpointWeights, type CheckpointWeights } from '../hf/weights.js';
import { writeFileAtomic, writeSafetensors, type TensorToWrite } from '../hf/safetensors.js';
import { T5ConfigSchema, type T5Config } from './config.js';
import { T5Model } from './model.js';
import type { T5BuildOptions } from './layers.js';

const TIED_ALIASES = ['encoder.embed_tokens.weight', 'decoder.embed_tokens.weight'];
/** Old exports keep a position table in every cross-attention of block 0; T5 never uses it (HF ignores it too). */
const UNUSED = /^decoder\.block\.0\.layer\.1\.EncDecAttention\.relative_attention_bias\.weight$/;

export interface T5LoadReport {
  files: string[];
  /** Checkpoint tensors not loaded, each with the reason. */
  ignored: string[];
  /** Parameters the checkpoint did not have, left at zero (BitFit biases). */
  initialized: string[];
}

export interface LoadedT5 { model: T5Model; config: T5Config; report: T5LoadReport }

export interface LoadT5Options extends T5BuildOptions {
  seed: number;
  /** Appended to "file missing" errors (e.g. "run `unipt pretrain t5-mini`"). */
  hint?: string;
}

export function readT5Config(folder: string, hint = DEFAULT_CHECKPOINT_HINT): T5Config {
  return readConfigJson(folder, T5ConfigSchema, { hint });
}

function sameValues(weights: CheckpointWeights, file: string, p: Param): boolean {
  const a = weights.getFloat(file);
  const b = p.value.dataSync();
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Copies one checkpoint tensor into a parameter, converting [out, in] linear weights to [in, out]. */
function assignFrom(weights: CheckpointWeights, file: string, p: Param): void {
  const entry = weights.entry(file);
  const expected = p.layout === 'linear' ? [p.shape[1], p.shape[0]] : p.shape;
  if (entry.shape.length !== expected.length || entry.shape.some((d, i) => d !== expected[i])) {
    throw new CheckpointError(`${weights.source(file)}: tensor "${file}" has shape [${entry.shape}] but the model built from config.json needs [${expected}]${p.layout === 'linear' ? ' (PyTorch [out, in] layout)' : ''}; does config.json match the weights?`);
  }
  const data = weights.getFloat(file);
  tf.tidy(() => {
    const t = tf.tensor(data, entry.shape, 'float32');
    p.assign(p.layout === 'linear' ? tf.transpose(t) : t);
  });
}

/** Loads a T5ForConditionalGeneration checkpoint folder; every mismatch is an error naming the tensors. */
export function loadT5(folder: string, opts: LoadT5Options): LoadedT5 {
  const hint = opts.hint ?? DEFAULT_CHECKPOINT_HINT;
  const config = readT5Config(folder, hint);
  const weights = openCheckpointWeights(folder, hint);
  const report: T5LoadReport = { files: weights.files.map((f) => f.source), ignored: [], initialized: [] };
  const model = new T5Model(config, opts.seed, { biases: opts.biases });
  try {
    const params = new Map(model.namedParameters());
    const claimed = new Set<string>();
    const missing: string[] = [];
    for (const [name, p] of params) {
      if (weights.has(name)) { assignFrom(weights, name, p); claimed.add(name); continue; }
      if (p.role === 'bias') { report.initialized.push(`${name} (zero bias added for BitFit/LoRA)`); continue; }
      missing.push(name);
    }
    if (missing.length) {
      throw new CheckpointError(`${report.files.join(', ')}: missing tensors: ${missing.slice(0, 12).join(', ')}${missing.length > 12 ? ` and ${missing.length - 12} more` : ''} (config.json describes ${config.num_layers} encoder and ${model.decoder.numLayers} decoder blocks, feed_forward_proj "${config.feed_forward_proj}", tie_word_embeddings ${config.tie_word_embeddings})`);
    }
    const unexpected: string[] = [];
    const shared = model.shared.weight;
    for (const name of weights.names) {
      if (claimed.has(name)) continue;
      if (TIED_ALIASES.includes(name) || (config.tie_word_embeddings && name === 'lm_head.weight')) {
        if (!sameValues(weights, name, shared)) {
          throw new CheckpointError(`${weights.source(name)}: tensor "${name}" differs from shared.weight, but config.json has tie_word_embeddings ${config.tie_word_embeddings}${name === 'lm_head.weight' ? ' (an untied head needs "tie_word_embeddings": false)' : ''}`);
        }
        report.ignored.push(`${name} (tied copy of shared.weight)`);
        continue;
      }
      if (UNUSED.test(name)) { report.ignored.push(`${name} (unused by T5: cross-attention has no position bias)`); continue; }
      unexpected.push(name);
    }
    if (unexpected.length) {
      throw new CheckpointError(`${report.files.join(', ')}: tensors with no matching parameter: ${unexpected.slice(0, 12).join(', ')}${unexpected.length > 12 ? ` and ${unexpected.length - 12} more` : ''}. Is this a T5ForConditionalGeneration checkpoint whose config.json matches (num_layers ${config.num_layers}, num_decoder_layers ${model.decoder.numLayers}, feed_forward_proj "${config.feed_forward_proj}")?`);
    }
    return { model, config, report };
  } catch (err) {
    model.dispose();
    throw err;
  }
}

/** The config.json object for a model. */
export function t5ConfigJson(config: T5Config): Record<string, unknown> {
  return { ...config, architectures: ['T5ForConditionalGeneration'], model_type: 't5', is_encoder_decoder: true, num_decoder_layers: config.num_decoder_layers ?? config.num_layers, torch_dtype: 'float32', use_cache: true };
}

/** The checkpoint tensors under their Hugging Face names, in PyTorch layout. */
export function t5Tensors(model: T5Model): Record<string, TensorToWrite> {
  const out: Record<string, TensorToWrite> = {};
  for (const [name, p] of model.namedParameters()) {
    if (p.role === 'buffer') continue;
    const data = tf.tidy(() => (p.layout === 'linear' ? tf.transpose(p.value) : p.value).dataSync() as Float32Array);
    out[name] = { dtype: 'F32', shape: p.layout === 'linear' ? [p.shape[1], p.shape[0]] : p.shape, data };
  }
  return out;
}

function stableJson(obj: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
  return `${JSON.stringify(sorted, null, 2)}\n`;
}

export interface SaveT5Options {
  /** config.json to write instead of the model's own (same architecture; e.g. the fine-tuning dropout rate). */
  config?: T5Config;
  /** Further files (tokenizer.json, tokenizer_config.json, special_tokens_map.json, ...), name -> content. */
  extraFiles?: Record<string, string | Uint8Array>;
  metadata?: Record<string, string>;
}

/** Writes config.json, model.safetensors and any extra files into `folder`, each atomically. */
export function saveT5(folder: string, model: T5Model, opts: SaveT5Options = {}): { folder: string; files: string[] } {
  for (const name of Object.keys(opts.extraFiles ?? {})) {
    if (!name || name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`extra file name "${name}" must be a plain file name inside the checkpoint folder`);
    if (name === 'config.json' || name === 'model.safetensors') throw new Error(`extra file "${name}" would overwrite the checkpoint's own file`);
  }
  const config = opts.config ?? model.config;
  for (const k of ['vocab_size', 'd_model', 'd_kv', 'd_ff', 'num_layers', 'num_heads', 'feed_forward_proj', 'tie_word_embeddings', 'relative_attention_num_buckets'] as const) {
    if (config[k] !== model.config[k]) throw new Error(`saveT5: the config to write has ${k} ${config[k]} but the model has ${model.config[k]}`);
  }
  mkdirSync(folder, { recursive: true });
  const files: string[] = [];
  writeSafetensors(join(folder, 'model.safetensors'), t5Tensors(model), { ...opts.metadata, format: 'pt' });
  files.push('model.safetensors');
  writeFileAtomic(join(folder, 'config.json'), stableJson(t5ConfigJson(config)));
  files.push('config.json');
  for (const [name, content] of Object.entries(opts.extraFiles ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    writeFileAtomic(join(folder, name), content);
    files.push(name);
  }
  return { folder, files };
}

/** Whether a folder holds a T5 checkpoint (config.json with model_type "t5"); false when there is no readable config. */
export function isT5CheckpointFolder(folder: string): boolean {
  try {
    const raw = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as { model_type?: unknown };
    return raw?.model_type === 't5';
  } catch {
    return false;
  }
}
