// CLIP-ViL checkpoints in the Hugging Face layout (the project's own naming, documented here): config.json
// (model_type "clip-vil", see config.ts), model.safetensors, and the tokenizer files. Tensor names:
//   visual_model.*                 the frozen CLIP tower (RN: OpenAI's `visual.*` names; ViT: HF CLIPVisionTransformer
//                                  names without `vision_model.`), BatchNorm running statistics included
//   bert.embeddings.* / bert.encoder.layer.<i>.* / bert.pooler.dense.*    the single-stream BERT
//   visn_fc.visn_fc.* / visn_fc.visn_layer_norm.*                        the grid projection
//   visual_pos.x_position_embedding.weight / .y_...                     the grid position tables (RN path)
//   cls.predictions.* / cls.seq_relationship.*                           pretraining heads (MLM, image-text match)
//   answer_head.logit_fc.*         LXMERT's pretraining QA head (BertVisualAnswerHead), with its answer table in
//                                  qa_answers.json (a JSON list, label -> answer; LXMERT's all_ans.json role); read
//                                  by loadPretrainedAnswerHead, never by loadClipVil (the backbone skips it)
// Linear weights are [out, in] in the file and [in, out] here; conv filters [out, in, kh, kw] in the file and
// [kh, kw, in, out] here. Loading also takes a converted CLIP-ViL state dict (`*_LXRT.pth` tensors saved as
// safetensors): `bert.encoder.visn_fc.` -> `visn_fc.`, `bert.encoder.visual_pos.` -> `visual_pos.`,
// `bert.encoder.visual_model.visual.` -> `visual_model.`, a leading `module.` dropped, legacy gamma/beta renamed; the
// tensors CLIP-ViL carries but never uses for grid features (visn_fc.box_fc / box_layer_norm, the RN attention pool,
// BatchNorm's num_batches_tracked, position_ids) are skipped and listed in the report.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tf } from '../../engine/tf.js';
import type { Param } from '../../nn/param.js';
import { readConfigJson, CheckpointError, DEFAULT_CHECKPOINT_HINT } from '../hf/config.js';
import { openCheckpointWeights, type CheckpointWeights } from '../hf/weights.js';
import { writeFileAtomic, writeSafetensors, type TensorToWrite } from '../hf/safetensors.js';
import { MlmHead, mlmHeadHfName } from '../text/mlm-head.js';
import { ClipVilConfigSchema, type ClipVilConfig } from './config.js';
import { ClipVilModel } from './model.js';
import { VisionTower } from './visual.js';
import { MatchHead, AnswerHead } from './heads.js';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { Rng } from '../../engine/rng.js';

export interface ClipVilLoadReport {
  files: string[];
  /** Checkpoint tensors not loaded, with the reason. */
  ignored: string[];
  /** Names rewritten from CLIP-ViL's own state-dict spelling (file name -> name used here). */
  renamed: [string, string][];
}

export interface LoadedClipVil {
  config: ClipVilConfig;
  model: ClipVilModel;
  tower: VisionTower;
  mlmHead?: MlmHead;
  matchHead?: MatchHead;
  report: ClipVilLoadReport;
}

const RENAMES: [string, string][] = [
  ['bert.encoder.visual_model.visual.', 'visual_model.'],
  ['bert.encoder.visn_fc.', 'visn_fc.'],
  ['bert.encoder.visual_pos.', 'visual_pos.'],
];

/** Tensors of real CLIP-ViL checkpoints that grid-feature CLIP-ViL never reads. */
const UNUSED: [RegExp, string][] = [
  [/^visn_fc\.(box_fc|box_layer_norm)\./, 'box encoder, unused for grid features'],
  [/^visual_model\.attnpool\./, 'attention pool, skipped by skip_last_layer'],
  [/\.num_batches_tracked$/, 'BatchNorm counter'],
  [/^bert\.embeddings\.(position_ids|token_type_ids)$/, 'buffer, recomputed'],
  [/^(logit_fc|answer_head)\./, 'task head, not part of the backbone'],
  [/^cls\.predictions\.decoder\.weight$/, 'tied copy of the word embeddings'],
  [/^obj_predict_head\./, 'LXMERT object-prediction head, unused'],
];

