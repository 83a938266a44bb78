// Video-text data: the MSR-VTT and MSVD loaders on fixture files in CLIP4Clip's formats (and their errors on
// malformed copies), the pickle reader against Python's own pickles, frame decoding, and the mini generator.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import {
  loadMsrvtt, loadMsvd, loadVideoText, resolveVideoTextFolder, readPickle, parseCsv, folderFrameStore, generateMiniVideoText,
  miniFingerprint, videoTextFingerprint, MINI_SIZES,
} from '../../src/tasks/video-text/data/index.js';

const FIX = fileURLToPath(new URL('../../../datasets/fixtures/video-text/', import.meta.url));
const BAD = join(FIX, 'malformed');
const PYTHON = process.env.UNIPT_TORCH_PYTHON ?? '/usr/bin/python3';
const noPython = existsSync(PYTHON) ? false : `${PYTHON} not found`;

before(async () => { await initBackend('wasm'); });

test('MSR-VTT: 9k-style train list with every caption of each video, 1k-A test pairs (validation = test)', () => {
  const d = loadMsrvtt(join(FIX, 'msrvtt'));
  assert.deepEqual(d.train.videos, ['video0', 'video1', 'video2', 'video3', 'video4']);
  assert.equal(d.train.captions.length, 15);   // 3 captions per training video, all kept (expand sentences)
  const json = JSON.parse(readFileSync(join(FIX, 'msrvtt', 'MSRVTT_data.json'), 'utf8'));
  const first = json.sentences.find((s: { video_id: string }) => s.video_id === 'video1');
  assert.ok(d.train.captions.some((c) => c.video === 1 && c.text === first.caption));
  assert.deepEqual(d.test.videos, ['video7010', 'video7011', 'video7012']);
  assert.equal(d.test.captions.length, 3);
  assert.deepEqual(d.test.captions.map((c) => c.video), [0, 1, 2]);
  assert.match(d.test.captions[1].text, /, then nothing else$/);   // a quoted CSV field with a comma
  assert.equal(d.validation, d.test);
  assert.equal(d.frames.kind, 'folder');
});

test('MSVD: lists + pickled token lists (Python 3 protocol 4 and Python-2 byte strings) or the JSON export', () => {
  const d = loadMsvd(join(FIX, 'msvd'));
  assert.deepEqual(d.train.videos, ['-4wsuPCjDBc_5_15', 'aBc_12_20', 'xyz-1_0_7']);
  assert.equal(d.train.captions.length, 9);
  assert.equal(d.test.captions.length, 6);   // multi-sentence: 3 per test video
  assert.deepEqual(d.test.captions.map((c) => c.video), [0, 0, 0, 1, 1, 1]);
  const j = loadMsvd(join(FIX, 'msvd-json'));
  assert.deepEqual(j.test, d.test);
  assert.deepEqual(j.train, d.train);
  const py2 = readPickle(readFileSync(join(FIX, 'msvd-json', 'raw-captions-py2.pkl')), 'py2.pkl') as Map<string, Uint8Array[][]>;
  const json = JSON.parse(readFileSync(join(FIX, 'msvd-json', 'raw-captions.json'), 'utf8'));
  assert.deepEqual([...py2.keys()].sort(), Object.keys(json).sort());   // byte-string keys decoded
  const tokens = py2.get('t1_0_5')![0].map((b) => new TextDecoder().decode(b));
  assert.deepEqual(tokens, json.t1_0_5[0]);
});

test('the dataset folder may be given directly or as a root holding msrvtt/ or msvd/', () => {
  assert.equal(resolveVideoTextFolder('vtr-msrvtt', FIX), join(FIX, 'msrvtt'));
  assert.equal(resolveVideoTextFolder('vtr-msvd', join(FIX, 'msvd')), join(FIX, 'msvd'));
  assert.throws(() => resolveVideoTextFolder('vtr-msrvtt', join(FIX, 'msvd')), /not a MSR-VTT folder: no MSRVTT_train\.9k\.csv/);
  const d = loadVideoText('vtr-msvd', { source: 'real', path: FIX }, 8, { mean: [0, 0, 0], std: [1, 1, 1] });
  assert.equal(d.validation.videos.length, 1);
  assert.match(videoTextFingerprint('vtr-msvd', { source: 'real', path: FIX }), /^real:[0-9a-f]{16}$/);
});

