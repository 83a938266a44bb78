// The real datasets in LXMERT's layout (what CLIP-ViL reads):
//   vqa-vqav2:  <folder>/train.json, nominival.json, minival.json (test.json optional, unlabelled: not scored here),
//               trainval_ans2label.json, trainval_label2ans.json, images/ (COCO train2014 / val2014 / test2015)
//   vqa-gqa:    <folder>/train.json, valid.json, testdev.json, trainval_ans2label.json, trainval_label2ans.json,
//               images/ (GQA images)
// Splits as the CLIP-ViL scripts use them: VQA trains on train + nominival and validates on minival; GQA trains on
// train + valid and evaluates on testdev. The test split is the validation split (the real test sets need a server).
// Images: <folder>/images/<img_id>.<ext> (any of jpg, jpeg, png, ...), or, for COCO ids
// "COCO_<split>_<number>", <folder>/images/<split>/<img_id>.<ext> (the COCO download's own folders).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, extname, basename } from 'node:path';
import { InputError } from '../../../util/errors.js';
import { IMAGE_EXTENSIONS, loadImage } from '../../../data/images/index.js';
import { readAnswerVocab, readQuestionFile } from './lxmert.js';
import type { VqaTaskId } from '../metrics.js';
import type { ImageSource, VqaExample, VqaSplits } from './types.js';

export const REAL_FILES: Record<VqaTaskId, { train: string[]; validation: string[]; test: string[] }> = {
  'vqa-vqav2': { train: ['train.json', 'nominival.json'], validation: ['minival.json'], test: ['minival.json'] },
  'vqa-gqa': { train: ['train.json', 'valid.json'], validation: ['testdev.json'], test: ['testdev.json'] },
};
export const ANSWER_FILES = ['trainval_ans2label.json', 'trainval_label2ans.json'] as const;

function checkFolder(task: VqaTaskId, folder: string): void {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new InputError(`the ${task} data folder ${folder} does not exist`);
  const need = [...new Set([...Object.values(REAL_FILES[task]).flat(), ...ANSWER_FILES])];
  const missing = need.filter((f) => !existsSync(join(folder, f)));
  if (missing.length) {
    throw new InputError(`${folder} lacks ${missing.join(', ')}; a ${task} folder in LXMERT's layout holds ${need.join(', ')} and images/ (see the LXMERT README, data/${task === 'vqa-gqa' ? 'gqa' : 'vqa'}/)`);
  }
  if (!existsSync(join(folder, 'images'))) throw new InputError(`${folder} has no images/ folder (the ${task === 'vqa-gqa' ? 'GQA' : 'COCO'} images, named <img_id>.jpg)`);
}

/** Index of the image files under images/ and its direct sub-folders: file stem -> path. */
function indexImages(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const add = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      const st = statSync(p);
      if (st.isDirectory()) continue;
      if (!IMAGE_EXTENSIONS.includes(extname(f).toLowerCase())) continue;
      const stem = basename(f, extname(f));
      if (!out.has(stem)) out.set(stem, p);
    }
  };
  add(dir);
  for (const f of readdirSync(dir)) if (statSync(join(dir, f)).isDirectory()) add(join(dir, f));
  return out;
}

/** A hash of the question and answer files (content), for the run's data identity. */
export function realDataFingerprint(task: VqaTaskId, folder: string): string {
  checkFolder(task, folder);
  const h = createHash('sha256');
  for (const f of [...new Set([...Object.values(REAL_FILES[task]).flat(), ...ANSWER_FILES])].sort()) h.update(`${f}\n`).update(readFileSync(join(folder, f)));
  return `lxmert:${h.digest('hex').slice(0, 16)}`;
}

export interface RealVqaOptions { imageSize: number }

/** Loads a task's splits, its answer vocabulary and the image index; every referenced image must exist. */
export function loadRealVqa(task: VqaTaskId, folder: string, o: RealVqaOptions): VqaSplits {
  checkFolder(task, folder);
  const answers = readAnswerVocab(join(folder, ANSWER_FILES[0]), join(folder, ANSWER_FILES[1]));
  const files = REAL_FILES[task];
  const read = (names: string[]): { examples: VqaExample[]; file: string[] } => {
    const out: VqaExample[] = [], file: string[] = [];
    for (const n of names) for (const ex of readQuestionFile(join(folder, n), true)) { out.push(ex); file.push(n); }
    return { examples: out, file };
  };
  const train = read(files.train), validation = read(files.validation), test = read(files.test);
  const index = indexImages(join(folder, 'images'));
  const ids: string[] = [];
  const paths: string[] = [];
  const pos = new Map<string, number>();
  for (const s of [train, validation, test]) {
    s.examples.forEach((ex, i) => {
      if (pos.has(ex.imgId)) return;
      const p = index.get(ex.imgId);
      if (!p) {
        throw new InputError(`${join(folder, s.file[i])}: question_id ${ex.questionId} refers to img_id "${ex.imgId}", but there is no ${join(folder, 'images', `${ex.imgId}.jpg`)} (nor a .png/.jpeg or one in a sub-folder of images/)`);
      }
      pos.set(ex.imgId, ids.length);
      ids.push(ex.imgId); paths.push(p);
    });
  }
  let unknownAnswers = 0;
  for (const ex of train.examples) for (const a of Object.keys(ex.label ?? {})) if (!answers.ans2label.has(a)) unknownAnswers++;
  // CLIP-ViL resizes to min 384 / max 640 with zero padding; here every image is resized (squashed) to a square
  // image_size x image_size, so nothing the question asks about is cropped away
  const images: ImageSource = { size: o.imageSize, ids, pixels: (i) => loadImage(paths[i], o.imageSize, { crop: 'resize', normalize: 'none' }) };
  return { train: train.examples, validation: validation.examples, test: test.examples, answers, images, origin: folder, unknownAnswers };
}
