// A grounding run: load MDETR and its tokenizer, the data (mini or real), put the method on the model, and evaluate
// Precision@1/5/10 (MDETR's RefExpEvaluator) on the evaluation splits. Validation reports val; the final test
// evaluation reports every evaluation split (val included, so reports can show the headline p1_val next to the
// test splits).
import { Rng } from '../../engine/rng.js';
import type { FamilyBuildArgs } from '../family.js';
import type { TaskRun } from '../types.js';
import { loadTokenizer } from '../../data/tokenizer/index.js';
import { loadMdetr } from '../../backbones/mdetr/checkpoint.js';
import { checkpointHash } from '../../backbones/hf/config.js';
import { getTask, getMethod } from '../../registry/index.js';
import { cxcywhToXyxy, type Box } from './boxes.js';
import { precisionAtK, refexpMetricDefs, REFEXP_KS, type RefexpPrediction } from './metrics.js';
import { makeBatch, disposeBatch, shuffledRows, sequentialRows, type BatchContext, type FeatureCache, type GroundingBatch } from './batches.js';
import { computeFeatureCache } from './features.js';
import { applyGroundingMethod } from './methods.js';
import { GroundingTaskModel } from './model.js';
import { loadGroundingData, refexpDataset, groundingFingerprint, type GroundingSplit } from './data/index.js';

const HINT = 'run `unipt pretrain mdetr-mini`, or pass a folder with config.json (model_type "mdetr"), model.safetensors and tokenizer.json';

/** Predictions of a split as Precision@k inputs (boxes scaled to the original image, corners). */
export function splitPredictions(model: GroundingTaskModel, split: GroundingSplit, c: BatchContext, cache: FeatureCache | null, batchSize: number, seed: number): RefexpPrediction[] {
  const out: RefexpPrediction[] = new Array(split.items.length);
  const ctx = { training: false, rng: new Rng(seed) };
  for (const rows of sequentialRows(split.items.length, batchSize)) {
    const b = makeBatch(split, rows, c, cache);
    const p = model.predict(b, ctx);
    const Q = p.numQueries;
    rows.forEach((r, i) => {
      const it = split.items[r];
      const boxes: Box[] = [];
      for (let q = 0; q < Q; q++) {
        const o = (i * Q + q) * 4;
        const [x0, y0, x1, y1] = cxcywhToXyxy([p.boxes[o], p.boxes[o + 1], p.boxes[o + 2], p.boxes[o + 3]]);
        boxes.push([x0 * it.width, y0 * it.height, x1 * it.width, y1 * it.height]);
      }
      out[r] = { scores: p.scores.subarray(i * Q, (i + 1) * Q), boxes };
    });
    disposeBatch(b);
  }
  return out;
}

export async function buildGroundingRun({ spec, backboneDir, rng }: FamilyBuildArgs): Promise<TaskRun<GroundingBatch>> {
  const ds = refexpDataset(spec.task);
  const tok = await loadTokenizer(backboneDir);
  const { model } = loadMdetr(backboneDir, { seed: spec.seed, hint: HINT });
  try {
    const cfg = model.config;
    const pick = (n: number) => (spec.train.maxTrainExamples && spec.train.maxTrainExamples < n
      ? rng.fork('subset').shuffle(Array.from({ length: n }, (_, i) => i)).slice(0, spec.train.maxTrainExamples).sort((a, b) => a - b) : null);
    const data = await loadGroundingData(spec.task, spec.data, cfg.image_size, pick);
    const c: BatchContext = { tok, maxLength: Math.min(cfg.num_classes + 1, model.textEncoder.maxLength), numClasses: cfg.num_classes };
    // mini: CNN features once per image (see features.ts); real: the CNN runs in each step's frozen phase
    const useCache = spec.data.source === 'mini';
    const caches = new Map<string, FeatureCache | null>();
    for (const s of [data.train, ...data.evals]) caches.set(s.name, useCache ? computeFeatureCache(model, s.images) : null);
    const runtime = applyGroundingMethod(spec.method.id, spec.method.config, model, rng.fork('method'));
    const taskModel = new GroundingTaskModel(model, runtime);
    const B = spec.train.batchSize, evalB = spec.train.evalBatchSize ?? Math.max(B, 64);
    const evalSeed = rng.fork('eval').seedInt();
    const metricsOf = (s: GroundingSplit): Record<string, number> => {
      const preds = splitPredictions(taskModel, s, c, caches.get(s.name)!, evalB, evalSeed);
      const p = precisionAtK(preds, s.items.map((it) => it.evalBox), REFEXP_KS);
      return Object.fromEntries(REFEXP_KS.map((k) => [`p${k}_${s.name}`, p[k]]));
    };
    const train = data.train;
    return {
      model: taskModel,
      metricDefs: refexpMetricDefs(ds.evalSplits.filter((s) => s !== 'val')),
      trainSize: train.items.length,
      stepsPerEpoch: Math.ceil(train.items.length / B),
      *trainBatches(_epoch, r) { for (const rows of shuffledRows(train.items.length, B, r)) yield makeBatch(train, rows, c, caches.get('train')!); },
      disposeBatch,
      async evaluate(split) {
        const splits = split === 'validation' ? data.evals.filter((s) => s.name === 'val') : data.evals;
        return Object.assign({}, ...splits.map(metricsOf));
      },
      versions: {
        task: `${spec.task}@${getTask(spec.task).version}`,
        method: `${spec.method.id}@${getMethod(spec.method.id).version}`,
        data: groundingFingerprint(spec.task, spec.data),
        checkpoint: checkpointHash(backboneDir),
      },
      dispose() { taskModel.dispose(); },
    };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
