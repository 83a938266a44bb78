// Masked-language-model pretraining of a text encoder from scratch, deterministic from a seed: BERT masking (15% of
// non-special tokens; of those 80% [MASK], 10% a random token, 10% unchanged), the loss only on the selected
// positions (their hidden states are gathered before the head, so the vocabulary-sized logits exist for them
// alone), the decoder tied to the word embeddings, AdamW with linear warm-up and linear decay to zero.
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import type { ForwardCtx } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
// The optimiser and the loss are the training room's; they depend only on engine/ and nn/.
import { AdamW } from '../../train/optim.js';
import { crossEntropy } from '../../train/losses.js';
import { TextEncoder } from './bert.js';
import { MlmHead } from './mlm-head.js';
import type { TextEncoderConfig } from './config.js';

export interface SpecialTokens { pad: number; cls: number; sep: number; mask: number; unk: number }

export interface CorpusBatch {
  /** Token ids, row-major [batchSize, maxLength], padded with `special.pad`. */
  ids: Int32Array;
  /** Attention mask [batchSize, maxLength]: 1 = token, 0 = padding. */
  mask: Int32Array;
  /** Segment ids [batchSize, maxLength] (all 0 when omitted). */
  typeIds?: Int32Array;
}

/** What MLM pretraining needs from a corpus: its vocabulary size, the special ids, and batches drawn from an Rng. */
export interface MlmCorpus {
  vocabSize: number;
  special: SpecialTokens;
  /** Draws a batch; all randomness must come from `rng` so pretraining is reproducible. */
  sample(rng: Rng, batchSize: number, maxLength: number): CorpusBatch;
}

export interface PretrainProgress {
  step: number;
  steps: number;
  loss: number;
  lr: number;
  /** Optimiser steps per second so far (first step excluded: it includes kernel set-up). */
  stepsPerSecond: number;
}

export interface PretrainOptions {
  /** Encoder configuration; vocab_size must equal corpus.vocabSize. */
  config: TextEncoderConfig;
  seed: number;
  steps: number;
  batchSize: number;
  maxLength: number;
  /** Peak learning rate. */
  lr: number;
  /** Warm-up steps (linear from lr/warmup to lr), then linear decay to 0 at `steps`. */
  warmup: number;
  corpus: MlmCorpus;
  /** AdamW decoupled weight decay on weights (not biases, LayerNorm or the output bias); default 0.01. */
  weightDecay?: number;
  /** Global gradient-norm clip; default 1. */
  clipNorm?: number;
  /** Share of eligible tokens selected for prediction; default 0.15. */
  maskProb?: number;
  /** Held-out batches for the final accuracy; default 4. */
  evalBatches?: number;
  /** Called every `progressEvery` steps (default 10) and after the last one. */
  onProgress?: (p: PretrainProgress) => void;
  progressEvery?: number;
}

export interface PretrainResult {
  encoder: TextEncoder;
  mlmHead: MlmHead;
  /** Training loss of every step. */
  losses: number[];
  /** Masked-token accuracy on the held-out batches after training. */
  accuracy: number;
  /** Mean MLM loss on the held-out batches after training. */
  heldoutLoss: number;
  /** The same two figures before the first step (the untrained model), for comparison. */
  initialAccuracy: number;
  initialHeldoutLoss: number;
  stepsPerSecond: number;
  seconds: number;
}

/**
 * Packs several of a corpus's sequences (each keeping its own [CLS] ... [SEP]) into every row, as RoBERTa's
 * "full-sentences" input does, so short sentences do not leave most of each row as padding (the step costs the
 * same, the number of trained tokens rises). Stateless: rows left over at the end of a call are dropped, so the
 * training and held-out streams never share rows.
 */
