// A GLUE run on a BERT/RoBERTa-style encoder: tokenize the splits once, put the method on the encoder, add a
// classification head (cross-entropy) or, for STS-B, a regression head (mean squared error), evaluate with the
// GLUE metrics in percent.
import { tf, type Tensor } from '../../engine/tf.js';
import type { FamilyBuildArgs } from '../family.js';
import type { TaskRun } from '../types.js';
import { loadTokenizer } from '../../data/tokenizer/index.js';
import { loadTextEncoder } from '../../backbones/text/checkpoint.js';
import { checkpointHash } from '../../backbones/hf/config.js';
import { crossEntropy, mse } from '../../train/losses.js';
import { TextTaskModel } from '../text-model.js';
import { applyTextMethod } from '../text-methods.js';
import { ClassificationHead } from './head.js';
import { loadGlue, exampleTexts, glueSchema, MINI_MAX_TOKENS, type GlueTaskId } from './data/index.js';
import { computeGlueMetrics, GLUE_METRIC_DEFS } from './metrics.js';
import { encodeSplit, makeBatch, disposeBatch, shuffledBatches, sequentialBatches, type EncodedSplit, type GlueBatch } from './batches.js';
import { GLUE_FAMILY, GLUE_DATA_SEED } from './family.js';
import { getTask, getMethod } from '../../registry/index.js';

/** The head's pooling on the encoder path (see head.ts for why mean, not [CLS]). Part of the task version. */
export const GLUE_ENCODER_POOLING = 'mean' as const;

/** LST's max_source_length for real data; mini sentences are shorter by construction. */
const REAL_MAX_LENGTH = 128;

export async function buildGlueEncoderRun({ spec, backboneDir, rng }: FamilyBuildArgs): Promise<TaskRun<GlueBatch>> {
  const task = spec.task as GlueTaskId;
  const schema = glueSchema(task);
  const data = await loadGlue(task, spec.data, GLUE_DATA_SEED);
  const tok = await loadTokenizer(backboneDir);
  const { encoder } = loadTextEncoder(backboneDir, { seed: spec.seed });
  const maxLength = Math.min(encoder.maxLength, spec.data.source === 'mini' ? MINI_MAX_TOKENS + 4 : REAL_MAX_LENGTH);
  const encode = (xs: typeof data.train): EncodedSplit => {
    const texts = xs.map((x) => exampleTexts(schema, x));
    const pairs = texts[0]?.length === 2;
    return encodeSplit(tok, pairs ? texts.map((t) => [t[0], t[1]!] as const) : texts.map((t) => t[0]), xs.map((x) => x.label), maxLength);
  };
  let train = encode(data.train);
  if (spec.train.maxTrainExamples && spec.train.maxTrainExamples < train.n) {
    const keep = rng.fork('subset').shuffle(Array.from({ length: train.n }, (_, i) => i)).slice(0, spec.train.maxTrainExamples).sort((a, b) => a - b);
    const xs = keep.map((i) => data.train[i]);
    train = encode(xs);
  }
  const splits = { validation: encode(data.validation), test: encode(data.test) };

  const method = applyTextMethod(spec.method.id, spec.method.config, encoder, rng.fork('method'));
  const regression = schema.isRegression;
  const head = new ClassificationHead(encoder.hiddenSize, regression ? 1 : data.meta.numLabels, rng.fork('head'), encoder.config.hidden_dropout_prob, GLUE_ENCODER_POOLING);
  const lossFn = (out: Tensor, b: GlueBatch) => (regression ? mse(out, b.labels) : crossEntropy(out, b.labels));
  const model = new TextTaskModel<GlueBatch>(encoder, method, head, lossFn);
  const B = spec.train.batchSize, evalB = spec.train.evalBatchSize ?? Math.max(B, 64);

  return {
    model,
    metricDefs: GLUE_METRIC_DEFS[task],
    trainSize: train.n,
    stepsPerEpoch: Math.ceil(train.n / B),
    *trainBatches(_epoch, r) { for (const rows of shuffledBatches(train.n, B, r, train.lengths)) yield makeBatch(train, rows, regression); },
    disposeBatch,
    async evaluate(split) {
      const s = splits[split];
      const pred = new Float32Array(s.n);
      const ctx = { training: false, rng: rng.fork('eval') };
      for (const rows of sequentialBatches(s.n, evalB)) {
        const b = makeBatch(s, rows, regression);
        const out = model.predict(b, ctx);
        const v = (regression ? tf.reshape(out, [-1]) : tf.argMax(out, 1));
        const vals = await v.data();
        rows.forEach((r, i) => { pred[r] = vals[i]; });
        tf.dispose([out, v]); disposeBatch(b);
      }
      return computeGlueMetrics(task, pred, s.labels);
    },
    versions: {
      task: `${task}@${getTask(task).version}`,
      method: `${spec.method.id}@${getMethod(spec.method.id).version}`,
      data: GLUE_FAMILY.dataFingerprint(spec),
      checkpoint: checkpointHash(backboneDir),
    },
    dispose() { model.dispose(); },
  };
}
