// Retrieval metrics of CLIP4Clip (metrics.py, main_task_retrieval.py eval_epoch L452-465), from a caption x video
// similarity matrix and the video of each caption:
//   text-to-video: each caption ranks every video; rank of its own video.
//   video-to-text: each video ranks every video's caption group, a group scoring the best of its captions
//     (tensor_video_to_text_sim: max over a video's captions); rank of its own group. With one caption per video
//     (MSR-VTT 1k-A) this is compute_metrics(sim.T) exactly.
// R@K = % of queries whose rank <= K; MdR = median rank; MnR = mean rank (ranks start at 1).
// Median: CLIP4Clip's multi-sentence text-to-video path (tensor_text_to_video_metrics) uses torch.median, which
// returns the LOWER of the two middle values for an even count; every other path uses np.median (their mean). Both
// are reproduced. Ties: a rank counts the items scoring strictly higher (CLIP4Clip's float sort leaves exact ties
// to the sort order, which continuous similarities never produce).

export interface RankStats { r1: number; r5: number; r10: number; mdr: number; mnr: number }

export function medianOf(values: readonly number[], kind: 'mean-of-middles' | 'lower'): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const n = s.length, mid = Math.floor(n / 2);
  if (n % 2 === 1) return s[mid];
  return kind === 'lower' ? s[mid - 1] : (s[mid - 1] + s[mid]) / 2;
}

/** R@1/5/10 (%), median and mean rank of 1-based ranks. */
export function rankStats(ranks: readonly number[], median: 'mean-of-middles' | 'lower' = 'mean-of-middles'): RankStats {
  const n = ranks.length;
  if (!n) throw new Error('rankStats: no ranks');
  const at = (k: number) => (100 * ranks.filter((r) => r <= k).length) / n;
  return { r1: at(1), r5: at(5), r10: at(10), mdr: medianOf(ranks, median), mnr: ranks.reduce((a, b) => a + b, 0) / n };
}

/** 1-based rank of column `target` in a row: 1 + the number of entries strictly greater. */
function rankInRow(row: ArrayLike<number>, offset: number, width: number, target: number): number {
  const v = row[offset + target];
  let r = 1;
  for (let j = 0; j < width; j++) if (row[offset + j] > v) r++;
  return r;
}

export interface RetrievalRanks { t2v: number[]; v2t: number[] }

/**
 * sim: row-major [nCaptions, nVideos]; captionVideo[i] = the video of caption i (every video needs >= 1 caption).
 */
export function retrievalRanks(sim: ArrayLike<number>, nCaptions: number, nVideos: number, captionVideo: readonly number[]): RetrievalRanks {
  if (sim.length !== nCaptions * nVideos) throw new Error(`retrievalRanks: ${sim.length} similarities for ${nCaptions} captions x ${nVideos} videos`);
  if (captionVideo.length !== nCaptions) throw new Error(`retrievalRanks: ${captionVideo.length} caption->video links for ${nCaptions} captions`);
  const t2v = captionVideo.map((v, i) => {
    if (!(v >= 0 && v < nVideos)) throw new Error(`retrievalRanks: caption ${i} points to video ${v}, outside 0..${nVideos - 1}`);
    return rankInRow(sim, i * nVideos, nVideos, v);
  });
  // group[v * nVideos + w] = best similarity of a caption of video w to video v
  const group = new Float64Array(nVideos * nVideos).fill(-Infinity);
  for (let i = 0; i < nCaptions; i++) {
    const w = captionVideo[i];
    for (let v = 0; v < nVideos; v++) {
      const s = sim[i * nVideos + v];
      if (s > group[v * nVideos + w]) group[v * nVideos + w] = s;
    }
  }
  const v2t: number[] = [];
  for (let v = 0; v < nVideos; v++) {
    if (group[v * nVideos + v] === -Infinity) throw new Error(`retrievalRanks: video ${v} has no caption`);
    v2t.push(rankInRow(group, v * nVideos, nVideos, v));
  }
  return { t2v, v2t };
}

/** The registry's vtr metrics (t2v_r1 ... v2t_mnr) from a similarity matrix. */
export function retrievalMetrics(sim: ArrayLike<number>, nCaptions: number, nVideos: number, captionVideo: readonly number[]): Record<string, number> {
  const multiSentence = nCaptions !== nVideos || captionVideo.some((v, i) => v !== i);
  const { t2v, v2t } = retrievalRanks(sim, nCaptions, nVideos, captionVideo);
  const a = rankStats(t2v, multiSentence ? 'lower' : 'mean-of-middles');
  const b = rankStats(v2t, 'mean-of-middles');
  return {
    t2v_r1: a.r1, t2v_r5: a.r5, t2v_r10: a.r10, t2v_mdr: a.mdr, t2v_mnr: a.mnr,
    v2t_r1: b.r1, v2t_r5: b.r5, v2t_r10: b.r10, v2t_mdr: b.mdr, v2t_mnr: b.mnr,
  };
}
