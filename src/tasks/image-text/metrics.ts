// Retrieval metrics as VSE∞'s evaluation computes them (lib/evaluation.py i2t / t2i): similarity of every image
// with every caption; image-to-text rank = the best rank among the image's captions; text-to-image rank = the rank of
// the caption's image; R@K = percentage of queries with rank < K; rsum = the six recalls added. MSCOCO 1K = the
// metrics of each of 5 folds (1,000 images and their captions) averaged; 5K = all 5,000 images at once.
// Ties are broken by index (the earlier item ranks first), so results never depend on a sort's stability.
import type { MetricDef } from '../../train/spec.js';

export const ITR_METRIC_NAMES = ['rsum', 'i2t_r1', 'i2t_r5', 'i2t_r10', 't2i_r1', 't2i_r5', 't2i_r10'] as const;
export type ItrMetrics = Record<(typeof ITR_METRIC_NAMES)[number], number>;

/** Metric definitions (must match the registry's ITR_METRICS, headline rsum first). */
export const ITR_METRIC_DEFS: MetricDef[] = ITR_METRIC_NAMES.map((name) => ({ name, direction: 'max' }));

const KS = [1, 5, 10] as const;

/**
 * sims: row-major [nImages, nCaptions]; captionImage[j] = index of caption j's image. Returns R@1/5/10 in both
 * directions (percent) and rsum.
 */
export function retrievalMetrics(sims: Float32Array, nImages: number, captionImage: ArrayLike<number>): ItrMetrics {
  const nCaps = captionImage.length;
  if (sims.length !== nImages * nCaps) throw new Error(`retrievalMetrics: ${sims.length} similarities for ${nImages} images x ${nCaps} captions`);
  const capsOf: number[][] = Array.from({ length: nImages }, () => []);
  for (let j = 0; j < nCaps; j++) {
    const im = captionImage[j];
    if (!(im >= 0 && im < nImages)) throw new Error(`retrievalMetrics: caption ${j} points to image ${im}, outside 0..${nImages - 1}`);
    capsOf[im].push(j);
  }
  const i2t = new Int32Array(nImages);
  for (let i = 0; i < nImages; i++) {
    const row = i * nCaps;
    let best = Infinity;
    for (const j of capsOf[i]) {
      const s = sims[row + j];
      let rank = 0;
      for (let k = 0; k < nCaps; k++) { const v = sims[row + k]; if (v > s || (v === s && k < j)) rank++; }
      best = Math.min(best, rank);
    }
    i2t[i] = best;
  }
  const t2i = new Int32Array(nCaps);
  for (let j = 0; j < nCaps; j++) {
    const i = captionImage[j], s = sims[i * nCaps + j];
    let rank = 0;
    for (let k = 0; k < nImages; k++) { const v = sims[k * nCaps + j]; if (v > s || (v === s && k < i)) rank++; }
    t2i[j] = rank;
  }
  const recall = (ranks: Int32Array, K: number) => (100 * ranks.filter((r) => r < K).length) / ranks.length;
  const m = {
    i2t_r1: recall(i2t, KS[0]), i2t_r5: recall(i2t, KS[1]), i2t_r10: recall(i2t, KS[2]),
    t2i_r1: recall(t2i, KS[0]), t2i_r5: recall(t2i, KS[1]), t2i_r10: recall(t2i, KS[2]),
  };
  return { rsum: m.i2t_r1 + m.i2t_r5 + m.i2t_r10 + m.t2i_r1 + m.t2i_r5 + m.t2i_r10, ...m };
}

/**
 * Metrics averaged over `folds` equal folds of images (and the captions of those images), as VSE∞'s evalrank with
 * fold5=True. Images must be a multiple of `folds`; captions are those whose image falls in the fold.
 */
export function foldedRetrievalMetrics(sims: Float32Array, nImages: number, captionImage: ArrayLike<number>, folds = 5): ItrMetrics {
  if (nImages % folds) throw new Error(`foldedRetrievalMetrics: ${nImages} images cannot be split into ${folds} equal folds`);
  const per = nImages / folds, nCaps = captionImage.length;
  const acc: ItrMetrics = { rsum: 0, i2t_r1: 0, i2t_r5: 0, i2t_r10: 0, t2i_r1: 0, t2i_r5: 0, t2i_r10: 0 };
  for (let f = 0; f < folds; f++) {
    const caps: number[] = [];
    for (let j = 0; j < nCaps; j++) if (Math.floor(captionImage[j] / per) === f) caps.push(j);
    const sub = new Float32Array(per * caps.length);
    for (let i = 0; i < per; i++) caps.forEach((j, c) => { sub[i * caps.length + c] = sims[(f * per + i) * nCaps + j]; });
    const m = retrievalMetrics(sub, per, caps.map((j) => captionImage[j] - f * per));
    for (const k of ITR_METRIC_NAMES) acc[k] += m[k] / folds;
  }
  return acc;
}

/** Prefixes every metric name (MSCOCO 5K metrics of the 1K training run: `5k_rsum`, ...). */
export function prefixed(m: ItrMetrics, prefix: string): Record<string, number> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [prefix + k, v]));
}
