// LXRT-style pretraining of the CLIP-ViL cross-modal encoder (LXMERT/CLIP-ViL `LXRTPretraining`, the objectives
// that need no object detector): masked language modelling on the text given the image (BERT masking, the decoder
// tied to the word embeddings) and cross-modality matching (`cls.seq_relationship` on the pooled output: is this
// sentence about this image?). As in LXMERT, half the pairs get another image's sentence, and the MLM loss is taken
// on matched pairs only; total loss = MLM + matching (+ LXMERT's image question answering when a QA head is given:
// `answer_head` on the pooled output, cross-entropy with the question's answer label on matched question rows, the
// others ignored, as LXRTPretraining's task_qa). The frozen CLIP tower's features are supplied by the caller
// (precomputed); the tower takes no part in the optimisation.
import { tf, type Tensor } from '../../engine/tf.js';
import { Rng } from '../../engine/rng.js';
import { ops } from '../../engine/ops/index.js';
import type { ForwardCtx } from '../../nn/module.js';
import type { Param } from '../../nn/param.js';
import { AdamW } from '../../train/optim.js';
import { crossEntropy } from '../../train/losses.js';
import { encodeBatch, type TextTokenizer } from '../../data/tokenizer/index.js';
import { maskTokens, mlmLr, type SpecialTokens } from '../text/pretrain.js';
import type { MlmHead } from '../text/mlm-head.js';
import type { ClipVilModel } from './model.js';
import type { MatchHead, AnswerHead } from './heads.js';

/** A pretraining batch: n texts and the features of their n images ([n, ...itemShape], from the frozen tower). */
export interface VlSample {
  texts: string[]; visual: Float32Array; itemShape: number[];
  /** With a QA head: each row's answer when its text is a question about its image, else null. */
  answers?: (string | null)[];
}

export interface ClipVilPretrainOptions {
  model: ClipVilModel;
  mlmHead: MlmHead;
  matchHead: MatchHead;
  /** LXMERT's QA head and its answer table (label -> answer); omitted = no QA objective. */
  qa?: { head: AnswerHead; answers: readonly string[] };
  tokenizer: TextTokenizer;
  seed: number;
  steps: number;
  batchSize: number;
  lr: number;
  warmup: number;
  weightDecay?: number;
  clipNorm?: number;
  /** Share of pairs whose sentence is replaced by another image's (LXMERT: 0.5). */
  mismatchShare?: number;
  maskProb?: number;
  /** Draws n (text, image features) pairs; all randomness from rng. */
  sample(rng: Rng, n: number): VlSample;
  evalBatches?: number;
  progressEvery?: number;
  onProgress?: (p: { step: number; steps: number; loss: number; mlm: number; match: number; qa: number; stepsPerSecond: number }) => void;
}

export interface VlHeldout {
  maskedAccuracy: number; matchAccuracy: number; mlmLoss: number; matchLoss: number;
  /** Top-1 accuracy of the QA head on matched question rows (NaN without a QA head or such rows). */
  qaAccuracy: number;
}

export interface ClipVilPretrainResult {
  losses: number[];
  before: VlHeldout;
  after: VlHeldout;
  seconds: number;
  stepsPerSecond: number;
}

interface Prepared {
  ids: Tensor; mask: Tensor; visual: Tensor;
  /** Flat positions (row * Tjoint + col) of the masked tokens of matched rows, and their original ids. */
  positions: Tensor; labels: Tensor; nMasked: number;
  matched: Tensor;
  /** Rows with a QA target (matched questions) and their answer labels; null when none. */
  qaRows: Tensor | null; qaLabels: Tensor | null;
}

function specials(tok: TextTokenizer): SpecialTokens {
  const s = tok.specialIds;
  if (s.cls === null || s.sep === null || s.mask === null) throw new Error(`the tokenizer in ${tok.folder} lacks [CLS]/[SEP]/[MASK], which MLM pretraining needs`);
  return { pad: s.pad, unk: s.unk, cls: s.cls, sep: s.sep, mask: s.mask };
}

