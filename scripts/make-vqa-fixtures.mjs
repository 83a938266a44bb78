// Writes the VQA family's fixture datasets (datasets/fixtures/vqa/): tiny copies of LXMERT's real formats, with
// small JPEG/PNG images made with sharp, plus malformed variants for the loader's error tests.
//   vqa/   VQAv2 in LXMERT's layout: train.json, nominival.json, minival.json, test.json (unlabelled),
//          trainval_ans2label.json, trainval_label2ans.json, images/ (COCO names; val2014 ones in images/val2014/)
//   gqa/   GQA in LXMERT's layout: train.json, valid.json, testdev.json, the answer files, images/ (PNG)
//   malformed/<case>/  one broken thing each (named by the case)
// Usage: node scripts/make-vqa-fixtures.mjs   (deterministic: same bytes every time)
import { mkdirSync, rmSync, writeFileSync, cpSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'datasets', 'fixtures', 'vqa');

/** A size x size RGB image: gray background with one coloured square (raw bytes). */
function picture(size, color, at) {
  const px = Buffer.alloc(size * size * 3, 128);
  const [x0, y0] = at;
  for (let y = y0; y < y0 + size / 3; y++) for (let x = x0; x < x0 + size / 3; x++) {
    const i = (y * size + x) * 3;
    px[i] = color[0]; px[i + 1] = color[1]; px[i + 2] = color[2];
  }
  return px;
}

async function writeImage(path, color, at, format) {
  mkdirSync(dirname(path), { recursive: true });
  const img = sharp(picture(24, color, at), { raw: { width: 24, height: 24, channels: 3 } });
  await (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toFile(path);
}

const json = (path, v) => { mkdirSync(dirname(path), { recursive: true }); writeFileSync(path, `${JSON.stringify(v, null, 1)}\n`); };

const RED = [220, 30, 30], BLUE = [30, 60, 230], GREEN = [30, 180, 50];

async function vqa(dir) {
  const answers = ['yes', 'no', 'red', 'blue', 'green', '1', '2'];
  json(join(dir, 'trainval_label2ans.json'), answers);
  json(join(dir, 'trainval_ans2label.json'), Object.fromEntries(answers.map((a, i) => [a, i])));
  const e = (qid, img, sent, label, extra = {}) => ({ answer_type: 'other', img_id: img, label, question_id: qid, question_type: 'what color is the', sent, ...extra });
  const A = 'COCO_train2014_000000000009', Bimg = 'COCO_train2014_000000000025', C = 'COCO_val2014_000000000042';
  json(join(dir, 'train.json'), [
    e(9000, A, 'What color is the square?', { red: 1 }),
    e(9001, A, 'Is there a square?', { yes: 1, no: 0.3 }, { answer_type: 'yes/no', question_type: 'is there a' }),
    e(25000, Bimg, 'What color is the square?', { blue: 0.9, green: 0.3 }),
    e(25001, Bimg, 'How many squares are there?', { 1: 1, 2: 0.3 }, { answer_type: 'number', question_type: 'how many' }),
  ]);
  json(join(dir, 'nominival.json'), [e(42000, C, 'What color is the square?', { green: 1 }), e(42001, C, 'Is the square blue?', { no: 1 })]);
  json(join(dir, 'minival.json'), [
    e(42002, C, 'Is there a green square?', { yes: 1 }),
    e(9002, A, 'Is the square red?', { yes: 0.6, no: 0.6 }),
    e(25002, Bimg, 'What is the color of the square?', { blue: 1, purple: 0.3 }),
  ]);
  json(join(dir, 'test.json'), [{ img_id: 'COCO_test2015_000000000001', question_id: 1000, sent: 'What color is it?' }]);
  await writeImage(join(dir, 'images', `${A}.jpg`), RED, [2, 2], 'jpg');
  await writeImage(join(dir, 'images', `${Bimg}.jpg`), BLUE, [12, 4], 'jpg');
  await writeImage(join(dir, 'images', 'val2014', `${C}.jpg`), GREEN, [6, 14], 'jpg');
}

async function gqa(dir) {
  const answers = ['yes', 'no', 'left', 'right', 'red', 'blue'];
  json(join(dir, 'trainval_label2ans.json'), answers);
  json(join(dir, 'trainval_ans2label.json'), Object.fromEntries(answers.map((a, i) => [a, i])));
  const e = (qid, img, sent, ans) => ({ img_id: img, label: { [ans]: 1.0 }, question_id: qid, sent });
  json(join(dir, 'train.json'), [
    e('02930152', '2354786', 'Is the square on the left?', 'yes'),
    e('02930153', '2354786', 'What color is the square?', 'red'),
    e('07333408', '2375429', 'On which side is the square?', 'right'),
  ]);
  json(join(dir, 'valid.json'), [e('12345678', '2375429', 'Is the square red?', 'no')]);
  json(join(dir, 'testdev.json'), [
    e('201307251', 'n161313', 'What color is the square?', 'blue'),
    e('201307252', 'n161313', 'Is it a circle?', 'maybe'),
  ]);
  await writeImage(join(dir, 'images', '2354786.png'), RED, [1, 8], 'png');
  await writeImage(join(dir, 'images', '2375429.png'), BLUE, [15, 8], 'png');
  await writeImage(join(dir, 'images', 'n161313.jpg'), BLUE, [8, 8], 'jpg');
}

async function malformed(dir) {
  const base = join(root, 'vqa');
  const copy = (name) => { const d = join(dir, name); cpSync(base, d, { recursive: true }); return d; };
  const bad = (name, file, content) => { const d = copy(name); writeFileSync(join(d, file), content); };
  const entry = (over) => ({ answer_type: 'other', img_id: 'COCO_train2014_000000000009', label: { red: 1 }, question_id: 1, question_type: 'what', sent: 'What color?', ...over });
  bad('vqa-bad-score', 'train.json', JSON.stringify([entry({ question_id: 7 }), entry({ question_id: 8, label: { red: 1.5 } })]));
  bad('vqa-missing-sent', 'nominival.json', JSON.stringify([entry({ question_id: 3, sent: undefined })]));
  bad('vqa-missing-image', 'minival.json', JSON.stringify([entry({ question_id: 77, img_id: 'COCO_val2014_000000999999' })]));
  bad('vqa-duplicate-qid', 'train.json', JSON.stringify([entry({ question_id: 5 }), entry({ question_id: 5 })]));
  bad('vqa-bad-json', 'minival.json', '[{"img_id": "COCO_train2014_000000000009", "question_id": 1,\n "sent": "x" "label": {}}]\n');
  bad('vqa-vocab-mismatch', 'trainval_ans2label.json', JSON.stringify({ yes: 0, no: 1, red: 3, blue: 2, green: 4, 1: 5, 2: 6 }));
  bad('vqa-not-a-list', 'train.json', JSON.stringify({ questions: [] }));
  const noLabel = copy('vqa-missing-label');
  writeFileSync(join(noLabel, 'minival.json'), JSON.stringify([{ img_id: 'COCO_train2014_000000000009', question_id: 11, sent: 'What?' }]));
  const noFile = copy('vqa-missing-file');
  rmSync(join(noFile, 'nominival.json'));
}

rmSync(root, { recursive: true, force: true });
await vqa(join(root, 'vqa'));
await gqa(join(root, 'gqa'));
await malformed(join(root, 'malformed'));
console.log(`wrote ${root}`);
