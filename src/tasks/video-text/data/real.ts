// Real video-text data in CLIP4Clip's formats (reference §1; CLIP4Clip README's msrvtt_data.zip / msvd_data.zip):
// MSR-VTT  MSRVTT_train.9k.csv (column video_id: the 9k training videos), MSRVTT_JSFUSION_test.csv (columns key,
//          vid_key, video_id, sentence: the 1k-A test, one sentence per video) and MSRVTT_data.json ("sentences":
//          [{video_id, caption, ...}], every caption of every video). Training uses every caption of every training
//          video (CLIP4Clip --expand_msrvtt_sentences); validation is the 1k-A test, as CLIP4Clip selects epochs on it.
// MSVD     train_list.txt / val_list.txt / test_list.txt (one video id per line) and raw-captions.pkl (a pickled dict:
//          video id -> list of captions, each a list of word tokens). An equivalent raw-captions.json (the same dict,
//          captions as token lists or strings) is read instead when present, for users who export the pickle.
//          Every caption trains; validation and test are multi-sentence (all captions of each video).
// Frames: frames/<video_id>/ holds the pre-extracted frames of each video (any of .jpg .png ...; sorted by name).
// The path given may be the dataset folder itself or a root holding msrvtt/ or msvd/.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../../util/errors.js';
import { parseCsv, column } from './csv.js';
import { readPickle, type PickleValue } from './pickle.js';
import type { VideoTextData, VideoTextSplit, VideoTextTaskId } from './types.js';

const MSRVTT_FILES = ['MSRVTT_train.9k.csv', 'MSRVTT_JSFUSION_test.csv', 'MSRVTT_data.json'];
const MSVD_LISTS = ['train_list.txt', 'val_list.txt', 'test_list.txt'];

function isDir(p: string): boolean { return existsSync(p) && statSync(p).isDirectory(); }

/** The dataset folder: `path` itself when it holds the marker file, else `path/<sub>`. */
export function resolveVideoTextFolder(task: VideoTextTaskId, path: string): string {
  const marker = task === 'vtr-msrvtt' ? MSRVTT_FILES[0] : MSVD_LISTS[0];
  const sub = task === 'vtr-msrvtt' ? 'msrvtt' : 'msvd';
  if (!isDir(path)) throw new InputError(`data folder ${path} does not exist`);
  if (existsSync(join(path, marker))) return path;
  if (existsSync(join(path, sub, marker))) return join(path, sub);
  throw new InputError(`${path} is not a ${task === 'vtr-msrvtt' ? 'MSR-VTT' : 'MSVD'} folder: no ${marker} in it or in ${join(path, sub)} (expected ${task === 'vtr-msrvtt' ? MSRVTT_FILES.join(', ') : [...MSVD_LISTS, 'raw-captions.pkl'].join(', ')} and frames/<video_id>/)`);
}

function readText(p: string, what: string): string {
  if (!existsSync(p)) throw new InputError(`missing ${p} (${what})`);
  return readFileSync(p, 'utf8');
}

/** Groups captions by video in first-seen order. */
function splitOf(videos: string[], captions: [string, string][]): VideoTextSplit {
  const index = new Map(videos.map((v, i) => [v, i]));
  return { videos, captions: captions.map(([v, text]) => ({ text, video: index.get(v)! })) };
}

function checkFrames(root: string, videos: Iterable<string>): void {
  const missing: string[] = [];
  for (const v of videos) if (!isDir(join(root, v))) missing.push(v);
  if (missing.length) {
    throw new InputError(`${missing.length} videos have no frame folder under ${root} (e.g. ${missing.slice(0, 3).map((v) => join(root, v)).join(', ')}); extract their frames first (README: ffmpeg -i <video> -vf fps=1 ... ${join(root, '<video_id>')}/%05d.jpg)`);
  }
}

