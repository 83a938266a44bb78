// VQA-style questions with answers, generated from a scene: counting, colour, shape, size, spatial relation and
// existence (yes/no). Each question comes with ten "annotator" answers: most give the true answer, a few a
// confusable one, so soft VQA scores (min(#matches / 3, 1), or LXMERT's count -> score table) are meaningful.
import type { Rng } from '../../engine/rng.js';
import { SCENE_COLORS, SHAPES, type Scene, type SceneObject } from './types.js';
import { holds, matching, nounPhrase, pluralShape, RELATIONS, sentence, type Attr } from './describe.js';
import { countWord } from './vocabulary.js';

export const QUESTION_TYPES = ['count', 'color', 'shape', 'size', 'relation', 'exist'] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

export interface SceneQuestion {
  type: QuestionType;
  question: string;
  /** The true answer (one word). */
  answer: string;
  /** Ten annotator answers (VQA collects ten per question). */
  answers: string[];
}

export interface QuestionOptions {
  /** Probability that an annotator gives the true answer (default 0.85). */
  annotatorAccuracy?: number;
  /** Number of annotator answers (default 10). */
  annotators?: number;
}

/** Every answer the generators can produce (the answer vocabulary of a classifier head). */
export const ANSWER_VOCABULARY: readonly string[] = [
  'yes', 'no', ...SCENE_COLORS, ...SHAPES, 'small', 'large',
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
];

function confusable(type: QuestionType, answer: string, rng: Rng): string {
  switch (type) {
    case 'count': {
      const n = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].indexOf(answer);
      return countWord(Math.min(9, Math.max(0, n + (n === 0 || rng.next() < 0.5 ? 1 : -1))));
    }
    case 'color': return rng.pick(SCENE_COLORS.filter((c) => c !== answer));
    case 'shape': return rng.pick(SHAPES.filter((s) => s !== answer));
    case 'size': return answer === 'small' ? 'large' : 'small';
    default: return answer === 'yes' ? 'no' : 'yes';
  }
}

function annotate(type: QuestionType, question: string, answer: string, rng: Rng, o: QuestionOptions): SceneQuestion {
  const acc = o.annotatorAccuracy ?? 0.85, n = o.annotators ?? 10;
  const answers = Array.from({ length: n }, () => (rng.next() < acc ? answer : confusable(type, answer, rng)));
  return { type, question, answer, answers };
}

/** The smallest attribute set (colour, size, both) that singles `ob` out among the scene's objects, or null. */
export function uniqueAttrs(objects: readonly SceneObject[], ob: SceneObject, candidates: readonly Attr[][] = [[], ['color'], ['size'], ['size', 'color']]): Attr[] | null {
  for (const attrs of candidates) if (matching(objects, ob, attrs).length === 1) return attrs;
  return null;
}

/** One question of a given type, or null when the scene cannot support it (e.g. no uniquely named object). */
export function questionOf(type: QuestionType, scene: Scene, rng: Rng, o: QuestionOptions = {}): SceneQuestion | null {
  const objs = scene.objects;
  switch (type) {
    case 'count': {
      const byColor = rng.next() < 0.5;
      if (byColor) {
        const c = rng.next() < 0.8 && objs.length ? rng.pick(objs).color : rng.pick(SCENE_COLORS);
        return annotate(type, sentence('how many', c, 'shapes are there ?'), countWord(objs.filter((x) => x.color === c).length), rng, o);
      }
      const s = rng.next() < 0.8 && objs.length ? rng.pick(objs).shape : rng.pick(SHAPES);
      return annotate(type, sentence('how many', pluralShape(s), 'are there ?'), countWord(objs.filter((x) => x.shape === s).length), rng, o);
    }
    case 'color': case 'size': {
      const cands = objs.map((ob) => ({ ob, attrs: uniqueAttrs(objs, ob, type === 'color' ? [[], ['size']] : [[], ['color']]) })).filter((c) => c.attrs);
      if (!cands.length) return null;
      const { ob, attrs } = rng.pick(cands);
      return type === 'color'
        ? annotate(type, sentence('what color is', nounPhrase(ob, attrs!, 'the'), '?'), ob.color, rng, o)
        : annotate(type, sentence('is', nounPhrase(ob, attrs!, 'the'), 'small or large ?'), ob.size, rng, o);
    }
    case 'shape': {
      const cands = objs.filter((ob) => objs.filter((x) => x.color === ob.color).length === 1);
      if (!cands.length) return null;
      const ob = rng.pick(cands);
      return annotate(type, sentence('what shape is the', ob.color, 'object ?'), ob.shape, rng, o);
    }
    case 'relation': {
      const named = objs.map((ob) => ({ ob, attrs: uniqueAttrs(objs, ob) })).filter((c) => c.attrs);
      if (named.length < 2) return null;
      const [a, b] = rng.shuffle([...named]).slice(0, 2);
      const rel = rng.pick(RELATIONS);
      const ans = holds(rel, a.ob, b.ob) ? 'yes' : 'no';
      return annotate(type, sentence('is', nounPhrase(a.ob, a.attrs!, 'the'), rel, nounPhrase(b.ob, b.attrs!, 'the'), '?'), ans, rng, o);
    }
    case 'exist': {
      const real = objs.length && rng.next() < 0.5;
      const color = real ? rng.pick(objs).color : rng.pick(SCENE_COLORS);
      const shape = real ? objs.find((x) => x.color === color)!.shape : rng.pick(SHAPES);
      const ans = objs.some((x) => x.color === color && x.shape === shape) ? 'yes' : 'no';
      return annotate(type, sentence('is there a', color, shape, '?'), ans, rng, o);
    }
  }
}

/**
 * n questions about a scene, types drawn uniformly from `types` (default all), skipping types the scene cannot
 * support; fewer than n only if the scene supports none of the types after many draws.
 */
export function sceneQuestions(scene: Scene, rng: Rng, n: number, types: readonly QuestionType[] = QUESTION_TYPES, o: QuestionOptions = {}): SceneQuestion[] {
  const out: SceneQuestion[] = [];
  for (let t = 0; out.length < n && t < n * 20; t++) {
    const q = questionOf(rng.pick(types), scene, rng, o);
    if (q && !out.some((x) => x.question === q.question)) out.push(q);
  }
  return out;
}
