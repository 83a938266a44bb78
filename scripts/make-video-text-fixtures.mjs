// Writes the small video-text fixtures under datasets/fixtures/video-text/ (commit-ready, deterministic):
//   msrvtt/      CLIP4Clip's MSR-VTT layout: MSRVTT_train.9k.csv, MSRVTT_JSFUSION_test.csv, MSRVTT_data.json and
//                frames/<video_id>/<00001..>.jpg (tiny JPEGs of procedural clips; one video has only 2 frames)
//   msvd/        CLIP4Clip's MSVD layout: train_list.txt, val_list.txt, test_list.txt, raw-captions.pkl (written by
//                Python's own pickle, protocol 4, a dict of video id -> list of token lists) and frames/
//   msvd-json/   the same MSVD data with raw-captions.json instead of the pickle (the accepted export) and
//                raw-captions-py2.pkl (protocol 2, Python-2 style byte strings) kept for the pickle reader's test
//   malformed/<case>/ broken copies for the loaders' error tests
// Frames are drawn with the project's scene renderer (build first: npx tsc) and written with sharp; captions are
// generated for these fixtures (no dataset text is copied). Usage: node scripts/make-video-text-fixtures.mjs
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', 'datasets', 'fixtures', 'video-text');
const dist = join(here, '..', 'dist', 'src');
const { Rng } = await import(join(dist, 'engine', 'rng.js'));
const { sampleClip, renderClip, clipCaptions } = await import(join(dist, 'data', 'scenes', 'index.js'));
const PY = process.env.UNIPT_PYTHON ?? '/usr/bin/python3';

rmSync(root, { recursive: true, force: true });
const rng = new Rng(424242);
const W = 20, H = 16;   // not square, so the loader's centre crop is exercised

/** Renders a clip of `n` frames and writes them as JPEGs into dir/frames/<id>/. Returns its captions. */
async function writeVideo(dir, id, n, captions) {
  const clip = sampleClip(rng, { frames: Math.max(2, n), minObjects: 1, maxObjects: 2 });
  const frames = renderClip(clip, W);   // W x W, cropped to W x H below
  mkdirSync(join(dir, 'frames', id), { recursive: true });
  for (let f = 0; f < n; f++) {
    const px = frames[f];
    const raw = Buffer.alloc(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) raw[(y * W + x) * 3 + c] = Math.round(255 * px[((y + 2) * W + x) * 3 + c]);
    await sharp(raw, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 90 }).toFile(join(dir, 'frames', id, `${String(f + 1).padStart(5, '0')}.jpg`));
  }
  return clipCaptions(clip, rng, captions);
}

