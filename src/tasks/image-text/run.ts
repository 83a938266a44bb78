// An image-text retrieval run (VSE∞ style): data, the two towers with the method, heads, GPO, hinge triplet loss;
// evaluation = R@1/5/10 both ways + rsum. The two MSCOCO tasks are two evaluations of one training: itr-coco-1k
// reports the 5-fold 1K test as its metrics and the full 5K test under `5k_`-prefixed names (the registry reads
// itr-coco-5k from those); building itr-coco-5k directly trains the same way and reports the 5K test unprefixed.
import { tf } from '../../engine/tf.js';
import type { Rng } from '../../engine/rng.js';
import type { FamilyBuildArgs } from '../family.js';
import type { TaskRun, Split } from '../types.js';
import { loadTokenizer } from '../../data/tokenizer/index.js';
import { getTask, getMethod } from '../../registry/index.js';
import { loadVseBackbone } from './backbone.js';
import { applyVseMethod } from './methods.js';
import { VseModel, type ItrBatch } from './model.js';
import { loadItrData, itrDataFingerprint, ImageCache, tokenizeCaptions, augmentCaption, padRows, type ItrSplit, type CaptionIds } from './data/index.js';
import { retrievalMetrics, foldedRetrievalMetrics, prefixed, ITR_METRIC_DEFS } from './metrics.js';

/** Caption length limits: mini captions are short by construction; VSE∞ feeds whole captions (BERT max 512). */
const MINI_MAX_TOKENS = 40, REAL_MAX_TOKENS = 64;
/** VSE∞: the first epoch sums over all negatives, later epochs take the hardest (vse_mean_warmup_epochs 1). */
export const VSE_WARMUP_EPOCHS = 1;

/** Joint-space width: VSE∞'s 1024 for a BERT-base-sized text tower, the text width for smaller ones (mini: 64). */
export function embedSizeFor(textHidden: number): number { return textHidden >= 768 ? 1024 : textHidden; }

interface PreparedSplit { split: ItrSplit; cache: ImageCache; caps: CaptionIds }

