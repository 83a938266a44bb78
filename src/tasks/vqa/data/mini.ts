// The mini VQA data, in the real datasets' schema (LXMERT entries: question_id, img_id, sent, label), from the
// procedural scenes (src/data/scenes), deterministic from a fixed data seed (not the run's seed: every run of a task
// sees the same data).
//   vqa-vqav2 mini: the scenes' VQA-style questions (count, colour, shape, size, relation, existence), each with ten
//     simulated annotator answers; the label is VQA's soft score per distinct answer, min(1, #annotators / 3).
//   vqa-gqa mini: compositional questions in GQA's spirit (a relation to a named anchor object, then a query or a
//     check: "what color is the object left of the red star ?", "how many objects are above the small circle ?",
//     "are the red circle and the blue star the same size ?", "is there a red circle and a blue star ?", plus the
//     scenes' relation checks), each with its one exact answer (label score 1, as GQA's files).
// Images are separate per split; every image carries several questions (VQA has about 5.4 per image).
import { Rng } from '../../../engine/rng.js';
import {
  sampleScene, renderScene, sceneQuestions, uniqueAttrs, ANSWER_VOCABULARY, QUESTION_TYPES, SCENE_COLORS, SHAPES,
  type Scene, type SceneObject, type SceneQuestion,
} from '../../../data/scenes/index.js';
import { holds, nounPhrase, RELATIONS, sentence, type Relation } from '../../../data/scenes/describe.js';
import { countWord } from '../../../data/scenes/vocabulary.js';
import type { VqaTaskId } from '../metrics.js';
import type { AnswerVocab, ImageSource, VqaExample, VqaSplits } from './types.js';

/** Bump when the generator changes anything it produces (part of the data fingerprint). */
export const MINI_VQA_VERSION = 'mini-vqa-1';
export const MINI_VQA_SEED = 20240701;

export interface MiniVqaSizes { images: { train: number; validation: number; test: number }; questionsPerImage: number }
export const MINI_VQA_SIZES: MiniVqaSizes = { images: { train: 150, validation: 32, test: 32 }, questionsPerImage: 4 };

/** Scene sampling: 2..5 solid objects (enough for counting and for relations to a named anchor). */
const SCENE_OPTS = { minObjects: 2, maxObjects: 5 } as const;

export function miniAnswerVocab(): AnswerVocab {
  const label2ans = [...ANSWER_VOCABULARY];
  return { label2ans, ans2label: new Map(label2ans.map((a, i) => [a, i])) };
}

/** VQA's soft labels from ten annotator answers: min(1, count / 3) per distinct answer. */
export function softLabel(answers: readonly string[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const a of answers) counts.set(a, (counts.get(a) ?? 0) + 1);
  const label: Record<string, number> = {};
  for (const [a, n] of counts) label[a] = Math.min(1, n / 3);
  return label;
}

interface Named { ob: SceneObject; phrase: string }

/** Objects that a noun phrase picks out uniquely, with that phrase ("the red circle", "the small star"). */
function namedObjects(objs: readonly SceneObject[]): Named[] {
  return objs.flatMap((ob) => {
    const attrs = uniqueAttrs(objs, ob, [['color'], ['size'], ['size', 'color']]);
    return attrs ? [{ ob, phrase: nounPhrase(ob, attrs, 'the') }] : [];
  });
}

