// Span-corruption pretraining of a T5 from scratch, deterministic from a seed: sentences from a sampler are packed
// into sequences of about `rawLength` tokens, corrupted (15% noise, mean span 3, sentinels), and the model learns to
// emit the dropped spans (teacher forcing, loss on target tokens). Optionally a share of each batch's rows are
// supervised text-to-text examples instead, as T5 v1.0 (t5-base, the checkpoint LST and UniPT fine-tune) was
// pretrained on a multi-task mixture of span corruption and supervised tasks. AdamW with linear warm-up and linear decay to 0,
// weight decay on matrices only, global-norm clipping. `pretrainT5Mini` makes the registry's `t5-mini` checkpoint
// (config.json, model.safetensors, tokenizer.json, tokenizer_config.json) from the procedural language.
import { join } from 'node:path';
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import type { ForwardCtx } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import { AdamW } from '../../train/optim.js';
import { corpusSampler, languageVocabulary } from '../../data/language/index.js';
import { T5Model, shiftRight, IGNORE_INDEX } from './model.js';
import { t5PresetConfig, type T5Config } from './config.js';
import { spanCorrupt, type SpanCorruptionOptions } from './span-corruption.js';
import { buildMiniT5Tokenizer, type T5TextTokenizer, type WordLevelT5Tokenizer } from './tokenizer.js';
import { saveT5 } from './checkpoint.js';

export interface T5PretrainProgress { step: number; steps: number; loss: number; lr: number; stepsPerSecond: number }

export interface T5PretrainOptions {
  config: T5Config;
  tokenizer: T5TextTokenizer;
  /** Draws one sentence; all randomness from `rng`. */
  sample: (rng: Rng) => string;
  seed: number;
  steps: number;
  batchSize: number;
  /** Tokens per packed sequence before corruption (sentences are appended while they fit; a longer one is cut). */
  rawLength: number;
  lr: number;
  warmup: number;
  weightDecay?: number;
  clipNorm?: number;
  corruption?: SpanCorruptionOptions;
  /** Supervised text-to-text rows mixed into every batch (none by default: span corruption alone). */
  mixture?: SupervisedMixture;
  evalBatches?: number;
  onProgress?: (p: T5PretrainProgress) => void;
  progressEvery?: number;
}

/** T5-style multi-task pretraining: each batch row is a supervised example with probability `share`. */
export interface SupervisedMixture {
  share: number;
  /** One text-to-text example; all randomness from `rng`. */
  sample: (rng: Rng) => { source: string; target: string };
  /** Longest source in tokens (longer ones are cut, keeping the final </s>). */
  maxSourceLength: number;
}

export interface T5PretrainResult {
  model: T5Model;
  losses: number[];
  /** Teacher-forced target-token accuracy and mean loss on held-out corrupted batches, after and before training. */
  heldoutAccuracy: number;
  heldoutLoss: number;
  initialHeldoutAccuracy: number;
  initialHeldoutLoss: number;
  /** The same on held-out batches of supervised examples (absent without a mixture). */
  heldoutSupervised?: { accuracyBefore: number; accuracyAfter: number; lossBefore: number; lossAfter: number };
  stepsPerSecond: number;
  seconds: number;
}

export interface SpanBatch { ids: Int32Array; mask: Int32Array; labels: Int32Array; B: number; Ts: number; Td: number }

/** Packs sentences into one token sequence of at most `rawLength` tokens (at least one sentence, cut if needed). */
export function packSequence(tok: T5TextTokenizer, sample: (rng: Rng) => string, rng: Rng, rawLength: number): number[] {
  const out: number[] = [];
  for (;;) {
    const s = tok.encode(sample(rng));
    if (!out.length) { out.push(...s.slice(0, rawLength)); if (out.length >= rawLength) return out; continue; }
    if (out.length + s.length > rawLength) return out;
    out.push(...s);
  }
}

/** A supervised example as token ids: source cut to maxSourceLength with its </s>, target + </s>. */
export function supervisedPair(tok: T5TextTokenizer, ex: { source: string; target: string }, maxSourceLength: number): { input: number[]; target: number[] } {
  return { input: [...tok.encode(ex.source).slice(0, maxSourceLength - 1), tok.eosId], target: [...tok.encode(ex.target), tok.eosId] };
}

