// MDETR checkpoints in the Hugging Face layout: config.json (MdetrConfig, with backbone_config and text_config
// nested), model.safetensors, and the text tokenizer's files. Tensor names are MDETR's state-dict names
// (models/mdetr.py, transformer.py, backbone.py) with two documented differences:
//   - attention: `<...>.self_attn.q_proj/k_proj/v_proj/out_proj.{weight,bias}` (PyTorch's packed in_proj split in
//     three, as Hugging Face's DETR names them); loading also accepts MDETR's packed `in_proj_weight` [3d, d] /
//     `in_proj_bias` [3d] and splits them in q, k, v order;
//   - the CNN: `backbone.<torchvision name>` (MDETR: `backbone.0.body.<torchvision name>`; loading accepts both).
// Everything else is MDETR's: input_proj, query_embed, transformer.text_encoder.* (Hugging Face RobertaModel/BertModel
// names), transformer.resizer.{fc,layer_norm}, transformer.encoder.layers.*, transformer.decoder.layers.*,
// transformer.decoder.norm, class_embed, bbox_embed.layers.{0,1,2}, contrastive_align_projection_{image,text}
// (heads sit under `heads.` inside the model, at the top level in the file). Layouts: linear weights [out, in],
// conv filters [out, in, kh, kw]; a 1x1 convolution the CNN runs as a linear also loads from [out, in, 1, 1].
// BatchNorm running statistics are saved; `num_batches_tracked` buffers of PyTorch files are ignored.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../engine/tf.js';
import type { Param } from '../../nn/param.js';
import { readConfigJson, CheckpointError, DEFAULT_CHECKPOINT_HINT } from '../hf/config.js';
import { openCheckpointWeights, type CheckpointWeights } from '../hf/weights.js';
import { writeFileAtomic, writeSafetensors, type TensorToWrite } from '../hf/safetensors.js';
import { MdetrConfigSchema, type MdetrConfig } from './config.js';
import { MdetrModel } from './model.js';
import { resnetTensors } from '../cnn/checkpoint.js';

/** The file name of a model parameter. */
export function mdetrFileName(local: string): string {
  return local.startsWith('heads.') ? local.slice('heads.'.length) : local;
}

/** Config keys in a fixed order (the same model always gives the same file). */
function stableJson(obj: Record<string, unknown>): string {
  const sort = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v);
  return `${JSON.stringify(sort(obj), null, 2)}\n`;
}

function toFile(p: Param): TensorToWrite {
  return tf.tidy(() => {
    if (p.layout === 'linear') return { dtype: 'F32', shape: [p.shape[1], p.shape[0]], data: tf.transpose(p.value).dataSync() as Float32Array };
    if (p.layout === 'conv') { const [kh, kw, i, o] = p.shape; return { dtype: 'F32', shape: [o, i, kh, kw], data: tf.transpose(p.value, [3, 2, 0, 1]).dataSync() as Float32Array }; }
    return { dtype: 'F32', shape: p.shape, data: p.value.dataSync() as Float32Array };
  });
}

export function mdetrTensors(model: MdetrModel): Record<string, TensorToWrite> {
  // the CNN as the shared ResNet writer lays it out (torchvision layout, 1x1 convs [out, in, 1, 1], BN counters)
  const out: Record<string, TensorToWrite> = resnetTensors(model.backbone, 'backbone.');
  for (const [local, p] of model.namedParameters()) if (!local.startsWith('backbone.')) out[mdetrFileName(local)] = toFile(p);
  return out;
}

export interface SaveMdetrOptions {
  /** Further files (tokenizer.json, tokenizer_config.json, pretraining.json, ...), name -> content. */
  extraFiles?: Record<string, string | Uint8Array>;
}

export function saveMdetr(folder: string, model: MdetrModel, opts: SaveMdetrOptions = {}): void {
  mkdirSync(folder, { recursive: true });
  for (const name of Object.keys(opts.extraFiles ?? {})) {
    if (!name || name.includes('/') || name === 'config.json' || name === 'model.safetensors') throw new Error(`extra file "${name}" must be a plain file name other than config.json / model.safetensors`);
  }
  writeSafetensors(join(folder, 'model.safetensors'), mdetrTensors(model), { format: 'pt' });
  writeFileAtomic(join(folder, 'config.json'), stableJson({ ...model.config, architectures: ['MDETR'] }));
  for (const [name, content] of Object.entries(opts.extraFiles ?? {}).sort(([a], [b]) => a.localeCompare(b))) writeFileAtomic(join(folder, name), content);
}

export function readMdetrConfig(folder: string, hint = DEFAULT_CHECKPOINT_HINT): MdetrConfig {
  return readConfigJson(folder, MdetrConfigSchema, { hint });
}

