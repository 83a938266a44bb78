// The video-text data every source produces: per split, the videos (ids, in order) and every caption with the index
// of its video. Frames come from a FrameSource: rendered procedural clips (mini) or folders of pre-extracted frames.

export interface VideoTextSplit {
  /** Video ids of the split, in order. */
  videos: string[];
  /** Every caption, with the index (into `videos`) of the video it describes. */
  captions: { text: string; video: number }[];
}

export interface VideoTextData {
  train: VideoTextSplit;
  validation: VideoTextSplit;
  test: VideoTextSplit;
  /** Where the frames come from. */
  frames: { kind: 'mini'; clips: Map<string, Float32Array[]>; size: number } | { kind: 'folder'; root: string };
  /** Files read (real data), for messages and fingerprints. */
  files: string[];
}

export const VIDEO_TEXT_TASK_IDS = ['vtr-msrvtt', 'vtr-msvd'] as const;
export type VideoTextTaskId = (typeof VIDEO_TEXT_TASK_IDS)[number];

export function checkSplit(s: VideoTextSplit, name: string, where: string): void {
  if (!s.videos.length) throw new Error(`${where}: the ${name} split has no videos`);
  const seen = new Set<number>();
  for (const c of s.captions) {
    if (!(c.video >= 0 && c.video < s.videos.length)) throw new Error(`${where}: a ${name} caption points to video ${c.video} of ${s.videos.length}`);
    seen.add(c.video);
  }
  if (seen.size !== s.videos.length) {
    const missing = s.videos.filter((_, i) => !seen.has(i));
    throw new Error(`${where}: ${missing.length} ${name} videos have no caption (e.g. ${missing.slice(0, 3).join(', ')})`);
  }
}