/**
 * One padded batch: inputs padded with <pad> (mask 0), targets padded with -100. Each row is a corrupted packed
 * sequence, or with a mixture, a supervised example with probability mixture.share (decided per row from `rng`).
 */
export function spanBatch(tok: T5TextTokenizer, sample: (rng: Rng) => string, rng: Rng, B: number, rawLength: number, corruption?: SpanCorruptionOptions, mixture?: SupervisedMixture): SpanBatch {
  const pairs = Array.from({ length: B }, () => {
    if (mixture && rng.next() < mixture.share) return supervisedPair(tok, mixture.sample(rng), mixture.maxSourceLength);
    let seq = packSequence(tok, sample, rng, rawLength);
    while (seq.length < 2) seq = packSequence(tok, sample, rng, rawLength);
    return spanCorrupt(seq, rng, (i) => tok.sentinelId(i), tok.numSentinels, tok.eosId, corruption);
  });
  const Ts = Math.max(...pairs.map((p) => p.input.length)), Td = Math.max(...pairs.map((p) => p.target.length));
  const ids = new Int32Array(B * Ts).fill(tok.padId), mask = new Int32Array(B * Ts), labels = new Int32Array(B * Td).fill(IGNORE_INDEX);
  pairs.forEach((p, b) => {
    p.input.forEach((v, i) => { ids[b * Ts + i] = v; mask[b * Ts + i] = 1; });
    p.target.forEach((v, i) => { labels[b * Td + i] = v; });
  });
  return { ids, mask, labels, B, Ts, Td };
}

function batchLoss(model: T5Model, b: SpanBatch, ctx: ForwardCtx): Tensor {
  const ids = tf.tensor2d(b.ids, [b.B, b.Ts], 'int32'), mask = tf.tensor2d(b.mask, [b.B, b.Ts], 'int32');
  try { return model.loss(ids, mask, b.labels, ctx); } finally { tf.dispose([ids, mask]); }
}

/** Teacher-forced token accuracy and mean loss over target tokens, without dropout, outside the tape. */
export function evaluateSpanCorruption(model: T5Model, batches: SpanBatch[]): { accuracy: number; loss: number } {
  const ctx: ForwardCtx = { training: false, rng: new Rng(0) };
  const c = model.config;
  let correct = 0, total = 0, lossSum = 0;
  for (const b of batches) {
    const [pred, loss] = tf.tidy(() => {
      const ids = tf.tensor2d(b.ids, [b.B, b.Ts], 'int32'), mask = tf.tensor2d(b.mask, [b.B, b.Ts], 'int32');
      const dec = tf.tensor2d(shiftRight(b.labels, b.B, b.Td, c.decoder_start_token_id, c.pad_token_id), [b.B, b.Td], 'int32');
      const out = model.decode(dec, model.encode(ids, mask, ctx), ctx);
      const logits = model.logits(tf.reshape(out.last, [b.B * b.Td, c.d_model]));
      return [tf.argMax(logits, 1).dataSync() as Int32Array, model.lossFromStates(out.last, b.labels).dataSync()[0]] as const;
    });
    let n = 0;
    for (let i = 0; i < b.labels.length; i++) if (b.labels[i] !== IGNORE_INDEX) { n++; if (pred[i] === b.labels[i]) correct++; }
    total += n; lossSum += loss * n;
  }
  return { accuracy: correct / total, loss: lossSum / total };
}

/** Linear warm-up to `lr`, then linear decay to 0 at `steps`. */
export function warmupLinearLr(step: number, steps: number, lr: number, warmup: number): number {
  if (warmup > 0 && step < warmup) return lr * (step + 1) / warmup;
  return lr * Math.max(0, (steps - step) / Math.max(1, steps - warmup));
}