export function packedCorpus(inner: MlmCorpus): MlmCorpus {
  return {
    vocabSize: inner.vocabSize,
    special: inner.special,
    sample(rng: Rng, batchSize: number, maxLength: number): CorpusBatch {
      const T = maxLength;
      const ids = new Int32Array(batchSize * T).fill(inner.special.pad);
      const mask = new Int32Array(batchSize * T);
      let typeIds: Int32Array | undefined;
      let pending: { ids: Int32Array; types?: Int32Array }[] = [];
      const refill = (): void => {
        const b = inner.sample(rng, batchSize, T);
        if (b.typeIds && !typeIds) typeIds = new Int32Array(batchSize * T);
        pending = [];
        for (let r = 0; r < batchSize; r++) {
          let len = 0;
          for (let t = 0; t < T; t++) if (b.mask[r * T + t]) len = t + 1;
          if (len) pending.push({ ids: b.ids.slice(r * T, r * T + len), types: b.typeIds?.slice(r * T, r * T + len) });
        }
        if (!pending.length) throw new Error('corpus.sample returned a batch with no tokens');
      };
      for (let r = 0; r < batchSize; r++) {
        let pos = 0;
        for (;;) {
          if (!pending.length) refill();   // a sequence always fits an empty row (the corpus keeps to maxLength)
          const seq = pending[0];
          if (pos + seq.ids.length > T) break;
          pending.shift();
          ids.set(seq.ids, r * T + pos);
          mask.fill(1, r * T + pos, r * T + pos + seq.ids.length);
          if (typeIds && seq.types) typeIds.set(seq.types, r * T + pos);
          pos += seq.ids.length;
        }
      }
      return typeIds ? { ids, mask, typeIds } : { ids, mask };
    },
  };
}

export interface MaskedBatch {
  /** Input ids after masking. */
  ids: Int32Array;
  /** Flat positions (row * maxLength + col) whose original token is predicted. */
  positions: Int32Array;
  /** The original tokens at those positions. */
  labels: Int32Array;
}

/**
 * BERT masking. Each real, non-special token is selected with probability `prob`; a selected token becomes [MASK]
 * (80%), a uniformly drawn non-special token (10%) or stays (10%). At least one token is selected per batch (a
 * batch with no target would have no loss).
 */
export function maskTokens(batch: CorpusBatch, special: SpecialTokens, vocabSize: number, rng: Rng, prob = 0.15): MaskedBatch {
  const specials = new Set([special.pad, special.cls, special.sep, special.mask, special.unk]);
  if (vocabSize <= specials.size) throw new Error(`vocabulary of ${vocabSize} has no tokens besides the special ones`);
  const ids = batch.ids.slice();
  const eligible: number[] = [];
  for (let i = 0; i < ids.length; i++) if (batch.mask[i] && !specials.has(ids[i])) eligible.push(i);
  if (!eligible.length) throw new Error('a batch has no maskable token (every position is padding or a special token)');
  let chosen = eligible.filter(() => rng.next() < prob);
  if (!chosen.length) chosen = [eligible[rng.int(eligible.length)]];
  const labels = new Int32Array(chosen.length);
  chosen.forEach((pos, j) => {
    labels[j] = ids[pos];
    const r = rng.next();
    if (r < 0.8) ids[pos] = special.mask;
    else if (r < 0.9) {
      let t: number;
      do t = rng.int(vocabSize); while (specials.has(t));
      ids[pos] = t;
    }
  });
  return { ids, positions: Int32Array.from(chosen), labels };
}

function checkBatch(b: CorpusBatch, batchSize: number, maxLength: number, vocabSize: number): void {
  const n = batchSize * maxLength;
  for (const [k, a] of [['ids', b.ids], ['mask', b.mask], ['typeIds', b.typeIds]] as const) {
    if (a && a.length !== n) throw new Error(`corpus.sample returned ${k} of length ${a.length}; expected batchSize x maxLength = ${n}`);
  }
  for (let i = 0; i < n; i++) {
    if (b.ids[i] < 0 || b.ids[i] >= vocabSize) throw new Error(`corpus.sample returned token id ${b.ids[i]} at ${i}, outside the vocabulary [0, ${vocabSize})`);
  }
}

/** Linear warm-up to `lr` over `warmup` steps, then linear decay to 0 at `steps`. */
export function mlmLr(step: number, steps: number, lr: number, warmup: number): number {
  if (warmup > 0 && step < warmup) return lr * (step + 1) / warmup;
  return lr * Math.max(0, (steps - step) / Math.max(1, steps - warmup));
}

interface Prepared { ids: Tensor; mask: Tensor; typeIds: Tensor | null; positions: Tensor; labels: Tensor; B: number; T: number }

/**
 * Columns after the last real token of every row are dropped before the batch becomes tensors: padded keys are
 * masked out, so the real tokens' hidden states do not change, and attention cost falls with the square of the
 * length.
 */