export async function buildItrRun({ spec, backboneDir, rng }: FamilyBuildArgs): Promise<TaskRun<ItrBatch>> {
  const task = spec.task;
  const data = loadItrData(task, spec.data);
  const bb = loadVseBackbone(backboneDir, spec.seed);
  const tok = await loadTokenizer(bb.textDir);
  const maxLen = Math.min(bb.towers.text.maxLength, spec.data.source === 'mini' ? MINI_MAX_TOKENS : REAL_MAX_TOKENS);
  const S = bb.imageSize;
  let train = data.train;
  if (spec.train.maxTrainExamples && spec.train.maxTrainExamples < train.images.length) {
    const keep = rng.fork('subset').shuffle(Array.from({ length: train.images.length }, (_, i) => i)).slice(0, spec.train.maxTrainExamples).sort((a, b) => a - b);
    const at = new Map(keep.map((i, k) => [i, k]));
    const caps: string[] = [], link: number[] = [];
    train.captions.forEach((c, j) => { const k = at.get(train.captionImage[j]); if (k !== undefined) { caps.push(c); link.push(k); } });
    train = { images: keep.map((i) => train.images[i]), captions: caps, captionImage: Int32Array.from(link) };
  }
  ImageCache.checkBudget([train.images.length, data.validation.images.length, data.test.images.length], S);
  const prep = async (s: ItrSplit): Promise<PreparedSplit> => ({ split: s, cache: await ImageCache.build(s.images, S), caps: tokenizeCaptions(tok, s.captions, maxLen) });
  const splits = { train: await prep(train), validation: await prep(data.validation), test: await prep(data.test) };

  const embed = embedSizeFor(bb.towers.text.hiddenSize);
  const method = applyVseMethod(spec.method.id, spec.method.config, bb.towers, { embed, stageSizes: bb.stageSizes }, rng.fork('method'));
  const model = new VseModel(bb.towers, method, embed, rng.fork('heads'));
  const B = spec.train.batchSize, evalB = spec.train.evalBatchSize ?? Math.max(B, 64);
  const real = data.source === 'real';
  // mini: one random caption per image per epoch (speed); real: every caption once per epoch, as VSE∞
  const trainUnits = real ? train.captions.length : train.images.length;
  const stepsPerEpoch = Math.max(1, Math.floor(trainUnits / B));

  const captionTensors = (rows: Int32Array[], c: CaptionIds) => {
    const p = padRows(rows, c.pad);
    const n = rows.length;
    return { ids: tf.tensor2d(p.ids, [n, p.T], 'int32'), mask: tf.tensor2d(p.mask, [n, p.T]), typeIds: tf.zeros([n, p.T], 'int32'), lengths: p.lengths };
  };
  const makeBatch = (imageRows: number[], capRows: number[], epoch: number, r: Rng): ItrBatch => {
    const s = splits.train;
    const images = tf.tensor4d(s.cache.batch(imageRows, bb.normalization, real ? r : null), [imageRows.length, S, S, 3]);
    const caps = captionTensors(capRows.map((j) => augmentCaption(s.caps.ids[j], s.caps, r)), s.caps);
    return { size: imageRows.length, images, ...caps, maxViolation: epoch >= VSE_WARMUP_EPOCHS };
  };

  const embedAll = (name: Exclude<Split, 'train'>): { sims: Float32Array; nImages: number; captionImage: Int32Array } => {
    const s = splits[name];
    const ctx = { training: false, rng: rng.fork('eval') };
    const nI = s.split.images.length, nC = s.split.captions.length;
    const imgs: tf.Tensor[] = [], caps: tf.Tensor[] = [];
    for (let i = 0; i < nI; i += evalB) {
      const rows = Array.from({ length: Math.min(evalB, nI - i) }, (_, k) => i + k);
      const x = tf.tensor4d(s.cache.batch(rows, bb.normalization, null), [rows.length, S, S, 3]);
      imgs.push(model.imageEmbeddings(x, ctx)); x.dispose();
    }
    for (let j = 0; j < nC; j += evalB) {
      const rows = Array.from({ length: Math.min(evalB, nC - j) }, (_, k) => j + k);
      const t = captionTensors(rows.map((r) => s.caps.ids[r]), s.caps);
      caps.push(model.captionEmbeddings(t, ctx)); tf.dispose([t.ids, t.mask, t.typeIds]);
    }
    const sims = tf.tidy(() => tf.matMul(tf.concat(imgs, 0) as tf.Tensor2D, tf.transpose(tf.concat(caps, 0) as tf.Tensor2D)).dataSync() as Float32Array);
    tf.dispose([...imgs, ...caps]);
    return { sims, nImages: nI, captionImage: s.split.captionImage };
  };

  return {
    model,
    metricDefs: ITR_METRIC_DEFS,
    trainSize: trainUnits,
    stepsPerEpoch,
    *trainBatches(epoch, r) {
      const s = splits.train.split;
      let pairs: [number, number][];
      if (real) pairs = r.shuffle(Array.from({ length: s.captions.length }, (_, j) => [s.captionImage[j], j] as [number, number]));
      else {
        const capsOf: number[][] = Array.from({ length: s.images.length }, () => []);
        s.captionImage.forEach((i, j) => capsOf[i].push(j));
        pairs = r.shuffle(capsOf.map((cs, i) => [i, r.pick(cs)] as [number, number]));
      }
      for (let k = 0; k + B <= pairs.length || (k === 0 && pairs.length >= 2); k += B) {
        const chunk = pairs.slice(k, k + B);
        yield makeBatch(chunk.map((p) => p[0]), chunk.map((p) => p[1]), epoch, r);
      }
    },
    disposeBatch(b) { tf.dispose([b.images, b.ids, b.mask, b.typeIds]); },
    async evaluate(split) {
      const { sims, nImages, captionImage } = embedAll(split);
      if (split === 'test' && task === 'itr-coco-1k') {
        return { ...foldedRetrievalMetrics(sims, nImages, captionImage, 5), ...prefixed(retrievalMetrics(sims, nImages, captionImage), '5k_') };
      }
      return { ...retrievalMetrics(sims, nImages, captionImage) };
    },
    versions: {
      task: `${task}@${getTask(task).version}`,
      method: `${spec.method.id}@${getMethod(spec.method.id).version}`,
      data: itrDataFingerprint(task, spec.data),
      checkpoint: bb.hash,
    },
    dispose() { model.dispose(); },
  };
}