function canonicalName(file: string): string {
  let n = file.startsWith('module.') ? file.slice('module.'.length) : file;
  for (const [from, to] of RENAMES) if (n.startsWith(from)) { n = to + n.slice(from.length); break; }
  if (n.endsWith('.gamma')) n = `${n.slice(0, -'.gamma'.length)}.weight`;
  else if (n.endsWith('.beta')) n = `${n.slice(0, -'.beta'.length)}.bias`;
  return n;
}

function fileShape(p: Param): number[] {
  const s = p.shape;
  if (p.layout === 'linear') return [s[1], s[0]];
  if (p.layout === 'conv') return [s[3], s[2], s[0], s[1]];
  return s;
}

function assign(weights: CheckpointWeights, file: string, local: string, p: Param): void {
  const entry = weights.entry(file);
  const want = fileShape(p);
  if (entry.shape.length !== want.length || entry.shape.some((d, i) => d !== want[i])) {
    throw new CheckpointError(`${weights.source(file)}: tensor "${file}" has shape [${entry.shape}] but parameter "${local}" of the model built from config.json needs [${want}]${p.layout === 'linear' ? ' (PyTorch [out, in] layout)' : p.layout === 'conv' ? ' (PyTorch [out, in, kh, kw] layout)' : ''}`);
  }
  const data = weights.getFloat(file);
  tf.tidy(() => {
    const t = tf.tensor(data, entry.shape, 'float32');
    p.assign(p.layout === 'linear' ? tf.transpose(t) : p.layout === 'conv' ? tf.transpose(t, [2, 3, 1, 0]) : t);
  });
}

export function readClipVilConfig(folder: string, hint = DEFAULT_CHECKPOINT_HINT): ClipVilConfig {
  return readConfigJson(folder, ClipVilConfigSchema, { hint });
}

/** Every parameter of the model, tower and heads under its checkpoint name. */
export function clipVilParams(model: ClipVilModel, tower: VisionTower, heads: { mlmHead?: MlmHead; matchHead?: MatchHead } = {}): Map<string, Param> {
  const out = new Map<string, Param>();
  for (const [n, p] of tower.towerParameters()) out.set(`visual_model.${n}`, p);
  for (const [n, p] of model.namedParameters()) out.set(n, p);
  if (heads.mlmHead) for (const [n, p] of heads.mlmHead.namedParameters()) out.set(mlmHeadHfName(n, 'bert'), p);
  if (heads.matchHead) for (const [n, p] of heads.matchHead.namedParameters()) out.set(`cls.${n}`, p);
  return out;
}

export interface LoadClipVilOptions {
  seed: number;
  /** Load the pretraining heads: 'auto' (default: when present), true (required), false (skip). */
  heads?: boolean | 'auto';
  hint?: string;
}

/**
 * Loads a CLIP-ViL checkpoint folder. Missing tensors, tensors with no parameter and shape mismatches are errors
 * naming the tensors (and both shapes).
 */