function usedLength(mask: Int32Array, B: number, T: number): number {
  let used = 1;
  for (let b = 0; b < B; b++) for (let t = T - 1; t >= used; t--) if (mask[b * T + t]) { used = t + 1; break; }
  return used;
}

function trimColumns(a: Int32Array, B: number, T: number, Tu: number): Int32Array {
  if (Tu === T) return a;
  const out = new Int32Array(B * Tu);
  for (let b = 0; b < B; b++) out.set(a.subarray(b * T, b * T + Tu), b * Tu);
  return out;
}

function prepare(batch: CorpusBatch, masked: MaskedBatch, B: number, T: number): Prepared {
  const Tu = usedLength(batch.mask, B, T);
  const positions = Tu === T ? masked.positions : masked.positions.map((p) => Math.floor(p / T) * Tu + (p % T));
  return {
    ids: tf.tensor2d(trimColumns(masked.ids, B, T, Tu), [B, Tu], 'int32'),
    mask: tf.tensor2d(trimColumns(batch.mask, B, T, Tu), [B, Tu], 'int32'),
    typeIds: batch.typeIds ? tf.tensor2d(trimColumns(batch.typeIds, B, T, Tu), [B, Tu], 'int32') : null,
    positions: tf.tensor1d(positions, 'int32'),
    labels: tf.tensor1d(masked.labels, 'int32'),
    B, T: Tu,
  };
}

function disposePrepared(p: Prepared): void { tf.dispose([p.ids, p.mask, p.positions, p.labels, ...(p.typeIds ? [p.typeIds] : [])]); }

/** Logits [M, V] at the masked positions. */
export function mlmLogits(encoder: TextEncoder, head: MlmHead, p: { ids: Tensor; mask: Tensor; typeIds: Tensor | null; positions: Tensor }, ctx: ForwardCtx): Tensor {
  const [B, T] = p.ids.shape as number[];
  const out = encoder.forward({ ids: p.ids, mask: p.mask, typeIds: p.typeIds }, ctx);
  const flat = tf.reshape(out.last, [B * T, encoder.hiddenSize]);
  // a row gather whose gradient is a segment sum, with only the positions saved (the lean embedding op)
  const sel = ops().embedding(flat, p.positions, true);
  return head.forward(sel, encoder.embeddings.word_embeddings.weight.value, ctx);
}

/** Held-out masked-token accuracy and mean loss, in eval mode (no dropout), outside the gradient tape. */
export function evaluateMlm(encoder: TextEncoder, head: MlmHead, batches: { batch: CorpusBatch; masked: MaskedBatch }[], batchSize: number, maxLength: number): { accuracy: number; loss: number } {
  const ctx: ForwardCtx = { training: false, rng: new Rng(0) };
  let correct = 0, total = 0, lossSum = 0;
  for (const { batch, masked } of batches) {
    const p = prepare(batch, masked, batchSize, maxLength);
    const [pred, loss] = tf.tidy(() => {
      const logits = mlmLogits(encoder, head, p, ctx);
      return [tf.argMax(logits, 1).dataSync() as Int32Array, crossEntropy(logits, p.labels).dataSync()[0]] as const;
    });
    disposePrepared(p);
    for (let i = 0; i < pred.length; i++) if (pred[i] === masked.labels[i]) correct++;
    total += pred.length;
    lossSum += loss * pred.length;
  }
  return { accuracy: correct / total, loss: lossSum / total };
}

/** Weights decay; biases, LayerNorm parameters and the output bias do not (BERT's convention). */
function decays(name: string, p: Param): boolean { return p.role === 'weight' || p.role === 'embedding' ? !name.includes('LayerNorm') : false; }

/** Pretrains a fresh encoder and MLM head with masked-language modelling. */
export function pretrainMlm(o: PretrainOptions): PretrainResult {
  const { config, corpus, batchSize: B, maxLength: T, steps } = o;
  if (config.vocab_size !== corpus.vocabSize) throw new Error(`config.vocab_size ${config.vocab_size} differs from the corpus vocabulary ${corpus.vocabSize}`);
  if (!(steps > 0 && B > 0 && T > 1)) throw new Error(`steps (${steps}), batchSize (${B}) and maxLength (${T}) must be positive (maxLength >= 2)`);
  const root = new Rng(o.seed);
  const encoder = new TextEncoder(config, root.fork('encoder').seedInt());
  if (T > encoder.maxLength) { encoder.dispose(); throw new Error(`maxLength ${T} exceeds what the position table covers (${encoder.maxLength}); raise max_position_embeddings`); }
  const head = new MlmHead(config, root.fork('mlm-head').seedInt());
  try {
    return train(o, encoder, head, root);
  } catch (err) {
    encoder.dispose(); head.dispose();
    throw err;
  }
}

