// A VQA run (vqa-vqav2 or vqa-gqa) on CLIP-ViL: load the checkpoint and its tokenizer, the data (mini or LXMERT
// files), tokenize the questions once (<= max_text_length tokens with [CLS]/[SEP], as CLIP-ViL's 20), prepare the
// per-image visual inputs once (visual-store.ts), put the method on the cross-modal encoder, add logit_fc over the
// answer vocabulary (started from the checkpoint's pretraining QA head when it has one, LXMERT's --loadLXMERTQA), train with BCE on the soft scores, evaluate with the VQA soft accuracy / GQA exact match.
import { tf } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import type { FamilyBuildArgs } from '../family.js';
import type { TaskRun } from '../types.js';
import { loadTokenizer, encodeBatch, type TextTokenizer } from '../../data/tokenizer/index.js';
import { loadClipVil, loadPretrainedAnswerHead } from '../../backbones/clip-vil/checkpoint.js';
import { loadLxmertQa } from './lxmert-qa.js';
import { AnswerHead } from '../../backbones/clip-vil/heads.js';
import { checkpointHash } from '../../backbones/hf/config.js';
import { getTask, getMethod } from '../../registry/index.js';
import { InputError } from '../../util/errors.js';
import { generateMiniVqa, miniVqaFingerprint } from './data/mini.js';
import { loadRealVqa, realDataFingerprint } from './data/real.js';
import { targetMatrix } from './data/lxmert.js';
import type { VqaExample, VqaSplits } from './data/types.js';
import { computeVqaMetrics, VQA_METRIC_DEFS, VQA_TASK_IDS, type VqaTaskId } from './metrics.js';
import { applyVqaMethod } from './methods.js';
import { VqaTaskModel, type VqaBatch } from './model.js';
import { buildVisualStore, type VisualMode, type VisualStore } from './visual-store.js';

export interface EncodedVqaSplit {
  n: number;
  T: number;
  ids: Int32Array; mask: Int32Array; lengths: Int32Array;
  /** Index of each question's image in the visual store. */
  image: Int32Array;
  targets: Float32Array;
  labels: (Record<string, number> | null)[];
}

export function asVqaTask(task: string): VqaTaskId {
  if (!(VQA_TASK_IDS as readonly string[]).includes(task)) throw new InputError(`"${task}" is not a VQA task; VQA tasks: ${VQA_TASK_IDS.join(', ')}`);
  return task as VqaTaskId;
}

export function encodeVqaSplit(tok: TextTokenizer, examples: readonly VqaExample[], splits: VqaSplits, maxLength: number): EncodedVqaSplit {
  const e = encodeBatch(tok, examples.map((x) => x.sent), maxLength);
  const pos = new Map(splits.images.ids.map((id, i) => [id, i]));
  const image = Int32Array.from(examples.map((x) => {
    const i = pos.get(x.imgId);
    if (i === undefined) throw new Error(`question ${x.questionId}: image ${x.imgId} is not among the loaded images`);
    return i;
  }));
  return { n: examples.length, T: maxLength, ids: e.ids, mask: e.mask, lengths: e.lengths, image, targets: targetMatrix(examples, splits.answers).targets, labels: examples.map((x) => x.label) };
}

/** A batch of the given rows, the questions padded to the longest of them. */
export function makeVqaBatch(s: EncodedVqaSplit, rows: number[], store: VisualStore, answers: number): VqaBatch {
  const B = rows.length;
  let T = 1;
  for (const r of rows) T = Math.max(T, s.lengths[r]);
  const ids = new Int32Array(B * T), mask = new Float32Array(B * T), targets = new Float32Array(B * answers);
  rows.forEach((r, i) => {
    for (let t = 0; t < T; t++) { ids[i * T + t] = s.ids[r * s.T + t]; mask[i * T + t] = s.mask[r * s.T + t]; }
    targets.set(s.targets.subarray(r * answers, (r + 1) * answers), i * answers);
  });
  return {
    size: B, rows,
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    mask: tf.tensor2d(mask, [B, T], 'float32'),
    visual: store.batch(rows.map((r) => s.image[r])),
    visualKind: store.kind,
    targets: tf.tensor2d(targets, [B, answers], 'float32'),
  };
}

export function disposeVqaBatch(b: VqaBatch): void { tf.dispose([b.ids, b.mask, b.visual, b.targets]); }