/** One compositional (GQA-style) question with its exact answer, or null when the scene cannot support the kind. */
export function compositionalQuestion(scene: Scene, rng: Rng): { kind: string; question: string; answer: string } | null {
  const objs = scene.objects;
  const named = namedObjects(objs);
  const kind = rng.pick(['relate-color', 'relate-shape', 'relate-count', 'same-attr', 'and-exist', 'relation'] as const);
  switch (kind) {
    case 'relate-color': case 'relate-shape': {
      const opts: { anchor: Named; rel: Relation; target: SceneObject }[] = [];
      for (const anchor of named) for (const rel of RELATIONS) {
        const hits = objs.filter((o) => o !== anchor.ob && holds(rel, o, anchor.ob));
        if (hits.length === 1) opts.push({ anchor, rel, target: hits[0] });
      }
      if (!opts.length) return null;
      const { anchor, rel, target } = rng.pick(opts);
      const what = kind === 'relate-color' ? 'what color is' : 'what shape is';
      return { kind, question: sentence(what, 'the object', rel, anchor.phrase, '?'), answer: kind === 'relate-color' ? target.color : target.shape };
    }
    case 'relate-count': {
      if (!named.length) return null;
      const anchor = rng.pick(named), rel = rng.pick(RELATIONS);
      const n = objs.filter((o) => o !== anchor.ob && holds(rel, o, anchor.ob)).length;
      return { kind, question: sentence('how many objects are', rel, anchor.phrase, '?'), answer: countWord(n) };
    }
    case 'same-attr': {
      if (named.length < 2) return null;
      const [a, b] = rng.shuffle([...named]).slice(0, 2);
      const attr = rng.pick(['color', 'size', 'shape'] as const);
      return { kind, question: sentence('are', a.phrase, 'and', b.phrase, 'the same', attr, '?'), answer: a.ob[attr] === b.ob[attr] ? 'yes' : 'no' };
    }
    case 'and-exist': {
      // half the time both parts exist; otherwise one part is a colour-shape pair absent from the scene
      const pick = (): [string, string] => { const o = rng.pick(objs); return [o.color, o.shape]; };
      if (!objs.length) return null;
      const a = pick();
      let b: [string, string] = pick();
      if (rng.next() < 0.5) b = [rng.pick(SCENE_COLORS), rng.pick(SHAPES)];
      const has = ([c, s]: [string, string]) => objs.some((o) => o.color === c && o.shape === s);
      return { kind, question: sentence('is there a', a[0], a[1], 'and a', b[0], b[1], '?'), answer: has(a) && has(b) ? 'yes' : 'no' };
    }
    case 'relation': {
      const q = sceneQuestions(scene, rng, 1, ['relation'], { annotatorAccuracy: 1 })[0];
      return q ? { kind, question: q.question, answer: q.answer } : null;
    }
  }
}

function vqaQuestions(scene: Scene, rng: Rng, n: number): SceneQuestion[] {
  return sceneQuestions(scene, rng, n, QUESTION_TYPES, { annotatorAccuracy: 0.85, annotators: 10 });
}

function gqaQuestions(scene: Scene, rng: Rng, n: number): { question: string; answer: string }[] {
  const out: { question: string; answer: string }[] = [];
  for (let t = 0; out.length < n && t < n * 30; t++) {
    const q = compositionalQuestion(scene, rng);
    if (q && !out.some((x) => x.question === q.question)) out.push(q);
  }
  return out;
}

export interface MiniVqaOptions {
  task: VqaTaskId;
  /** Render size of the images (the backbone's image_size). */
  imageSize: number;
  seed?: number;
  sizes?: MiniVqaSizes;
}

/** The mini splits of a task: questions in LXMERT's schema, the answer vocabulary and the rendered images. */
export function generateMiniVqa(o: MiniVqaOptions): VqaSplits {
  const sizes = o.sizes ?? MINI_VQA_SIZES;
  const root = new Rng(o.seed ?? MINI_VQA_SEED).fork(o.task);
  const scenes: Scene[] = [];
  const ids: string[] = [];
  const answers = miniAnswerVocab();
  const split = (name: 'train' | 'validation' | 'test'): VqaExample[] => {
    const rng = root.fork(name);
    const out: VqaExample[] = [];
    for (let k = 0; k < sizes.images[name]; k++) {
      const scene = sampleScene(rng, SCENE_OPTS);
      const imgId = `mini_${name}_${String(k).padStart(5, '0')}`;
      scenes.push(scene); ids.push(imgId);
      const qs = o.task === 'vqa-vqav2'
        ? vqaQuestions(scene, rng, sizes.questionsPerImage).map((q) => ({ sent: q.question, label: softLabel(q.answers) }))
        : gqaQuestions(scene, rng, sizes.questionsPerImage).map((q) => ({ sent: q.question, label: { [q.answer]: 1 } }));
      qs.forEach((q, j) => out.push({ questionId: `${imgId}_${j}`, imgId, sent: q.sent, label: q.label }));
    }
    return out;
  };
  const train = split('train'), validation = split('validation'), test = split('test');
  const images: ImageSource = { size: o.imageSize, ids, pixels: (i) => renderScene(scenes[i], o.imageSize) };
  return { train, validation, test, answers, images, origin: `${MINI_VQA_VERSION} (${o.task}, seed ${o.seed ?? MINI_VQA_SEED})`, unknownAnswers: 0 };
}

/** The data fingerprint of a mini task: generator version, seed and sizes (the images follow from the scenes). */
export function miniVqaFingerprint(task: VqaTaskId, seed = MINI_VQA_SEED, sizes = MINI_VQA_SIZES): string {
  return `${MINI_VQA_VERSION}:${task}:${seed}:${sizes.images.train}/${sizes.images.validation}/${sizes.images.test}x${sizes.questionsPerImage}`;
}