/** Builds one batch: mismatching, masking (matched rows only), tensors. */
function prepareBatch(o: ClipVilPretrainOptions, rng: Rng, sp: SpecialTokens): Prepared {
  const n = o.batchSize;
  const smp = o.sample(rng, n);
  const texts = [...smp.texts];
  const matched = new Int32Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    if (rng.next() < (o.mismatchShare ?? 0.5)) {
      let j = rng.int(n - 1); if (j >= i) j++;
      if (smp.texts[j] !== smp.texts[i]) { texts[i] = smp.texts[j]; matched[i] = 0; }
    }
  }
  const qaRows: number[] = [], qaLabels: number[] = [];
  if (o.qa && smp.answers) {
    const label = new Map(o.qa.answers.map((a, i) => [a, i]));
    smp.answers.forEach((a, i) => {
      if (a === null || !matched[i]) return;
      const l = label.get(a);
      if (l === undefined) throw new Error(`CLIP-ViL pretraining: the answer "${a}" is not in the QA head's answer table`);
      qaRows.push(i); qaLabels.push(l);
    });
  }
  const maxLen = o.model.config.max_text_length;
  const enc = encodeBatch(o.tokenizer, texts, maxLen, { padding: 'longest' });
  const [B, T] = enc.shape;
  // MLM only where the sentence belongs to the image (LXMERT sets the LM labels of mismatched pairs to -1)
  const rowMask = enc.mask.map((m, k) => (matched[Math.floor(k / T)] ? m : 0));
  const masked = maskTokens({ ids: enc.ids, mask: rowMask }, sp, o.tokenizer.vocabSize, rng, o.maskProb ?? 0.15);
  const N = smp.itemShape.length === 3 ? smp.itemShape[0] * smp.itemShape[1] : smp.itemShape[0];
  const Tj = T + N;
  const positions = masked.positions.map((p) => Math.floor(p / T) * Tj + (p % T));
  return {
    ids: tf.tensor2d(masked.ids, [B, T], 'int32'),
    mask: tf.tensor2d(Float32Array.from(enc.mask), [B, T]),
    visual: tf.tensor(smp.visual, [n, ...smp.itemShape]),
    positions: tf.tensor1d(positions, 'int32'),
    labels: tf.tensor1d(masked.labels, 'int32'),
    nMasked: masked.labels.length,
    matched: tf.tensor1d(matched, 'int32'),
    qaRows: qaRows.length ? tf.tensor1d(qaRows, 'int32') : null,
    qaLabels: qaRows.length ? tf.tensor1d(qaLabels, 'int32') : null,
  };
}

function disposePrepared(p: Prepared): void {
  tf.dispose([p.ids, p.mask, p.visual, p.positions, p.labels, p.matched, ...(p.qaRows ? [p.qaRows] : []), ...(p.qaLabels ? [p.qaLabels] : [])]);
}

/** MLM logits at the masked positions and matching logits, in the caller's gradient scope. */
function forward(o: ClipVilPretrainOptions, p: Prepared, ctx: ForwardCtx): { mlm: Tensor; match: Tensor; qa: Tensor | null } {
  const out = o.model.forward({ ids: p.ids, mask: p.mask, grid: p.visual }, ctx);
  const last = out.hiddenStates[out.hiddenStates.length - 1];
  const [B, Tj, H] = last.shape as number[];
  const sel = ops().embedding(tf.reshape(last, [B * Tj, H]), p.positions, true);
  const mlm = o.mlmHead.forward(sel, o.model.bert.embeddings.word_embeddings.weight.value, ctx);
  const pooled = o.model.pool(last, ctx, 0);
  const match = o.matchHead.forward(pooled, ctx);
  const qa = o.qa && p.qaRows ? o.qa.head.forward(tf.gather(pooled, p.qaRows), ctx) : null;
  return { mlm, match, qa };
}

function evaluate(o: ClipVilPretrainOptions, held: Prepared[]): VlHeldout {
  const ctx: ForwardCtx = { training: false, rng: new Rng(0) };
  let mc = 0, mt = 0, ml = 0, ac = 0, at = 0, al = 0, qc = 0, qt = 0;
  for (const p of held) {
    let qPred: ArrayLike<number> | null = null;
    const [mPred, mLoss, aPred, aLoss] = tf.tidy(() => {
      const f = forward(o, p, ctx);
      if (f.qa) qPred = tf.argMax(f.qa, 1).dataSync();
      return [tf.argMax(f.mlm, 1).dataSync(), crossEntropy(f.mlm, p.labels).dataSync()[0], tf.argMax(f.match, 1).dataSync(), crossEntropy(f.match, p.matched).dataSync()[0]] as const;
    });
    const qp = qPred as ArrayLike<number> | null;
    if (qp && p.qaLabels) { const ql = p.qaLabels.dataSync(); for (let i = 0; i < qp.length; i++) if (qp[i] === ql[i]) qc++; qt += qp.length; }
    const lab = p.labels.dataSync(), m = p.matched.dataSync();
    for (let i = 0; i < mPred.length; i++) if (mPred[i] === lab[i]) mc++;
    for (let i = 0; i < aPred.length; i++) if (aPred[i] === m[i]) ac++;
    mt += mPred.length; at += aPred.length; ml += mLoss * mPred.length; al += aLoss * aPred.length;
  }
  return { maskedAccuracy: mc / mt, matchAccuracy: ac / at, mlmLoss: ml / mt, matchLoss: al / at, qaAccuracy: qt ? qc / qt : NaN };
}

