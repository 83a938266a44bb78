// LXMERT's preprocessed question files (data/vqa/*.json, data/gqa/*.json; CLIP-ViL reads the same files): a JSON
// list of { question_id, img_id, sent, label: { answer: score } } (VQA entries also carry answer_type /
// question_type, ignored here; test files have no label). Answer vocabularies: trainval_ans2label.json
// ({ answer: index }) and trainval_label2ans.json ([answer, ...]). Every problem is an error naming the file, the
// entry (its index and question_id) and the key.
import { existsSync, readFileSync } from 'node:fs';
import { InputError } from '../../../util/errors.js';
import type { AnswerVocab, VqaExample } from './types.js';

function parseJson(path: string): unknown {
  if (!existsSync(path)) throw new InputError(`missing file ${path}`);
  const text = readFileSync(path, 'utf8');
  try { return JSON.parse(text); } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const where = m ? ` at line ${text.slice(0, Number(m[1])).split('\n').length}` : '';
    throw new InputError(`${path} is not valid JSON${where}: ${msg}`);
  }
}

const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v);

/**
 * Reads one LXMERT question file. `requireLabels`: every entry must have a label (training / evaluation splits);
 * otherwise a missing label is allowed (test.json).
 */
export function readQuestionFile(path: string, requireLabels: boolean): VqaExample[] {
  const raw = parseJson(path);
  if (!Array.isArray(raw)) throw new InputError(`${path}: expected a JSON list of question entries, got ${describe(raw)}`);
  const seen = new Map<string, number>();
  return raw.map((e: unknown, i): VqaExample => {
    const at = (extra = '') => `${path}: entry ${i}${extra}`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) throw new InputError(`${at()}: expected an object with question_id, img_id, sent and label, got ${describe(e)}`);
    const o = e as Record<string, unknown>;
    const qidRaw = o.question_id;
    if (!(typeof qidRaw === 'string' && qidRaw.length) && !(typeof qidRaw === 'number' && Number.isFinite(qidRaw))) {
      throw new InputError(`${at()}: key "question_id" must be a number or a non-empty string, got ${JSON.stringify(qidRaw)}`);
    }
    const questionId = String(qidRaw);
    const here = at(` (question_id ${questionId})`);
    if (typeof o.img_id !== 'string' || !o.img_id) throw new InputError(`${here}: key "img_id" must be a non-empty string, got ${JSON.stringify(o.img_id)}`);
    if (typeof o.sent !== 'string' || !o.sent.trim()) throw new InputError(`${here}: key "sent" (the question) must be a non-empty string, got ${JSON.stringify(o.sent)}`);
    const prev = seen.get(questionId);
    if (prev !== undefined) throw new InputError(`${here}: question_id ${questionId} already used by entry ${prev}; question ids must be unique in a file`);
    seen.set(questionId, i);
    let label: Record<string, number> | null = null;
    if (o.label === undefined || o.label === null) {
      if (requireLabels) throw new InputError(`${here}: key "label" is missing; this split needs answers ({ "answer": score, ... })`);
    } else {
      if (typeof o.label !== 'object' || Array.isArray(o.label)) throw new InputError(`${here}: key "label" must be an object of answer -> score, got ${describe(o.label)}`);
      label = {};
      for (const [ans, s] of Object.entries(o.label as Record<string, unknown>)) {
        if (typeof s !== 'number' || !Number.isFinite(s) || s < 0 || s > 1) {
          throw new InputError(`${here}: key "label.${ans}" must be a score in [0, 1], got ${JSON.stringify(s)}`);
        }
        label[ans] = s;
      }
    }
    return { questionId, imgId: o.img_id, sent: o.sent, label };
  });
}

/** Reads and cross-checks trainval_ans2label.json and trainval_label2ans.json. */
export function readAnswerVocab(ans2labelPath: string, label2ansPath: string): AnswerVocab {
  const a = parseJson(ans2labelPath);
  if (!a || typeof a !== 'object' || Array.isArray(a)) throw new InputError(`${ans2labelPath}: expected a JSON object of answer -> label index, got ${describe(a)}`);
  const l = parseJson(label2ansPath);
  if (!Array.isArray(l)) throw new InputError(`${label2ansPath}: expected a JSON list of answers (index = label), got ${describe(l)}`);
  l.forEach((ans, i) => {
    if (typeof ans !== 'string') throw new InputError(`${label2ansPath}: entry ${i} must be an answer string, got ${JSON.stringify(ans)}`);
  });
  const label2ans = l as string[];
  const ans2label = new Map<string, number>();
  for (const [ans, idx] of Object.entries(a as Record<string, unknown>)) {
    if (typeof idx !== 'number' || !Number.isInteger(idx) || idx < 0 || idx >= label2ans.length) {
      throw new InputError(`${ans2labelPath}: key "${ans}" must be an integer label in [0, ${label2ans.length}) (the length of ${label2ansPath}), got ${JSON.stringify(idx)}`);
    }
    if (label2ans[idx] !== ans) {
      throw new InputError(`${ans2labelPath}: key "${ans}" maps to label ${idx}, but entry ${idx} of ${label2ansPath} is ${JSON.stringify(label2ans[idx])}; the two files must be inverses`);
    }
    ans2label.set(ans, idx);
  }
  if (ans2label.size !== label2ans.length) {
    const missing = label2ans.findIndex((ans) => !ans2label.has(ans));
    throw new InputError(`${label2ansPath}: entry ${missing} (${JSON.stringify(label2ans[missing])}) is not a key of ${ans2labelPath}; the two files must list the same answers`);
  }
  if (!label2ans.length) throw new InputError(`${label2ansPath}: the answer vocabulary is empty`);
  return { ans2label, label2ans };
}

/**
 * Soft target rows [n, #answers] from labels. Answers outside the vocabulary are dropped (LXMERT's GQA loader does
 * the same; its VQA files only hold in-vocabulary answers); returns how many were dropped.
 */
export function targetMatrix(examples: readonly VqaExample[], vocab: AnswerVocab): { targets: Float32Array; dropped: number } {
  const A = vocab.label2ans.length;
  const targets = new Float32Array(examples.length * A);
  let dropped = 0;
  examples.forEach((ex, i) => {
    for (const [ans, s] of Object.entries(ex.label ?? {})) {
      const k = vocab.ans2label.get(ans);
      if (k === undefined) { dropped++; continue; }
      targets[i * A + k] = s;
    }
  });
  return { targets, dropped };
}