function* shuffled(n: number, B: number, rng: Rng): Generator<number[]> {
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  for (let i = 0; i < n; i += B) yield order.slice(i, i + B);
}
function* sequential(n: number, B: number): Generator<number[]> {
  for (let i = 0; i < n; i += B) yield Array.from({ length: Math.min(B, n - i) }, (_, j) => i + j);
}

export interface VqaBuildOptions {
  /** How the frozen tower's input is prepared (default 'auto': cached features when they fit). */
  visual?: VisualMode;
}

export function vqaDataFingerprint(task: VqaTaskId, data: FamilyBuildArgs['spec']['data']): string {
  return data.source === 'mini' ? miniVqaFingerprint(task) : realDataFingerprint(task, data.path);
}

export async function buildVqaRun({ spec, backboneDir, rng }: FamilyBuildArgs, o: VqaBuildOptions = {}): Promise<TaskRun<VqaBatch>> {
  const task = asVqaTask(spec.task);
  const loaded = loadClipVil(backboneDir, { seed: spec.seed, heads: false, hint: 'run `unipt pretrain clip-vil-mini`, or point --backbone at a CLIP-ViL checkpoint folder (config.json with model_type "clip-vil", model.safetensors, tokenizer.json)' });
  const { model, tower, config } = loaded;
  try {
    const tok = await loadTokenizer(backboneDir);
    const splits = spec.data.source === 'mini'
      ? generateMiniVqa({ task, imageSize: config.image_size })
      : loadRealVqa(task, spec.data.path, { imageSize: config.image_size });
    let trainExamples = splits.train;
    if (spec.train.maxTrainExamples && spec.train.maxTrainExamples < trainExamples.length) {
      const keep = rng.fork('subset').shuffle(trainExamples.map((_, i) => i)).slice(0, spec.train.maxTrainExamples).sort((a, b) => a - b);
      trainExamples = keep.map((i) => trainExamples[i]);
    }
    const maxLen = config.max_text_length;
    const train = encodeVqaSplit(tok, trainExamples, splits, maxLen);
    const evalSplits = { validation: encodeVqaSplit(tok, splits.validation, splits, maxLen), test: encodeVqaSplit(tok, splits.test, splits, maxLen) };
    const store = await buildVisualStore(splits.images, tower, o.visual ?? 'auto');

    const method = applyVqaMethod(spec.method.id, spec.method.config, model, rng.fork('method'));
    const A = splits.answers.label2ans.length;
    const head = new AnswerHead(model.hiddenSize, A, rng.fork('head'), config.text_config.initializer_range);
    // --loadLXMERTQA: start logit_fc from the checkpoint's pretraining QA head when it has one
    const qa = loadPretrainedAnswerHead(backboneDir, model.hiddenSize, spec.seed);
    if (qa) { try { loadLxmertQa(head, qa, splits.answers.label2ans); } finally { qa.head.dispose(); } }
    const vqa = new VqaTaskModel(model, tower, method, head);
    const B = spec.train.batchSize, evalB = spec.train.evalBatchSize ?? Math.max(B, 64);
    const label2ans = splits.answers.label2ans;
    return {
      model: vqa,
      metricDefs: VQA_METRIC_DEFS[task],
      trainSize: train.n,
      stepsPerEpoch: Math.ceil(train.n / B),
      *trainBatches(_epoch, r) { for (const rows of shuffled(train.n, B, r)) yield makeVqaBatch(train, rows, store, A); },
      disposeBatch: disposeVqaBatch,
      async evaluate(split) {
        const s = evalSplits[split];
        const pred: string[] = new Array<string>(s.n);
        const ctx = { training: false, rng: rng.fork('eval') };
        for (const rows of sequential(s.n, evalB)) {
          const b = makeVqaBatch(s, rows, store, A);
          const logits = vqa.predict(b, ctx);
          const best = tf.argMax(logits, 1);
          const idx = await best.data();
          rows.forEach((r, i) => { pred[r] = label2ans[idx[i]]; });
          tf.dispose([logits, best]); disposeVqaBatch(b);
        }
        return computeVqaMetrics(task, pred, s.labels);
      },
      versions: {
        task: `${task}@${getTask(task).version}`,
        method: `${spec.method.id}@${getMethod(spec.method.id).version}`,
        data: vqaDataFingerprint(task, spec.data),
        checkpoint: checkpointHash(backboneDir),
      },
      dispose() { vqa.dispose(); store.dispose(); },
    };
  } catch (e) {
    model.dispose(); tower.dispose();
    throw e;
  }
}