/** Pretrains a fresh T5 with span corruption. */
export function pretrainT5(o: T5PretrainOptions): T5PretrainResult {
  const { config, tokenizer: tok, steps, batchSize: B } = o;
  if (config.vocab_size < tok.vocabSize) throw new Error(`config.vocab_size ${config.vocab_size} is smaller than the tokenizer's ${tok.vocabSize} tokens`);
  if (tok.numSentinels < 1) throw new Error('span corruption needs sentinel tokens (<extra_id_0>, ...) in the tokenizer');
  if (!(steps > 0 && B > 0 && o.rawLength >= 2)) throw new Error(`steps (${steps}), batchSize (${B}) must be positive and rawLength (${o.rawLength}) at least 2`);
  const root = new Rng(o.seed);
  const model = new T5Model(config, root.fork('model').seedInt());
  model.setTrainable(true);
  const dataRng = root.fork('data'), heldRng = root.fork('heldout');
  const ctx: ForwardCtx = { training: true, rng: root.fork('dropout') };
  const held = Array.from({ length: o.evalBatches ?? 4 }, () => spanBatch(tok, o.sample, heldRng, B, o.rawLength, o.corruption));
  const initial = held.length ? evaluateSpanCorruption(model, held) : { accuracy: NaN, loss: NaN };
  // held-out supervised rows: a mixture of share 1 (every row supervised), from their own random source
  const m = o.mixture;
  const supRng = root.fork('heldout-supervised');
  const heldSup = m ? Array.from({ length: o.evalBatches ?? 4 }, () => spanBatch(tok, o.sample, supRng, B, o.rawLength, o.corruption, { ...m, share: 1 })) : [];
  const initialSup = heldSup.length ? evaluateSpanCorruption(model, heldSup) : null;
  const named = model.namedParameters();
  const decays = (p: Param) => p.role === 'weight' || p.role === 'embedding';
  const wd = o.weightDecay ?? 0.01;
  const opt = new AdamW([
    { params: named.filter(([, p]) => decays(p)).map(([, p]) => p), weightDecay: wd },
    { params: named.filter(([, p]) => !decays(p)).map(([, p]) => p), weightDecay: 0 },
  ], { lr: o.lr, weightDecay: wd, clipNorm: o.clipNorm ?? 1 });
  const vars = named.map(([, p]) => p.variable);
  const losses: number[] = [];
  const every = o.progressEvery ?? 10;
  const t0 = performance.now();
  let tFirst = t0;
  try {
    for (let step = 0; step < steps; step++) {
      opt.lr = warmupLinearLr(step, steps, o.lr, o.warmup);
      const b = spanBatch(tok, o.sample, dataRng, B, o.rawLength, o.corruption, m);
      const { value, grads } = tf.variableGrads(() => batchLoss(model, b, ctx) as tf.Scalar, vars);
      const loss = value.dataSync()[0];
      if (!Number.isFinite(loss)) { tf.dispose([value, ...Object.values(grads)]); throw new Error(`span-corruption loss became ${loss} at step ${step}; lower lr (${o.lr})`); }
      opt.apply(grads);
      tf.dispose([value, ...Object.values(grads)]);
      losses.push(loss);
      if (step === 0) tFirst = performance.now();
      if (o.onProgress && ((step + 1) % every === 0 || step === steps - 1)) {
        const s = (performance.now() - tFirst) / 1000;
        o.onProgress({ step: step + 1, steps, loss, lr: opt.lr, stepsPerSecond: step > 0 && s > 0 ? step / s : NaN });
      }
    }
  } catch (err) {
    opt.dispose(); model.dispose();
    throw err;
  }
  const s = (performance.now() - tFirst) / 1000;
  opt.dispose();
  const fin = held.length ? evaluateSpanCorruption(model, held) : { accuracy: NaN, loss: NaN };
  const finSup = heldSup.length ? evaluateSpanCorruption(model, heldSup) : null;
  return {
    model, losses, heldoutAccuracy: fin.accuracy, heldoutLoss: fin.loss, initialHeldoutAccuracy: initial.accuracy, initialHeldoutLoss: initial.loss,
    ...(initialSup && finSup ? { heldoutSupervised: { accuracyBefore: initialSup.accuracy, accuracyAfter: finSup.accuracy, lossBefore: initialSup.loss, lossAfter: finSup.loss } } : {}),
    stepsPerSecond: steps > 1 && s > 0 ? (steps - 1) / s : NaN, seconds: (performance.now() - t0) / 1000,
  };
}

/**
 * Defaults of `unipt pretrain t5-mini` (any can be overridden). Pretraining runs without dropout, as T5 v1.1 was
 * pretrained (and 4x faster here: dropout masks are drawn element by element). The saved config.json carries the
 * recipe's dropout_rate (0) for fine-tuning too: version 1 saved T5's 0.1, and the frozen mini, never trained under
 * dropout, then handed LST and UniPT states too noisy to read (see T5_PRESETS['t5-mini']).
 * Version 3: 6,000 steps with a quarter of the rows supervised (version 2: 3,000 steps, half): the same supervised
 * rows seen about as often, twice the span corruption. Version 2 held the morphology of words the mini CoLA training
 * set never uses poorly (rare-lemma noun number / verb form / transitivity read from its embeddings by a linear probe
 * trained on the common lemmas: 78 / 80 / 70%; version 3: 98 / 99 / 84%), and no method beat the constant answer on
 * mini CoLA with it (src/tasks/glue-t5/INFERRED.md).
 */
