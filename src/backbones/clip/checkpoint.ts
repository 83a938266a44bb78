// CLIP checkpoints in the Hugging Face layout: config.json (CLIPConfig: model_type "clip", text_config, vision_config,
// projection_dim, logit_scale_init_value), model.safetensors (or shards) with CLIPModel names, and optionally the
// tokenizer files and preprocessor_config.json (CLIPImageProcessor: image_mean / image_std / crop size). Linear
// weights are [out, in] in the file and [in, out] here; the patch convolution is [out, in, kh, kw] in the file and
// [kh, kw, in, out] here. The position_ids buffers some checkpoints carry are skipped.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../engine/tf.js';
import type { Param } from '../../nn/param.js';
import { readConfigJson, CheckpointError, DEFAULT_CHECKPOINT_HINT, parseJsonFile } from '../hf/config.js';
import { openCheckpointWeights, type CheckpointWeights } from '../hf/weights.js';
import { writeFileAtomic, writeSafetensors, type TensorToWrite } from '../hf/safetensors.js';
import { ClipModel } from './model.js';
import { ClipConfigSchema, CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, type ClipConfig } from './config.js';

const BUFFERS = new Set(['text_model.embeddings.position_ids', 'vision_model.embeddings.position_ids']);

export interface ClipLoadReport { files: string[]; ignored: string[] }

/** Reads and validates config.json as a CLIPConfig. */
export function readClipConfig(folder: string, hint = DEFAULT_CHECKPOINT_HINT): ClipConfig {
  return readConfigJson(folder, ClipConfigSchema, { hint });
}

/** Image normalisation of a checkpoint: preprocessor_config.json's image_mean / image_std, or CLIP's defaults. */
export function readClipImageStats(folder: string): { mean: number[]; std: number[] } {
  const p = join(folder, 'preprocessor_config.json');
  if (!existsSync(p)) return { mean: [...CLIP_IMAGE_MEAN], std: [...CLIP_IMAGE_STD] };
  const raw = parseJsonFile(readFileSync(p, 'utf8'), p) as Record<string, unknown>;
  const vec = (k: string, dflt: readonly number[]): number[] => {
    const v = raw[k];
    if (v === undefined) return [...dflt];
    if (!Array.isArray(v) || v.length !== 3 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw new CheckpointError(`${p}: key "${k}" must be a list of 3 numbers (one per RGB channel), got ${JSON.stringify(v)}`);
    }
    return v as number[];
  };
  const std = vec('image_std', CLIP_IMAGE_STD);
  if (std.some((s) => s <= 0)) throw new CheckpointError(`${p}: key "image_std" must hold positive numbers, got ${JSON.stringify(std)}`);
  return { mean: vec('image_mean', CLIP_IMAGE_MEAN), std };
}

function fileShape(p: Param): number[] {
  const s = p.shape;
  if (p.layout === 'linear') return [s[1], s[0]];
  if (p.layout === 'conv') return [s[3], s[2], s[0], s[1]];
  return s;
}

function assign(weights: CheckpointWeights, name: string, p: Param): void {
  const entry = weights.entry(name);
  const want = fileShape(p);
  if (entry.shape.length !== want.length || entry.shape.some((d, i) => d !== want[i])) {
    throw new CheckpointError(`${weights.source(name)}: tensor "${name}" has shape [${entry.shape}] but the model built from config.json needs [${want}]${p.layout === 'linear' ? ' (PyTorch [out, in] layout)' : p.layout === 'conv' ? ' (PyTorch [out, in, kh, kw] layout)' : ''}`);
  }
  const data = weights.getFloat(name);
  tf.tidy(() => {
    const t = tf.tensor(data, entry.shape, 'float32');
    p.assign(p.layout === 'linear' ? tf.transpose(t) : p.layout === 'conv' ? tf.transpose(t, [2, 3, 1, 0]) : t);
  });
}

/**
 * Loads a CLIPModel checkpoint folder. Missing tensors, tensors with no parameter and shape mismatches are errors
 * naming the tensors; `seed` only seeds the construction (every parameter is then overwritten).
 */