export interface MdetrLoadReport { ignored: string[]; renamed: [string, string][]; split: string[] }

/** Where a file tensor goes: a parameter (whole), or a third of a packed in_proj. */
type Source = { file: string; part?: 0 | 1 | 2 };

const PACKED = /^(.*)\.in_proj_(weight|bias)$/;
const PROJ = ['q_proj', 'k_proj', 'v_proj'] as const;

function assign(weights: CheckpointWeights, src: Source, local: string, p: Param): void {
  const e = weights.entry(src.file);
  let shape = e.shape;
  let data = weights.getFloat(src.file);
  if (src.part !== undefined) {
    const rows = shape[0] / 3, cols = shape.length === 2 ? shape[1] : 1;
    if (!Number.isInteger(rows)) throw new CheckpointError(`${weights.source(src.file)}: packed tensor "${src.file}" has ${shape[0]} rows, not divisible into q, k, v`);
    data = data.subarray(src.part * rows * cols, (src.part + 1) * rows * cols);
    shape = shape.length === 2 ? [rows, cols] : [rows];
  }
  const want = p.layout === 'linear' ? [p.shape[1], p.shape[0]] : p.layout === 'conv' ? [p.shape[3], p.shape[2], p.shape[0], p.shape[1]] : p.shape;
  // a linear-run 1x1 convolution stored as a conv filter [out, in, 1, 1]
  const squeezable = p.layout === 'linear' && shape.length === 4 && shape[2] === 1 && shape[3] === 1;
  const got = squeezable ? shape.slice(0, 2) : shape;
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new CheckpointError(`${weights.source(src.file)}: tensor "${src.file}"${src.part !== undefined ? ` (${PROJ[src.part]} third)` : ''} has shape [${shape}] but parameter "${local}" needs [${want}] (PyTorch layout); does config.json match the checkpoint?`);
  }
  tf.tidy(() => {
    const t = tf.tensor(data, got, 'float32');
    p.assign(p.layout === 'linear' ? tf.transpose(t) : p.layout === 'conv' ? tf.transpose(t, [2, 3, 1, 0]) : t);
  });
}

/**
 * Builds the model from config.json and loads model.safetensors. Missing parameters, tensors with no parameter and
 * shape mismatches are errors that name the tensors.
 */
export function loadMdetr(folder: string, opts: { seed: number; hint?: string }): { model: MdetrModel; config: MdetrConfig; report: MdetrLoadReport } {
  const hint = opts.hint ?? DEFAULT_CHECKPOINT_HINT;
  const config = readMdetrConfig(folder, hint);
  const weights = openCheckpointWeights(folder, hint);
  const report: MdetrLoadReport = { ignored: [], renamed: [], split: [] };
  const sources = new Map<string, Source>();   // file-side parameter name -> source
  const claim = (name: string, src: Source) => {
    const prev = sources.get(name);
    if (prev) throw new CheckpointError(`${weights.source(src.file)}: tensors "${prev.file}" and "${src.file}" both map to "${name}"; keep one`);
    sources.set(name, src);
  };
  for (const file of weights.names) {
    if (file.endsWith('num_batches_tracked')) { report.ignored.push(`${file} (BatchNorm step counter)`); continue; }
    let name = file;
    if (name.startsWith('backbone.0.body.')) { name = `backbone.${name.slice('backbone.0.body.'.length)}`; report.renamed.push([file, name]); }
    const m = PACKED.exec(name);
    if (m) {
      PROJ.forEach((pr, i) => claim(`${m[1]}.${pr}.${m[2]}`, { file, part: i as 0 | 1 | 2 }));
      report.split.push(file);
      continue;
    }
    claim(name, { file });
  }
  const model = new MdetrModel(config, opts.seed);
  try {
    const missing: string[] = [];
    for (const [local, p] of model.namedParameters()) {
      const name = mdetrFileName(local);
      const src = sources.get(name);
      if (!src) {
        // a text encoder saved without its (unused) pooler keeps the seeded one
        if (/^transformer\.text_encoder\.pooler\./.test(name)) { report.ignored.push(`${name} (absent: pooler left at its initialisation)`); continue; }
        missing.push(name);
        continue;
      }
      sources.delete(name);
      assign(weights, src, local, p);
    }
    if (missing.length) throw new CheckpointError(`${folder}: missing tensors: ${missing.slice(0, 20).join(', ')}${missing.length > 20 ? ` and ${missing.length - 20} more` : ''} (config.json describes ${config.enc_layers}+${config.dec_layers} layers, ${config.num_queries} queries)`);
    const extra = [...sources.values()].map((s) => s.file);
    if (extra.length) throw new CheckpointError(`${folder}: tensors with no matching parameter: ${[...new Set(extra)].slice(0, 20).join(', ')} (does config.json match the checkpoint?)`);
    return { model, config, report };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