export const T5_MINI_PRETRAIN = { seed: 0, steps: 6000, batchSize: 32, rawLength: 48, lr: 3e-3, warmup: 150, dropout: 0, supervisedShare: 0.25 } as const;
export const T5_MINI_PRETRAIN_VERSION = 't5-mini-pretrain-3';
export const T5_MINI_OBJECTIVE = 'span corruption (15% noise, mean span 3) mixed with supervised text-to-text rows (T5 v1.0 multi-task pretraining)';

export interface T5MiniPretrainOptions {
  seed?: number; steps?: number; batchSize?: number; rawLength?: number; lr?: number; warmup?: number; dropout?: number;
  /** Share of supervised rows (0: span corruption alone); they come from `supervised`, required when the share is > 0. */
  supervisedShare?: number;
  supervised?: Omit<SupervisedMixture, 'share'>;
  onProgress?: (p: T5PretrainProgress) => void;
  progressEvery?: number;
}

/** A pretraining `sample`: one procedural-corpus stream per random source (data, held-out), each deterministic. */
export function corpusSentenceSource(): (rng: Rng) => string {
  const streams = new WeakMap<Rng, () => string>();
  return (rng) => {
    let f = streams.get(rng);
    if (!f) { f = corpusSampler(rng); streams.set(rng, f); }
    return f();
  };
}

/** The mini T5's tokenizer (deterministic: the language's fixed word list + the text-to-text GLUE words). */
export function miniT5Tokenizer(): WordLevelT5Tokenizer { return buildMiniT5Tokenizer(languageVocabulary()); }

/** Pretrains `t5-mini` on the procedural corpus and writes it to `folder` (HF layout); returns the run's figures. */
export function pretrainT5Mini(folder: string, opts: T5MiniPretrainOptions = {}): Omit<T5PretrainResult, 'model'> & { folder: string; files: string[]; config: T5Config; options: typeof T5_MINI_PRETRAIN } {
  const o = { ...T5_MINI_PRETRAIN, ...Object.fromEntries(Object.entries(opts).filter(([k, v]) => v !== undefined && k in T5_MINI_PRETRAIN)) } as typeof T5_MINI_PRETRAIN;
  const tok = miniT5Tokenizer();
  const config = t5PresetConfig('t5-mini', { vocab_size: tok.vocabSize, dropout_rate: o.dropout });
  const sample = corpusSentenceSource();
  if (o.supervisedShare > 0 && !opts.supervised) throw new Error(`pretrainT5Mini: supervisedShare ${o.supervisedShare} needs a supervised example source`);
  const mixture = o.supervisedShare > 0 ? { ...opts.supervised!, share: o.supervisedShare } : undefined;
  const res = pretrainT5({
    config, tokenizer: tok, sample, seed: o.seed, steps: o.steps, batchSize: o.batchSize,
    rawLength: o.rawLength, lr: o.lr, warmup: o.warmup, mixture, onProgress: opts.onProgress, progressEvery: opts.progressEvery,
  });
  const { model, ...figures } = res;
  try {
    const saved = saveT5(folder, model, {
      config,
      extraFiles: {
        'tokenizer.json': `${JSON.stringify(tok.toJson(), null, 1)}\n`,
        'tokenizer_config.json': `${JSON.stringify(tok.configJson(), null, 2)}\n`,
        'pretrain.json': `${JSON.stringify({ version: T5_MINI_PRETRAIN_VERSION, objective: T5_MINI_OBJECTIVE, ...o, heldoutAccuracy: figures.heldoutAccuracy, heldoutLoss: figures.heldoutLoss, initialHeldoutAccuracy: figures.initialHeldoutAccuracy, initialHeldoutLoss: figures.initialHeldoutLoss, heldoutSupervised: figures.heldoutSupervised }, null, 2)}\n`,
      },
      metadata: { pretrain: T5_MINI_PRETRAIN_VERSION },
    });
    return { ...figures, folder: join(saved.folder), files: saved.files, config, options: o };
  } finally {
    model.dispose();
  }
}
