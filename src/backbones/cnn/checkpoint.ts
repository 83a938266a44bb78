// ResNet checkpoints in the Hugging Face folder layout with torchvision parameter names: config.json (ResNetConfig)
// + model.safetensors holding `conv1.weight`, `bn1.*`, `layer{1..4}.{i}.{conv,bn}{1,2,3}.*`, `...downsample.{0,1}.*`
// in PyTorch layout (conv filters [out, in/groups, kh, kw]; the 1x1 convs, Linear layers here, [out, in, 1, 1]).
// BatchNorm `num_batches_tracked` counters are written (0) for torch's strict load_state_dict and skipped on load;
// the ImageNet classifier `fc.*` of torchvision/WSL files is skipped. A common prefix (e.g. MDETR's
// `backbone.0.body.`) is detected from where `conv1.weight` sits, or given explicitly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../engine/tf.js';
import type { Param } from '../../nn/param.js';
import { ResNet } from './resnet.js';
import { ResNetConfigSchema, stageWidths, type ResNetConfig } from './config.js';
import { readConfigJson, CheckpointError, DEFAULT_CHECKPOINT_HINT } from '../hf/config.js';
import { openCheckpointWeights, type CheckpointWeights } from '../hf/weights.js';
import { writeFileAtomic, writeSafetensors, type TensorToWrite } from '../hf/safetensors.js';

const SKIPPED_SUFFIX = '.num_batches_tracked';
const IGNORABLE = ['fc.weight', 'fc.bias'];

export interface ResNetLoadReport { files: string[]; prefix: string; ignored: string[] }

/** PyTorch-layout shape of a parameter. */
function torchShape(p: Param): number[] {
  if (p.layout === 'conv') { const [kh, kw, ci, co] = p.shape; return [co, ci, kh, kw]; }
  if (p.layout === 'linear') { const [i, o] = p.shape; return [o, i, 1, 1]; }
  return p.shape;
}

/** The tensors of a ResNet under torchvision names (plus `prefix`), PyTorch layout. */
export function resnetTensors(model: ResNet, prefix = ''): Record<string, TensorToWrite> {
  const out: Record<string, TensorToWrite> = {};
  for (const [name, p] of model.namedParameters()) {
    const data = tf.tidy(() => {
      const v = p.value;
      if (p.layout === 'conv') return tf.transpose(v, [3, 2, 0, 1]).dataSync() as Float32Array;
      if (p.layout === 'linear') return tf.transpose(v).dataSync() as Float32Array;
      return v.dataSync() as Float32Array;
    });
    out[prefix + name] = { dtype: 'F32', shape: torchShape(p), data };
    if (name.endsWith('.running_var')) out[`${prefix}${name.slice(0, -'.running_var'.length)}${SKIPPED_SUFFIX}`] = { dtype: 'I64', shape: [], data: [0] };
  }
  return out;
}

/** config.json object of a ResNet (derived hidden_sizes included). */
export function resnetConfigJson(c: ResNetConfig): Record<string, unknown> {
  const obj: Record<string, unknown> = { ...c, hidden_sizes: stageWidths(c), architectures: ['ResNet'] };
  return Object.fromEntries(Object.keys(obj).sort().map((k) => [k, obj[k]]));
}

/** Writes config.json + model.safetensors (+ extra files) into `folder`. */
export function saveResNet(folder: string, model: ResNet, extraFiles: Record<string, string> = {}): void {
  mkdirSync(folder, { recursive: true });
  writeSafetensors(join(folder, 'model.safetensors'), resnetTensors(model), { format: 'pt' });
  writeFileAtomic(join(folder, 'config.json'), `${JSON.stringify(resnetConfigJson(model.config), null, 2)}\n`);
  for (const [name, content] of Object.entries(extraFiles)) writeFileAtomic(join(folder, name), content);
}

/** Finds the prefix in front of `conv1.weight` (the stem), e.g. '' or 'backbone.0.body.'. */
export function detectResNetPrefix(weights: CheckpointWeights): string {
  const hits = weights.names.filter((n) => n === 'conv1.weight' || n.endsWith('.conv1.weight') && !/layer\d+\.\d+\.conv1\.weight$/.test(n));
  if (hits.length !== 1) {
    throw new CheckpointError(`${weights.folder}: cannot find the ResNet stem: expected exactly one tensor named "conv1.weight" (optionally behind a prefix), found ${hits.length ? hits.join(', ') : 'none'}`);
  }
  return hits[0].slice(0, -'conv1.weight'.length);
}

/**
 * Copies a ResNet's parameters from checkpoint weights (torchvision names behind `prefix`). Tensors under the
 * prefix that match no parameter are errors, as are missing ones and shape mismatches, each named.
 */
export function loadResNetWeights(model: ResNet, weights: CheckpointWeights, prefix: string): ResNetLoadReport {
  const report: ResNetLoadReport = { files: weights.files.map((f) => f.source), prefix, ignored: [] };
  const params = new Map(model.namedParameters());
  const missing: string[] = [];
  for (const [name, p] of params) {
    const file = prefix + name;
    if (!weights.has(file)) { missing.push(file); continue; }
    const entry = weights.entry(file);
    const want = torchShape(p);
    if (entry.shape.length !== want.length || entry.shape.some((d, i) => d !== want[i])) {
      throw new CheckpointError(`${weights.source(file)}: tensor "${file}" has shape [${entry.shape}] but the model built from config.json needs [${want}] (PyTorch layout)`);
    }
    const data = weights.getFloat(file);
    tf.tidy(() => {
      const t = tf.tensor(data, entry.shape, 'float32');
      p.assign(p.layout === 'conv' ? tf.transpose(t, [2, 3, 1, 0]) : p.layout === 'linear' ? tf.transpose(tf.reshape(t, want.slice(0, 2))) : t);
    });
  }
  if (missing.length) throw new CheckpointError(`${report.files.join(', ')}: missing ResNet tensors: ${missing.slice(0, 12).join(', ')}${missing.length > 12 ? ` and ${missing.length - 12} more` : ''} (does config.json's layers = [${model.config.layers}] match the checkpoint?)`);
  const extra: string[] = [];
  for (const n of weights.names) {
    if (!n.startsWith(prefix)) continue;
    const local = n.slice(prefix.length);
    if (params.has(local)) continue;
    if (local.endsWith(SKIPPED_SUFFIX) || IGNORABLE.includes(local)) { report.ignored.push(n); continue; }
    extra.push(n);
  }
  if (extra.length) throw new CheckpointError(`${report.files.join(', ')}: tensors with no matching ResNet parameter: ${extra.slice(0, 12).join(', ')}${extra.length > 12 ? ` and ${extra.length - 12} more` : ''} (is config.json's groups/width_per_group/layers right?)`);
  return report;
}

export interface LoadedResNet { model: ResNet; config: ResNetConfig; report: ResNetLoadReport }

/** Loads a ResNet from a folder (config.json + model.safetensors or shards). */
export function loadResNet(folder: string, opts: { seed?: number; prefix?: string; hint?: string } = {}): LoadedResNet {
  const hint = opts.hint ?? DEFAULT_CHECKPOINT_HINT;
  const config = readConfigJson(folder, ResNetConfigSchema, { hint });
  const weights = openCheckpointWeights(folder, hint);
  const prefix = opts.prefix ?? detectResNetPrefix(weights);
  const model = new ResNet(config, opts.seed ?? 0);
  try {
    return { model, config, report: loadResNetWeights(model, weights, prefix) };
  } catch (err) { model.dispose(); throw err; }
}