function train(o: PretrainOptions, encoder: TextEncoder, head: MlmHead, root: Rng): PretrainResult {
  const { corpus, batchSize: B, maxLength: T, steps } = o;
  const dataRng = root.fork('data'), maskRng = root.fork('masking'), heldRng = root.fork('heldout');
  const ctx: ForwardCtx = { training: true, rng: root.fork('dropout') };
  const maskProb = o.maskProb ?? 0.15;

  const held = Array.from({ length: o.evalBatches ?? 4 }, () => {
    const batch = corpus.sample(heldRng, B, T);
    checkBatch(batch, B, T, corpus.vocabSize);
    return { batch, masked: maskTokens(batch, corpus.special, corpus.vocabSize, heldRng, maskProb) };
  });
  const initial = held.length ? evaluateMlm(encoder, head, held, B, T) : { accuracy: NaN, loss: NaN };

  // the pooler takes no part in MLM: it stays at its initialisation and out of the optimiser
  const named = [...encoder.namedParameters().filter(([n]) => !n.startsWith('pooler.')), ...head.namedParameters().map(([n, p]) => [`head.${n}`, p] as [string, Param])];
  const wd = o.weightDecay ?? 0.01;
  const opt = new AdamW([
    { params: named.filter(([n, p]) => decays(n, p)).map(([, p]) => p), weightDecay: wd },
    { params: named.filter(([n, p]) => !decays(n, p)).map(([, p]) => p), weightDecay: 0 },
  ], { lr: o.lr, weightDecay: wd, clipNorm: o.clipNorm ?? 1 });
  const vars = named.map(([, p]) => p.variable);

  const losses: number[] = [];
  const every = o.progressEvery ?? 10;
  const t0 = performance.now();
  let tFirst = t0;
  try {
    for (let step = 0; step < steps; step++) {
      opt.lr = mlmLr(step, steps, o.lr, o.warmup);
      const batch = corpus.sample(dataRng, B, T);
      checkBatch(batch, B, T, corpus.vocabSize);
      const masked = maskTokens(batch, corpus.special, corpus.vocabSize, maskRng, maskProb);
      const p = prepare(batch, masked, B, T);
      try {
        const { value, grads } = tf.variableGrads(() => crossEntropy(mlmLogits(encoder, head, p, ctx), p.labels) as tf.Scalar, vars);
        const loss = value.dataSync()[0];
        if (!Number.isFinite(loss)) { tf.dispose([value, ...Object.values(grads)]); throw new Error(`MLM loss became ${loss} at step ${step}; lower lr (${o.lr})`); }
        opt.apply(grads);
        tf.dispose([value, ...Object.values(grads)]);
        losses.push(loss);
      } finally {
        disposePrepared(p);
      }
      if (step === 0) tFirst = performance.now();
      if (o.onProgress && ((step + 1) % every === 0 || step === steps - 1)) {
        o.onProgress({ step: step + 1, steps, loss: losses[step], lr: opt.lr, stepsPerSecond: rate(step, tFirst) });
      }
    }
  } finally {
    opt.dispose();
  }
  const stepsPerSecond = rate(steps - 1, tFirst);
  const seconds = (performance.now() - t0) / 1000;
  const fin = held.length ? evaluateMlm(encoder, head, held, B, T) : { accuracy: NaN, loss: NaN };
  return {
    encoder, mlmHead: head, losses, accuracy: fin.accuracy, heldoutLoss: fin.loss,
    initialAccuracy: initial.accuracy, initialHeldoutLoss: initial.loss, stepsPerSecond, seconds,
  };
}

/** Steps per second over steps 1..`last` (step 0 includes kernel set-up). */
function rate(last: number, tFirst: number): number {
  const s = (performance.now() - tFirst) / 1000;
  return last > 0 && s > 0 ? last / s : NaN;
}
