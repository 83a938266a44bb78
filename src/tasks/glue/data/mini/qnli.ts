// Mini QNLI: (question, sentence), 0 = the sentence contains the answer. Negatives are on-topic sentences that do
// not answer: the asked-for detail is missing, the negation differs, or one of the question's given details
// differs (another verb or noun, another person, a noun of another category for "which fruit" questions).
// Synonyms and categories (from the corpus) decide whether "who purchased the kelpo" is answered by "Tomas
// bought a kelpo" and whether "which fruit" is answered by "a kelpo".
import { Chooser, sameAgent, coHyponym, factWords, otherVerb, questionWords, randomFact, randomStyle, toText, type Fact, type Wh } from '../../../../data/language/index.js';
import { otherAgent } from './edits.js';
import { applicableWh } from './paraphrase.js';
import type { GenCtx, MiniTaskDef } from './common.js';

/** Whether a sentence stating fact s answers question `wh` about qf (synonyms are the same concept). */
export function answers(wh: Wh, qf: Fact, s: Fact): boolean {
  if (s.neg !== qf.neg || s.verb !== qf.verb) return false;
  if (wh !== 'who' && !sameAgent(s.agent, qf.agent)) return false;
  if (qf.obj) {
    if (!s.obj) return false;
    if (wh === 'which') { if (s.obj.noun.category !== qf.obj.noun.category) return false; }
    else if (wh !== 'what') {
      if (s.obj.noun !== qf.obj.noun || s.obj.color !== qf.obj.color || s.obj.senti !== qf.obj.senti) return false;
      if (wh !== 'howmany' && (s.obj.plural !== qf.obj.plural || s.obj.count !== qf.obj.count)) return false;
    }
  }
  if (wh === 'where' ? !s.place : qf.place && s.place !== qf.place) return false;
  if (wh === 'when' ? !s.time : qf.time && s.time !== qf.time) return false;
  if (wh === 'howmany' && !(s.obj?.plural && s.obj.count)) return false;
  return true;
}

/** Sentences that do not answer `wh` about fact f. */
function nonAnswers(ctx: GenCtx, f: Fact, wh: Wh): Fact[] {
  const { p, rng } = ctx;
  const out: Fact[] = [];
  if (wh === 'where') out.push({ ...f, place: null });
  if (wh === 'when') out.push({ ...f, time: null });
  if (wh === 'howmany') out.push({ ...f, obj: { ...f.obj!, count: null } });
  out.push({ ...f, neg: !f.neg });
  const v = otherVerb(p, f.verb, f.obj?.noun ?? null);
  if (v) out.push({ ...f, verb: v });
  if (wh !== 'who') out.push({ ...f, agent: otherAgent(p, f.agent) });
  if (f.obj && wh !== 'which') { const n = coHyponym(p, f.obj.noun); if (n) out.push({ ...f, obj: { ...f.obj, noun: n } }); }
  if (f.obj && wh === 'which') {
    const cat = f.obj.noun.category;
    const far = f.verb.objects.filter((c) => c !== cat).flatMap((c) => c.nouns).filter((n) => p.available(n));
    if (far.length) out.push({ ...f, obj: { ...f.obj, noun: rng.pick(far) } });
  }
  return out;
}

/**
 * Version 2 knobs (version 1: uniform question kinds and non-answers, the sentence preferring synonyms 70%, an
 * extra clause 30%), which left every method at the constant at the mini budget.
 */
const QNLI_P_DETAIL_Q = 0.6;
const QNLI_P_MISSING = 0.6;
const QNLI_KEEP_WORD = 0.8;
const QNLI_P_CLAUSE = 0.2;

function qnli(ctx: GenCtx, label: number): Record<string, string> {
  const { p, rng } = ctx;
  let f = randomFact(p, { pIntransitive: 0.05, pPlace: 0.6, pTime: 0.4, pNeg: 0, pColor: 0.3, pSenti: 0.1, tense: 'past' });
  // version 2: questions about a detail (where, when, how many) are asked more often, when the fact has one
  const whs = applicableWh(f).filter((w) => w !== 'yesno');
  const detailWh = whs.filter((w) => w === 'where' || w === 'when' || w === 'howmany');
  const wh = detailWh.length && rng.next() < QNLI_P_DETAIL_Q ? rng.pick(detailWh) : rng.pick(whs);
  // "Who did not buy the kelpo?" is answered by "Tomas did not buy the kelpo." (so "not" alone decides nothing)
  if ((wh === 'who' || wh === 'what' || wh === 'which') && rng.next() < 0.3) f = { ...f, neg: true };
  // the question may leave out details the sentence has
  const qf: Fact = { ...f, place: wh === 'where' || rng.next() < 0.6 ? f.place : null, time: wh === 'when' || rng.next() < 0.4 ? f.time : null };
  const a = new Chooser(p);
  const q = questionWords({ wh, fact: qf }, rng.next() < 0.35 ? 'passive' : 'active', a);
  const wrong = nonAnswers(ctx, f, wh).filter((x) => !answers(wh, qf, x));
  // a sentence without the asked-for detail (the first non-answer for where/when/how-many questions) is the most
  // common non-answer, as in QNLI, where most negatives are on-topic sentences that just do not say it
  const s = label === 0 ? f : (wh === 'where' || wh === 'when' || wh === 'howmany') && rng.next() < QNLI_P_MISSING ? wrong[0] : rng.pick(wrong);
  if (answers(wh, qf, s) !== (label === 0)) throw new Error('mini QNLI: label does not match the sentence (generator bug)');
  const b = new Chooser(p, a, 0, QNLI_KEEP_WORD);
  let words = factWords(s, randomStyle(rng, s, 0.35, 0.25), b);
  const g = randomFact(p, { pNeg: 0.2, pPlace: 0.3, pTime: 0, tense: 'past' });
  if (rng.next() < QNLI_P_CLAUSE && !answers(wh, qf, g)) {
    // an unrelated second clause, so the answer is not always the whole sentence
    words = rng.next() < 0.5 ? [...words, ',', 'and', ...factWords(g, randomStyle(rng, g), b)] : [...factWords(g, randomStyle(rng, g), b), ',', 'and', ...words];
  }
  return { question: toText(q), sentence: toText([...words, '.']) };
}

export const QNLI_MINI: MiniTaskDef = {
  task: 'glue-qnli', version: '2',
  sizes: { train: 3000, dev: 600 },
  labelShares: [0.5, 0.5],
  generate: qnli,
};