const decays = (name: string, p: Param): boolean => (p.role === 'weight' || p.role === 'embedding') && !name.includes('LayerNorm');

/** Pretrains the model and heads in place (the tower's features come from `sample`). */
export function pretrainClipVil(o: ClipVilPretrainOptions): ClipVilPretrainResult {
  const root = new Rng(o.seed);
  const sp = specials(o.tokenizer);
  const dataRng = root.fork('data'), heldRng = root.fork('heldout');
  const ctx: ForwardCtx = { training: true, rng: root.fork('dropout') };
  const held = Array.from({ length: o.evalBatches ?? 4 }, () => prepareBatch(o, heldRng, sp));
  try {
    const before = evaluate(o, held);
    const named = [...o.model.namedParameters(), ...o.mlmHead.namedParameters().map(([n, p]) => [`cls.predictions.${n}`, p] as [string, Param]),
      ...o.matchHead.namedParameters().map(([n, p]) => [`cls.${n}`, p] as [string, Param]),
      ...(o.qa ? o.qa.head.namedParameters().map(([n, p]) => [`answer_head.${n}`, p] as [string, Param]) : [])].filter(([, p]) => p.trainable);
    const wd = o.weightDecay ?? 0.01;
    const opt = new AdamW([
      { params: named.filter(([n, p]) => decays(n, p)).map(([, p]) => p), weightDecay: wd },
      { params: named.filter(([n, p]) => !decays(n, p)).map(([, p]) => p), weightDecay: 0 },
    ], { lr: o.lr, weightDecay: wd, clipNorm: o.clipNorm ?? 1 });
    const vars = named.map(([, p]) => p.variable);
    const losses: number[] = [];
    const t0 = performance.now();
    let tFirst = t0;
    try {
      for (let step = 0; step < o.steps; step++) {
        opt.lr = mlmLr(step, o.steps, o.lr, o.warmup);
        const p = prepareBatch(o, dataRng, sp);
        let parts = [0, 0, 0];
        try {
          const { value, grads } = tf.variableGrads(() => {
            const f = forward(o, p, ctx);
            const lm = crossEntropy(f.mlm, p.labels), lt = crossEntropy(f.match, p.matched);
            const lq = f.qa && p.qaLabels ? crossEntropy(f.qa, p.qaLabels) : null;
            parts = [lm, lt, ...(lq ? [lq] : [])].map((t) => t.dataSync()[0]);
            return (lq ? tf.addN([lm, lt, lq]) : tf.add(lm, lt)) as tf.Scalar;
          }, vars);
          const loss = value.dataSync()[0];
          if (!Number.isFinite(loss)) { tf.dispose([value, ...Object.values(grads)]); throw new Error(`CLIP-ViL pretraining loss became ${loss} at step ${step}; lower lr (${o.lr})`); }
          opt.apply(grads);
          tf.dispose([value, ...Object.values(grads)]);
          losses.push(loss);
        } finally { disposePrepared(p); }
        if (step === 0) tFirst = performance.now();
        const every = o.progressEvery ?? 50;
        if (o.onProgress && ((step + 1) % every === 0 || step === o.steps - 1)) {
          const s = (performance.now() - tFirst) / 1000;
          o.onProgress({ step: step + 1, steps: o.steps, loss: losses[step], mlm: parts[0], match: parts[1], qa: parts[2] ?? 0, stepsPerSecond: step > 0 && s > 0 ? step / s : NaN });
        }
      }
    } finally { opt.dispose(); }
    const after = evaluate(o, held);
    const seconds = (performance.now() - t0) / 1000;
    const s1 = (performance.now() - tFirst) / 1000;
    return { losses, before, after, seconds, stepsPerSecond: o.steps > 1 && s1 > 0 ? (o.steps - 1) / s1 : NaN };
  } finally {
    held.forEach(disposePrepared);
  }
}