export function loadClip(folder: string, opts: { seed?: number; hint?: string } = {}): { model: ClipModel; config: ClipConfig; report: ClipLoadReport } {
  const hint = opts.hint ?? DEFAULT_CHECKPOINT_HINT;
  const config = readClipConfig(folder, hint);
  const weights = openCheckpointWeights(folder, hint);
  const report: ClipLoadReport = { files: weights.files.map((f) => f.source), ignored: [] };
  const model = new ClipModel(config, opts.seed ?? 0);
  try {
    const params = new Map(model.namedParameters());
    const unexpected: string[] = [];
    for (const name of weights.names) {
      if (BUFFERS.has(name)) { report.ignored.push(`${name} (buffer, recomputed)`); continue; }
      if (!params.has(name)) unexpected.push(name);
    }
    if (unexpected.length) {
      throw new CheckpointError(`${report.files.join(', ')}: tensors with no CLIPModel parameter: ${unexpected.slice(0, 12).join(', ')}${unexpected.length > 12 ? ` (+${unexpected.length - 12} more)` : ''}. Is this a full CLIPModel checkpoint (not CLIPVisionModel / CLIPTextModel), and do config.json's num_hidden_layers match it?`);
    }
    const missing = [...params.keys()].filter((n) => !weights.has(n));
    if (missing.length) throw new CheckpointError(`${report.files.join(', ')}: missing CLIPModel tensors: ${missing.slice(0, 12).join(', ')}${missing.length > 12 ? ` (+${missing.length - 12} more)` : ''}`);
    for (const [name, p] of params) assign(weights, name, p);
    return { model, config, report };
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/** The checkpoint tensors under CLIPModel names, in PyTorch layout. */
export function clipTensors(model: ClipModel): Record<string, TensorToWrite> {
  const out: Record<string, TensorToWrite> = {};
  for (const [name, p] of model.namedParameters()) {
    const data = tf.tidy(() => (p.layout === 'linear' ? tf.transpose(p.value) : p.layout === 'conv' ? tf.transpose(p.value, [3, 2, 0, 1]) : p.value).dataSync() as Float32Array);
    out[name] = { dtype: 'F32', shape: fileShape(p), data: Float32Array.from(data) };
  }
  return out;
}

function stableJson(obj: unknown): string {
  const sortDeep = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]))
    : v);
  return `${JSON.stringify(sortDeep(obj), null, 2)}\n`;
}

/** config.json for a CLIPModel (sub-configs tagged as HF writes them). */
export function clipConfigJson(config: ClipConfig): Record<string, unknown> {
  return {
    ...config,
    architectures: ['CLIPModel'],
    model_type: 'clip',
    torch_dtype: 'float32',
    text_config: { ...config.text_config, model_type: 'clip_text_model', projection_dim: config.projection_dim },
    vision_config: { ...config.vision_config, model_type: 'clip_vision_model', projection_dim: config.projection_dim },
  };
}

/** preprocessor_config.json (CLIPImageProcessor) for a model's image size and normalisation. */
export function clipPreprocessorJson(config: ClipConfig, stats = { mean: [...CLIP_IMAGE_MEAN], std: [...CLIP_IMAGE_STD] }): Record<string, unknown> {
  const S = config.vision_config.image_size;
  return {
    image_processor_type: 'CLIPImageProcessor', do_resize: true, size: { shortest_edge: S }, do_center_crop: true,
    crop_size: { height: S, width: S }, do_rescale: true, rescale_factor: 1 / 255, do_normalize: true,
    image_mean: stats.mean, image_std: stats.std, do_convert_rgb: true, resample: 3,
  };
}

/** Writes config.json, model.safetensors, preprocessor_config.json and any extra files (tokenizer) atomically. */
export function saveClip(folder: string, model: ClipModel, opts: { extraFiles?: Record<string, string | Uint8Array>; metadata?: Record<string, string> } = {}): string[] {
  for (const name of Object.keys(opts.extraFiles ?? {})) {
    if (!name || name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`extra file name "${name}" must be a plain file name inside the checkpoint folder`);
    if (['config.json', 'model.safetensors', 'preprocessor_config.json'].includes(name)) throw new Error(`extra file "${name}" would overwrite the checkpoint's own file`);
  }
  mkdirSync(folder, { recursive: true });
  writeSafetensors(join(folder, 'model.safetensors'), clipTensors(model), { ...opts.metadata, format: 'pt' });
  writeFileAtomic(join(folder, 'config.json'), stableJson(clipConfigJson(model.config)));
  writeFileAtomic(join(folder, 'preprocessor_config.json'), stableJson(clipPreprocessorJson(model.config)));
  const files = ['model.safetensors', 'config.json', 'preprocessor_config.json'];
  for (const [name, content] of Object.entries(opts.extraFiles ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    writeFileAtomic(join(folder, name), content);
    files.push(name);
  }
  return files;
}