export function loadMsrvtt(dir: string): VideoTextData {
  const [trainCsv, testCsv, dataJson] = MSRVTT_FILES.map((f) => join(dir, f));
  const tr = parseCsv(readText(trainCsv, 'the 9k training video list'), trainCsv);
  const vcol = column(tr, 'video_id', trainCsv);
  const trainVideos: string[] = [];
  const seenTrain = new Set<string>();
  for (const r of tr.rows) {
    const v = r.cells[vcol].trim();
    if (!v) throw new InputError(`${trainCsv}, line ${r.line}: empty video_id`);
    if (seenTrain.has(v)) throw new InputError(`${trainCsv}, line ${r.line}: video "${v}" is listed twice`);
    seenTrain.add(v); trainVideos.push(v);
  }
  let raw: unknown;
  try { raw = JSON.parse(readText(dataJson, 'every caption of every video')); } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`${dataJson} is not valid JSON: ${(e as Error).message}`);
  }
  const sentences = (raw as { sentences?: unknown })?.sentences;
  if (!Array.isArray(sentences)) throw new InputError(`${dataJson}: no "sentences" list (expected {"videos": [...], "sentences": [{"video_id", "caption", ...}]})`);
  const trainCaps: [string, string][] = [];
  sentences.forEach((s, i) => {
    const o = s as { video_id?: unknown; caption?: unknown };
    if (typeof o?.video_id !== 'string' || typeof o?.caption !== 'string') {
      throw new InputError(`${dataJson}: sentences[${i}] needs string "video_id" and "caption", got ${JSON.stringify(s).slice(0, 120)}`);
    }
    if (seenTrain.has(o.video_id)) trainCaps.push([o.video_id, o.caption.trim()]);
  });
  const withCaption = new Set(trainCaps.map(([v]) => v));
  const orphan = trainVideos.filter((v) => !withCaption.has(v));
  if (orphan.length) throw new InputError(`${dataJson}: ${orphan.length} training videos of ${trainCsv} have no sentence (e.g. ${orphan.slice(0, 3).join(', ')})`);
  const te = parseCsv(readText(testCsv, 'the 1k-A test pairs'), testCsv);
  const tv = column(te, 'video_id', testCsv), ts = column(te, 'sentence', testCsv);
  const testVideos: string[] = [];
  const testSeen = new Set<string>();
  const testCaps: [string, string][] = [];
  for (const r of te.rows) {
    const v = r.cells[tv].trim(), s = r.cells[ts].trim();
    if (!v) throw new InputError(`${testCsv}, line ${r.line}: empty video_id`);
    if (!s) throw new InputError(`${testCsv}, line ${r.line}: empty sentence for video "${v}"`);
    if (!testSeen.has(v)) { testSeen.add(v); testVideos.push(v); }
    testCaps.push([v, s]);
  }
  const frames = join(dir, 'frames');
  checkFrames(frames, [...trainVideos, ...testVideos]);
  const test = splitOf(testVideos, testCaps);
  return { train: splitOf(trainVideos, trainCaps), validation: test, test, frames: { kind: 'folder', root: frames }, files: [trainCsv, testCsv, dataJson] };
}

function readList(p: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  readText(p, 'a video id per line').split(/\r?\n/).forEach((l, i) => {
    const v = l.trim();
    if (!v) return;
    if (/\s/.test(v)) throw new InputError(`${p}, line ${i + 1}: "${v}" is not a single video id`);
    if (seen.has(v)) throw new InputError(`${p}, line ${i + 1}: video "${v}" is listed twice`);
    seen.add(v); out.push(v);
  });
  if (!out.length) throw new InputError(`${p} lists no videos`);
  return out;
}

/** raw-captions: video id -> caption strings (token lists joined by spaces). */
function captionsFrom(value: unknown, file: string): Map<string, string[]> {
  const entries: [unknown, unknown][] = value instanceof Map ? [...value.entries()]
    : value && typeof value === 'object' && !Array.isArray(value) ? Object.entries(value as object) : [];
  if (!entries.length) throw new InputError(`${file}: expected a non-empty dict of video id -> list of captions`);
  const out = new Map<string, string[]>();
  for (const [k, v] of entries) {
    if (typeof k !== 'string') throw new InputError(`${file}: a key is ${JSON.stringify(String(k))}, not a video id string`);
    if (!Array.isArray(v) || !v.length) throw new InputError(`${file}: entry "${k}" must be a non-empty list of captions`);
    out.set(k, v.map((c: unknown, j: number) => {
      if (typeof c === 'string') return c.trim();
      if (Array.isArray(c) && c.every((t) => typeof t === 'string')) return (c as string[]).join(' ').trim();
      throw new InputError(`${file}: entry "${k}", caption ${j} is ${JSON.stringify(c).slice(0, 80)}; expected a list of word tokens or a string`);
    }));
    const empty = out.get(k)!.findIndex((c) => !c);
    if (empty >= 0) throw new InputError(`${file}: entry "${k}", caption ${empty} is empty`);
  }
  return out;
}

export function loadMsvd(dir: string): VideoTextData {
  const lists = MSVD_LISTS.map((f) => join(dir, f));
  const [train, val, test] = lists.map(readList);
  const json = join(dir, 'raw-captions.json'), pkl = join(dir, 'raw-captions.pkl');
  let caps: Map<string, string[]>, capFile: string;
  if (existsSync(json)) {
    capFile = json;
    let raw: unknown;
    try { raw = JSON.parse(readFileSync(json, 'utf8')); } catch (e) { throw new InputError(`${json} is not valid JSON: ${(e as Error).message}`); }
    caps = captionsFrom(raw, json);
  } else {
    if (!existsSync(pkl)) throw new InputError(`missing ${pkl} (the captions: a pickled dict of video id -> token lists) and no raw-captions.json instead`);
    capFile = pkl;
    caps = captionsFrom(readPickle(readFileSync(pkl), pkl) as PickleValue, pkl);
  }
  const split = (videos: string[], listFile: string): VideoTextSplit => {
    const missing = videos.filter((v) => !caps.has(v));
    if (missing.length) throw new InputError(`${capFile}: ${missing.length} videos of ${listFile} have no captions (e.g. ${missing.slice(0, 3).join(', ')})`);
    return { videos, captions: videos.flatMap((v, i) => caps.get(v)!.map((text) => ({ text, video: i }))) };
  };
  const splits = { train: split(train, lists[0]), validation: split(val, lists[1]), test: split(test, lists[2]) };
  const frames = join(dir, 'frames');
  checkFrames(frames, [...train, ...val, ...test]);
  return { ...splits, frames: { kind: 'folder', root: frames }, files: [...lists, capFile] };
}