test('malformed files give errors naming the file and the entry', () => {
  assert.throws(() => loadMsrvtt(join(BAD, 'msrvtt-short-row')), /MSRVTT_JSFUSION_test\.csv, line 3: 4 fields, but the header has 5/);
  assert.throws(() => loadMsrvtt(join(BAD, 'msrvtt-no-sentence')), /MSRVTT_data\.json: 1 training videos of .*MSRVTT_train\.9k\.csv have no sentence \(e\.g\. video3\)/);
  assert.throws(() => loadMsrvtt(join(BAD, 'msrvtt-bad-sentence')), /MSRVTT_data\.json: sentences\[4\] needs string "video_id" and "caption"/);
  assert.throws(() => loadMsrvtt(join(BAD, 'msrvtt-missing-frames')), /1 videos have no frame folder under .*frames \(e\.g\. .*video7012\)/);
  assert.throws(() => loadMsvd(join(BAD, 'msvd-object-pickle')), /raw-captions\.pkl: pickle opcode GLOBAL would construct a Python object .* at byte \d+/);
  assert.throws(() => loadMsvd(join(BAD, 'msvd-missing-caption')), /raw-captions\.pkl: 1 videos of .*test_list\.txt have no captions \(e\.g\. t2_3_8\)/);
  assert.throws(() => loadMsvd(join(BAD, 'msvd-json-bad-caption')), /raw-captions\.json: entry "aBc_12_20", caption 1 is 7; expected a list of word tokens or a string/);
  assert.throws(() => loadMsvd(join(BAD, 'msvd-truncated-pickle')), /raw-captions\.pkl: truncated pickle .* at byte \d+/);
  assert.throws(() => parseCsv('a,b\n"x,1\n', 'f.csv'), /f\.csv, line 2: a quoted field is never closed/);
});

test('the pickle reader agrees with Python\'s pickle on every protocol 0-5', { skip: noPython }, () => {
  const value = { 'vid-1': [['a', 'man', 'runs'], ['someone', 'is', 'running', 'fast']], 'vid_2': [['ünïcödé', 'ok']], n: [1, -2, 300, 70000, -5000000000, 2.5, true, false, null] };
  for (const proto of [0, 1, 2, 3, 4, 5]) {
    const r = spawnSync(PYTHON, ['-c', `import json, pickle, sys\nsys.stdout.buffer.write(pickle.dumps(json.loads(sys.stdin.read()), protocol=${proto}))`], { input: JSON.stringify(value) });
    assert.equal(r.status, 0, String(r.stderr));
    const got = readPickle(new Uint8Array(r.stdout), `proto${proto}.pkl`) as Map<string, unknown>;
    assert.ok(got instanceof Map, `protocol ${proto}`);
    assert.deepEqual(Object.fromEntries(got), value, `protocol ${proto}`);
  }
});

test('frame folders: uniform sampling, centre crop, padding count, normalisation with the checkpoint stats', async () => {
  const d = loadMsrvtt(join(FIX, 'msrvtt'));
  const stats = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
  const store = await folderFrameStore((d.frames as { root: string }).root, ['video0', 'video2'], 8, 3, stats);
  const v0 = store.get('video0'), v2 = store.get('video2');
  assert.equal(v0.count, 3);   // 4 frames on disk, 3 sampled
  assert.equal(v2.count, 2);   // only 2 on disk
  assert.equal(v0.data.length, 3 * 8 * 8 * 3);
  let lo = Infinity, hi = -Infinity;
  for (const x of v0.data) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
  assert.ok(lo >= -2 - 1e-6 && hi <= 2 + 1e-6, `normalised to [(0-0.5)/0.25, (1-0.5)/0.25]: got [${lo}, ${hi}]`);
  assert.throws(() => store.get('video1'), /was not decoded/);
});

test('mini data: sizes as declared, deterministic, every caption linked to its video', () => {
  const stats = { mean: [0, 0, 0], std: [1, 1, 1] };
  const a = generateMiniVideoText('vtr-msvd', 12, stats), b = generateMiniVideoText('vtr-msvd', 12, stats);
  const sz = MINI_SIZES['vtr-msvd'];
  assert.equal(a.train.videos.length, sz.train.videos);
  assert.equal(a.train.captions.length, sz.train.videos * sz.train.captions);
  assert.equal(a.test.captions.length, sz.test.videos * sz.test.captions);
  assert.deepEqual(a.test.captions, b.test.captions);
  const fa = (a.frames as { clips: Map<string, Float32Array[]> }).clips.get('test-0003')!;
  const fb = (b.frames as { clips: Map<string, Float32Array[]> }).clips.get('test-0003')!;
  assert.equal(fa.length, 4);
  assert.deepEqual(fa[2], fb[2]);
  assert.ok(a.test.captions.every((c) => /\b(moves|appears|disappears|turns|still)\b/.test(c.text)), 'captions describe events');
  assert.notEqual(miniFingerprint('vtr-msvd'), miniFingerprint('vtr-msrvtt'));
  const m = generateMiniVideoText('vtr-msrvtt', 12, stats);
  assert.ok(m.test.captions.every((c, i) => c.video === i), 'msrvtt-mini test: one caption per video');
});