function write(dir, name, text) { mkdirSync(dir, { recursive: true }); writeFileSync(join(dir, name), text); }
function py(code, input) {
  const r = spawnSync(PY, ['-c', code], { input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
}
const pickleTo = (path, obj, protocol) => py(`import json, pickle, sys\nd = json.load(sys.stdin)\npickle.dump(d, open(${JSON.stringify(path)}, 'wb'), protocol=${protocol})`, JSON.stringify(obj));

// ---- MSR-VTT ---------------------------------------------------------------------------------------------
const msr = join(root, 'msrvtt');
const train = ['video0', 'video1', 'video2', 'video3', 'video4'];
const test = ['video7010', 'video7011', 'video7012'];
const sentences = [];
let sen = 0;
for (const [i, v] of train.entries()) for (const c of await writeVideo(msr, v, i === 2 ? 2 : 4, 3)) sentences.push({ caption: c.replace(/ \.$/, ''), video_id: v, sen_id: sen++ });
const testRows = [];
for (const [i, v] of test.entries()) {
  const caps = await writeVideo(msr, v, 5, 2);
  caps.forEach((c) => sentences.push({ caption: c.replace(/ \.$/, ''), video_id: v, sen_id: sen++ }));
  testRows.push([String(i), `ret${i}`, `msr${v.slice(5)}`, v, caps[0].replace(/ \.$/, '')]);
}
write(msr, 'MSRVTT_train.9k.csv', `video_id\n${train.join('\n')}\n`);
// pandas' to_csv: an unnamed index column; one sentence with a comma is quoted
testRows[1][4] = `${testRows[1][4]}, then nothing else`;
const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
write(msr, 'MSRVTT_JSFUSION_test.csv', `,key,vid_key,video_id,sentence\n${testRows.map((r) => r.map(q).join(',')).join('\n')}\n`);
const videos = [...train, ...test].map((v, i) => ({ category: i % 20, url: `https://www.youtube.com/watch?v=fixture${i}`, video_id: v, 'start time': 1.5, 'end time': 9.5, split: i < train.length ? 'train' : 'test', id: i }));
write(msr, 'MSRVTT_data.json', JSON.stringify({ info: { contributor: 'unipt fixtures', year: 2024 }, videos, sentences }));

// ---- MSVD ------------------------------------------------------------------------------------------------
const msvd = join(root, 'msvd');
const lists = { train: ['-4wsuPCjDBc_5_15', 'aBc_12_20', 'xyz-1_0_7'], val: ['val_clip_3_9'], test: ['t1_0_5', 't2_3_8'] };
const caps = {};
for (const ids of Object.values(lists)) for (const v of ids) caps[v] = (await writeVideo(msvd, v, 3, 3)).map((c) => c.replace(/ \.$/, '').split(' '));
write(msvd, 'train_list.txt', `${lists.train.join('\n')}\n`);
write(msvd, 'val_list.txt', `${lists.val.join('\n')}\n`);
write(msvd, 'test_list.txt', `${lists.test.join('\n')}\n`);
pickleTo(join(msvd, 'raw-captions.pkl'), caps, 4);

const msvdJson = join(root, 'msvd-json');
cpSync(msvd, msvdJson, { recursive: true });
rmSync(join(msvdJson, 'raw-captions.pkl'));
write(msvdJson, 'raw-captions.json', JSON.stringify(caps));
// Python 2's cPickle (protocol 2) wrote str keys and tokens as byte strings (SHORT_BINSTRING / BINSTRING); Python 3
// cannot produce those opcodes for bytes, so they are laid out here as cPickle does and checked by Python 3's loads.
function py2Pickle(obj) {
  const out = [0x80, 2];
  let memo = 0;
  const put = () => { out.push(0x71, memo++ & 0xff); };
  const str = (s) => {
    const b = Buffer.from(s, 'utf8');
    if (b.length < 256) out.push(0x55, b.length, ...b); else { out.push(0x54, ...[0, 8, 16, 24].map((k) => (b.length >> k) & 0xff), ...b); }
    put();
  };
  const val = (v) => {
    if (typeof v === 'string') return str(v);
    if (Array.isArray(v)) { out.push(0x5d); put(); if (v.length) { out.push(0x28); v.forEach(val); out.push(0x65); } return; }
    out.push(0x7d); put(); out.push(0x28);
    for (const [k, x] of Object.entries(v)) { str(k); val(x); }
    out.push(0x75);
  };
  val(obj);
  out.push(0x2e);
  return Buffer.from(out);
}
const py2Path = join(msvdJson, 'raw-captions-py2.pkl');
writeFileSync(py2Path, py2Pickle(caps));
py(`import json, pickle, sys\nd = json.load(sys.stdin)\nb = pickle.load(open(${JSON.stringify(py2Path)}, 'rb'), encoding='bytes')\nassert b == {k.encode(): [[t.encode() for t in c] for c in v] for k, v in d.items()}, 'py2 pickle mismatch'`, JSON.stringify(caps));

// ---- malformed -------------------------------------------------------------------------------------------
const bad = join(root, 'malformed');
// frames are copied only where the error concerns them (every other error is raised before frames are looked at)
const copy = (src, name, frames = false) => {
  const d = join(bad, name);
  cpSync(src, d, { recursive: true, filter: (p) => frames || !p.includes(`${join(src, 'frames')}`) });
  return d;
};
{ // a test row with a missing field
  const d = copy(msr, 'msrvtt-short-row');
  write(d, 'MSRVTT_JSFUSION_test.csv', `,key,vid_key,video_id,sentence\n0,ret0,msr7010,video7010,a caption\n1,ret1,msr7011,video7011\n`);
}
{ // a training video without any sentence in MSRVTT_data.json
  const d = copy(msr, 'msrvtt-no-sentence');
  write(d, 'MSRVTT_data.json', JSON.stringify({ videos, sentences: sentences.filter((s) => s.video_id !== 'video3') }));
}
{ // a sentence entry without a caption
  const d = copy(msr, 'msrvtt-bad-sentence');
  write(d, 'MSRVTT_data.json', JSON.stringify({ videos, sentences: [...sentences.slice(0, 4), { video_id: 'video1', sen_id: 99 }, ...sentences.slice(4)] }));
}
{ // a listed video with no frame folder
  const d = copy(msr, 'msrvtt-missing-frames', true);
  rmSync(join(d, 'frames', 'video7012'), { recursive: true });
}
{ // the pickle holds an object, not plain data (opcode GLOBAL/REDUCE)
  const d = copy(msvd, 'msvd-object-pickle');
  py(`import pickle, collections\nd = collections.OrderedDict([('t1_0_5', [['a', 'b']])])\npickle.dump(d, open(${JSON.stringify(join(d, 'raw-captions.pkl'))}, 'wb'), protocol=2)`, '');
}
{ // a test video with no captions
  const d = copy(msvd, 'msvd-missing-caption');
  const c = { ...caps }; delete c.t2_3_8;
  pickleTo(join(d, 'raw-captions.pkl'), c, 4);
}
{ // a caption that is a number, in the JSON export
  const d = copy(msvdJson, 'msvd-json-bad-caption');
  write(d, 'raw-captions.json', JSON.stringify({ ...caps, aBc_12_20: [['a', 'red', 'star'], 7] }));
}
{ // a truncated pickle
  const d = copy(msvd, 'msvd-truncated-pickle');
  py(`p = ${JSON.stringify(join(d, 'raw-captions.pkl'))}\nb = open(p, 'rb').read()\nopen(p, 'wb').write(b[: len(b) // 2])`, '');
}
console.log(`video-text fixtures written under ${root}`);