export function loadClipVil(folder: string, opts: LoadClipVilOptions): LoadedClipVil {
  const hint = opts.hint ?? DEFAULT_CHECKPOINT_HINT;
  const config = readClipVilConfig(folder, hint);
  const weights = openCheckpointWeights(folder, hint);
  const report: ClipVilLoadReport = { files: weights.files.map((f) => f.source), ignored: [], renamed: [] };
  const byName = new Map<string, string>();
  for (const file of weights.names) {
    const n = canonicalName(file);
    if (n !== file) report.renamed.push([file, n]);
    const skip = UNUSED.find(([re]) => re.test(n));
    if (skip) { report.ignored.push(`${file} (${skip[1]})`); continue; }
    const prev = byName.get(n);
    if (prev) throw new CheckpointError(`${weights.source(file)}: tensors "${prev}" and "${file}" both map to "${n}"; keep only one`);
    byName.set(n, file);
  }
  // older BERT files keep the MLM output bias only as the decoder's bias
  const decBias = byName.get('cls.predictions.decoder.bias');
  if (decBias !== undefined) {
    byName.delete('cls.predictions.decoder.bias');
    if (byName.has('cls.predictions.bias')) report.ignored.push(`${decBias} (tied to cls.predictions.bias)`);
    else byName.set('cls.predictions.bias', decBias);
  }
  const hasHeads = [...byName.keys()].some((n) => n.startsWith('cls.'));
  const wantHeads = opts.heads ?? 'auto';
  if (wantHeads === true && !hasHeads) throw new CheckpointError(`${report.files.join(', ')}: no pretraining heads (cls.*) in the checkpoint, but they were required`);
  const loadHeads = hasHeads && wantHeads !== false;
  if (hasHeads && !loadHeads) {
    for (const [n, f] of byName) if (n.startsWith('cls.')) { report.ignored.push(`${f} (pretraining head, not requested)`); byName.delete(n); }
  }

  const model = new ClipVilModel(config, opts.seed);
  const tower = new VisionTower(config, opts.seed);
  const rng = new Rng(opts.seed).fork('clip-vil-heads');
  const mlmHead = loadHeads ? new MlmHead(config.text_config, opts.seed) : undefined;
  const matchHead = loadHeads ? new MatchHead(config.text_config.hidden_size, rng) : undefined;
  const dispose = () => { model.dispose(); tower.dispose(); mlmHead?.dispose(); matchHead?.dispose(); };
  try {
    const params = clipVilParams(model, tower, { mlmHead, matchHead });
    const unexpected = [...byName.keys()].filter((n) => !params.has(n));
    if (unexpected.length) {
      throw new CheckpointError(`${report.files.join(', ')}: tensors with no CLIP-ViL parameter: ${unexpected.slice(0, 12).map((n) => byName.get(n)).join(', ')}${unexpected.length > 12 ? ` (+${unexpected.length - 12} more)` : ''}. Does config.json (layers, vision_tower, use_positional_embedding) describe this checkpoint?`);
    }
    const missing = [...params.keys()].filter((n) => !byName.has(n));
    if (missing.length) {
      throw new CheckpointError(`${report.files.join(', ')}: missing CLIP-ViL tensors: ${missing.slice(0, 12).join(', ')}${missing.length > 12 ? ` (+${missing.length - 12} more)` : ''} (config.json describes ${config.text_config.num_hidden_layers} layers and a ${config.vision_tower.kind} tower)`);
    }
    for (const [n, p] of params) {
      assign(weights, byName.get(n)!, n, p);
    }
    return { config, model, tower, mlmHead, matchHead, report };
  } catch (e) {
    dispose();
    throw e;
  }
}

function stableJson(obj: unknown): string {
  const sortDeep = (v: unknown): unknown => (v && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortDeep((v as Record<string, unknown>)[k])]))
    : v);
  return `${JSON.stringify(sortDeep(obj), null, 2)}\n`;
}

export function clipVilConfigJson(config: ClipVilConfig): Record<string, unknown> {
  return { ...config, architectures: ['ClipVilModel'], model_type: 'clip-vil', torch_dtype: 'float32' };
}

function tensorToWrite(p: Param): TensorToWrite {
  const data = tf.tidy(() => (p.layout === 'linear' ? tf.transpose(p.value) : p.layout === 'conv' ? tf.transpose(p.value, [3, 2, 0, 1]) : p.value).dataSync() as Float32Array);
  return { dtype: 'F32', shape: fileShape(p), data: Float32Array.from(data) };
}

/** The checkpoint tensors in PyTorch layout. */
export function clipVilTensors(model: ClipVilModel, tower: VisionTower, heads: { mlmHead?: MlmHead; matchHead?: MatchHead } = {}): Record<string, TensorToWrite> {
  const out: Record<string, TensorToWrite> = {};
  for (const [name, p] of clipVilParams(model, tower, heads)) out[name] = tensorToWrite(p);
  return out;
}

const QA_PREFIX = 'answer_head.';
export const QA_ANSWERS_FILE = 'qa_answers.json';

export interface PretrainedAnswerHead { head: AnswerHead; answers: string[] }

/**
 * LXMERT's pretraining QA head of a checkpoint folder (answer_head.logit_fc.* with qa_answers.json), or null when
 * the folder has none. A head without its answer table, or tensors whose shapes disagree with the table, are errors
 * naming the file.
 */
export function loadPretrainedAnswerHead(folder: string, hidden: number, seed: number, hint = DEFAULT_CHECKPOINT_HINT): PretrainedAnswerHead | null {
  const weights = openCheckpointWeights(folder, hint);
  const names = weights.names.filter((n) => canonicalName(n).startsWith(QA_PREFIX));
  if (!names.length) return null;
  const table = join(folder, QA_ANSWERS_FILE);
  if (!existsSync(table)) throw new CheckpointError(`${folder}: the checkpoint has a pretraining QA head (${names[0]} ...) but no ${QA_ANSWERS_FILE} naming its answers`);
  let answers: string[];
  try {
    answers = z.array(z.string().min(1)).min(1).parse(JSON.parse(readFileSync(table, 'utf8')));
  } catch (e) {
    throw new CheckpointError(`${table}: expected a JSON list of answer strings (label -> answer): ${(e as Error).message.split('\n')[0]}`);
  }
  const head = new AnswerHead(hidden, answers.length, new Rng(seed).fork('qa-head'));
  try {
    const byName = new Map(names.map((n) => [canonicalName(n).slice(QA_PREFIX.length), n]));
    for (const [n, p] of head.namedParameters()) {
      const file = byName.get(n);
      if (!file) throw new CheckpointError(`${weights.source(names[0])}: the pretraining QA head lacks "${QA_PREFIX}${n}"`);
      assign(weights, file, `${QA_PREFIX}${n}`, p);
    }
    return { head, answers };
  } catch (e) {
    head.dispose();
    throw e;
  }
}

export interface SaveClipVilOptions {
  mlmHead?: MlmHead;
  matchHead?: MatchHead;
  /** LXMERT's pretraining QA head and its answer table (written as answer_head.logit_fc.* + qa_answers.json). */
  qa?: { head: AnswerHead; answers: readonly string[] };
  /** Further files (tokenizer.json, tokenizer_config.json, pretraining.json ...), name -> content. */
  extraFiles?: Record<string, string | Uint8Array>;
  metadata?: Record<string, string>;
}

/** Writes config.json, model.safetensors and the extra files into `folder`, each atomically. */
export function saveClipVil(folder: string, model: ClipVilModel, tower: VisionTower, opts: SaveClipVilOptions = {}): string[] {
  for (const name of Object.keys(opts.extraFiles ?? {})) {
    if (!name || name.includes('/') || name.includes('\\') || name.startsWith('.')) throw new Error(`extra file name "${name}" must be a plain file name inside the checkpoint folder`);
    if (name === 'config.json' || name === 'model.safetensors') throw new Error(`extra file "${name}" would overwrite the checkpoint's own file`);
  }
  mkdirSync(folder, { recursive: true });
  const tensors = clipVilTensors(model, tower, opts);
  if (opts.qa) {
    if (opts.qa.answers.length !== opts.qa.head.numAnswers) throw new Error(`saveClipVil: the QA head has ${opts.qa.head.numAnswers} answers but the answer table ${opts.qa.answers.length}`);
    for (const [name, p] of opts.qa.head.namedParameters()) tensors[`${QA_PREFIX}${name}`] = tensorToWrite(p);
  }
  writeSafetensors(join(folder, 'model.safetensors'), tensors, { ...opts.metadata, format: 'pt' });
  writeFileAtomic(join(folder, 'config.json'), stableJson(clipVilConfigJson(model.config)));
  const files = ['model.safetensors', 'config.json'];
  if (opts.qa) { writeFileAtomic(join(folder, QA_ANSWERS_FILE), `${JSON.stringify(opts.qa.answers)}\n`); files.push(QA_ANSWERS_FILE); }
  for (const [name, content] of Object.entries(opts.extraFiles ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    writeFileAtomic(join(folder, name), content);
    files.push(name);
  }
  return files;
}
