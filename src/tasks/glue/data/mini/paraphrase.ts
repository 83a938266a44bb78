// Mini MRPC (sentence pairs), QQP (question pairs) and STS-B (graded similarity). Both sides of every pair are
// realised independently (voice, fronting) and mostly reuse the same words. A non-paraphrase's second text either
// states a detail the first does not (a place, a time, a colour, a number) or changes one slot that matters (another
// kind of object, another person or action, a colour, a number, a place, a negation); STS-B grades the score by how
// many slots differ and how much each matters. See "version 3" below for why.
import { Chooser, otherVerb, placeFor, timeFor, factWords, questionWords, randomFact, randomStyle, toText, type Fact, type Style, type Wh } from '../../../../data/language/index.js';
import { applyEdit, factSimilarity, type EditKind } from './edits.js';
import type { GenCtx, Generated, MiniTaskDef } from './common.js';

/** A second style, different from the first with probability `pChange`. */
function otherStyle(ctx: GenCtx, f: Fact, s: Style, pChange: number): Style {
  if (ctx.rng.next() >= pChange) return s;
  for (let i = 0; i < 8; i++) { const t = randomStyle(ctx.rng, f, 0.5, 0.4); if (t.voice !== s.voice || t.front !== s.front) return t; }
  return s;
}

// ---- version 3: what differs is a detail a pooled reader can notice ----------------------------------------------
// Version 2 (one meaning-changing edit, realised with synonyms) stayed at the constant baseline for every frozen-
// backbone method at the mini budget: telling "the same bag of words, reordered" from "one word replaced" needs a
// token-by-token comparison of the two sides that a frozen MLM encoder plus a pooled head does not make in a few
// hundred steps (even colour or number mismatches alone were not learnt). Version 3 keeps those edits, and adds the
// most common way real non-paraphrases differ: the second text states more than the first (an added place, time,
// colour or number), so it carries information the first does not. Both sides mostly reuse the same words
// (PAIR_KEEP_WORD), so the edits, not synonym swaps, are what differs.

/** A slot edit: a content change (edits.ts) or `more`, a detail the first text does not state added to the second. */
export type SlotEdit = 'object' | 'color' | 'count' | 'agent' | 'place' | 'verb' | 'neg' | 'time' | 'more';
const SLOT_WEIGHTS: Record<SlotEdit, number> = { object: 0.2, color: 0.18, count: 0.16, agent: 0.14, place: 0.12, verb: 0.1, neg: 0.05, time: 0.05, more: 0 };
/** Probability that an edit of a non-paraphrase's second text adds a detail (where one can be added) rather than changes one. */
const P_MORE = 0.8;
/** Probability of adding each further detail that can be added once one is. */
const P_ANOTHER_DETAIL = 0.6;
/** The same for each of an STS-B pair's edit steps (one detail per step, each costing its score). */
const P_MORE_STSB = 0.8;
/** Probability that the second side keeps the first side's word for a concept (otherwise a synonym may be drawn). */
const PAIR_KEEP_WORD = 0.9;

function farNouns(ctx: GenCtx, f: Fact) {
  const obj = f.obj!;
  return f.verb.objects.flatMap((c) => c.nouns).filter((n) => n.category !== obj.noun.category && ctx.p.available(n));
}

/** Details f does not state that could be added (`hidden`: those a question would not show). */
function addable(f: Fact, hidden: readonly string[] = []): ('place' | 'time' | 'color' | 'count')[] {
  const k: ('place' | 'time' | 'color' | 'count')[] = [];
  if (!f.place && !hidden.includes('place')) k.push('place');
  if (!f.time && !hidden.includes('time')) k.push('time');
  if (f.obj && !f.obj.color && !hidden.includes('color')) k.push('color');
  if (f.obj?.plural && !f.obj.count && !hidden.includes('count')) k.push('count');
  return k;
}

/** f with one or more of the details it does not state added (each after the first with P_ANOTHER_DETAIL); null if none can be. */
function addDetail(ctx: GenCtx, f: Fact, hidden: readonly string[] = [], pAnother = P_ANOTHER_DETAIL): Fact | null {
  const k = ctx.rng.shuffle(addable(f, hidden));
  if (!k.length) return null;
  let g = f;
  k.forEach((d, i) => {
    if (i > 0 && ctx.rng.next() >= pAnother) return;
    if (d === 'place') g = { ...g, place: placeFor(ctx.p, g.obj?.noun ?? null) };
    else if (d === 'time') g = { ...g, time: timeFor(ctx.rng, g.tense) };
    else if (d === 'color') g = { ...g, obj: { ...g.obj!, color: ctx.rng.pick(ctx.lex.colors) } };
    else g = { ...g, obj: { ...g.obj!, count: 2 + ctx.rng.int(8) } };
  });
  return g;
}

function contentEdits(ctx: GenCtx, f: Fact): SlotEdit[] {
  const k: SlotEdit[] = ['agent', 'neg'];
  if (f.obj) {
    if (farNouns(ctx, f).length) k.push('object');
    if (f.obj.color) k.push('color');
    if (f.obj.plural && f.obj.count) k.push('count');
  }
  if (otherVerb(ctx.p, f.verb, f.obj?.noun ?? null)) k.push('verb');
  if (f.place) k.push('place');
  if (f.time) k.push('time');
  return k;
}

function applyContent(ctx: GenCtx, f: Fact, k: SlotEdit): Fact {
  if (k === 'object') return { ...f, obj: { ...f.obj!, noun: ctx.rng.pick(farNouns(ctx, f)) } };
  return applyEdit(ctx.p, f, k as EditKind);
}

/**
 * f with n edits of different slots: each adds a detail with probability P_MORE (when one can be added and shows),
 * else changes a slot drawn by SLOT_WEIGHTS among `allowed`. Returns the edits made.
 */
export function editSlots(ctx: GenCtx, f: Fact, n: number, allowed?: readonly SlotEdit[], hidden: readonly string[] = [], pMore = P_MORE, pAnother = P_ANOTHER_DETAIL): { fact: Fact; edits: SlotEdit[] } {
  const edits: SlotEdit[] = [];
  let g = f;
  for (let i = 0; i < n; i++) {
    const more = ctx.rng.next() < pMore ? addDetail(ctx, g, hidden, pAnother) : null;
    if (more) { g = more; edits.push('more'); continue; }
    const ok = contentEdits(ctx, g).filter((k) => (!allowed || allowed.includes(k)) && !edits.includes(k));
    if (!ok.length) break;
    let u = ctx.rng.next() * ok.reduce((s, k) => s + SLOT_WEIGHTS[k], 0);
    let pick = ok[ok.length - 1];
    for (const k of ok) if ((u -= SLOT_WEIGHTS[k]) < 0) { pick = k; break; }
    g = applyContent(ctx, g, pick); edits.push(pick);
  }
  return { fact: g, edits };
}

const pairFact = (ctx: GenCtx, tense: 'past' | 'any', pPlace = 0.45, pTime = 0.3, pColor = 0.4) => randomFact(ctx.p, { pIntransitive: 0, pPlace, pTime, pNeg: 0.1, pColor, pSenti: 0.1, pPlural: 0.45, tense });

function mrpc(ctx: GenCtx, label: number): Record<string, string> {
  const f = pairFact(ctx, 'any');
  const a = new Chooser(ctx.p); const s1 = randomStyle(ctx.rng, f, 0.3, 0.25);
  const w1 = factWords(f, s1, a);
  let f2 = f;
  if (label === 0) for (let i = 0; i < 5 && f2 === f; i++) f2 = editSlots(ctx, f, ctx.rng.next() < 0.3 ? 2 : 1, undefined, [], P_MORE).fact;
  const b = new Chooser(ctx.p, a, 0, PAIR_KEEP_WORD);
  let w2 = factWords(f2, otherStyle(ctx, f2, s1, 0.6), b);
  if (label === 1 && w2.join(' ') === w1.join(' ')) w2 = factWords(f2, otherStyle(ctx, f, s1, 1), new Chooser(ctx.p, a, 1));
  return { sentence1: toText([...w1, '.']), sentence2: toText([...w2, '.']) };
}

export const MRPC_MINI: MiniTaskDef = {
  task: 'glue-mrpc', version: '3',
  sizes: { train: 1200, dev: 500 },
  // MRPC is about 68% paraphrases
  labelShares: [0.32, 0.68],
  generate: mrpc,
};

/** Edits that change what a question asks (an edit of the asked slot would be invisible). */
function visibleEdits(wh: Wh): SlotEdit[] {
  const all: SlotEdit[] = ['object', 'verb', 'agent', 'neg', 'count', 'color', 'place', 'time'];
  const hidden: Record<Wh, SlotEdit[]> = {
    who: ['agent'], what: ['object', 'count', 'color'], which: ['object', 'count', 'color'],
    where: ['place'], when: ['time'], howmany: ['count'], yesno: [],
  };
  return all.filter((k) => !hidden[wh].includes(k));
}
/** Details a question does not show when added. */
const HIDDEN_DETAILS: Record<Wh, string[]> = { who: [], what: ['color', 'count'], which: ['color', 'count'], where: ['place'], when: ['time'], howmany: ['count'], yesno: [] };

export function applicableWh(f: Fact): Wh[] {
  const w: Wh[] = ['who', 'yesno'];
  if (f.obj) w.push('what', 'which');
  if (f.place) w.push('where');
  if (f.time) w.push('when');
  if (f.obj?.plural && f.obj.count) w.push('howmany');
  return w;
}

function qqp(ctx: GenCtx, label: number): Record<string, string> {
  const { rng, p } = ctx;
  // fewer places and times stated than in MRPC, so a question can more often ask about more
  const f = pairFact(ctx, 'past', 0.3, 0.2);
  const wh = rng.pick(applicableWh(f));
  const a = new Chooser(p);
  const v1 = rng.next() < 0.5 ? 'active' : 'passive';
  const q1 = questionWords({ wh, fact: f }, v1, a);
  const b = new Chooser(p, a, 0, PAIR_KEEP_WORD);
  const other = (v: 'active' | 'passive') => (v === 'active' ? 'passive' : 'active');
  let q2: string[] | null = null;
  if (label === 1) {
    q2 = questionWords({ wh, fact: f }, rng.next() < 0.6 ? other(v1) : v1, b);
    if (q2.join(' ') === q1.join(' ')) q2 = questionWords({ wh, fact: f }, other(v1), new Chooser(p, a, 1));
  } else {
    const otherWh = applicableWh(f).filter((w) => w !== wh);
    if (rng.next() < 0.1 && otherWh.length) q2 = questionWords({ wh: rng.pick(otherWh), fact: f }, rng.next() < 0.5 ? 'active' : 'passive', b);
    else {
      for (let i = 0; i < 5 && !q2; i++) {
        const { fact: f2, edits } = editSlots(ctx, f, 1, visibleEdits(wh), HIDDEN_DETAILS[wh], P_MORE);
        if (edits.length) q2 = questionWords({ wh, fact: f2 }, rng.next() < 0.5 ? 'active' : 'passive', b);
      }
      q2 ??= questionWords({ wh: rng.pick(otherWh.length ? otherWh : [wh]), fact: { ...f, neg: !f.neg } }, 'active', b);
    }
  }
  return { question1: toText(q1), question2: toText(q2) };
}

export const QQP_MINI: MiniTaskDef = {
  task: 'glue-qqp', version: '2',
  sizes: { train: 3000, dev: 600 },
  // QQP is about 37% duplicates
  labelShares: [0.63, 0.37],
  generate: qqp,
};

/** What each edit costs an STS-B score (of 5): a changed person, action, object or polarity more than a detail. */
const STSB_COST: Record<SlotEdit, number> = { agent: 1.4, verb: 1.4, object: 1.4, neg: 1.8, color: 0.9, count: 0.9, place: 0.9, time: 0.8, more: 0.9 };

/**
 * Version 2: the score is 5 minus the cost of the slots that differ (graded by how much each matters), and the
 * second sentence gets zero to four edits, about half of them added details; an unrelated pair scores 0-1 (its
 * factSimilarity scaled down). Version 1 scored with factSimilarity alone, which changed little when a detail was
 * added, and its pairs differed mostly by synonym-realised edits, which nothing learned at the mini budget.
 */
function stsb(ctx: GenCtx): Generated {
  const { rng, p } = ctx;
  // few details stated, so most edit steps can add one (each added detail is a point of difference)
  const f = pairFact(ctx, 'any', 0.25, 0.15, 0.25);
  let f2: Fact; let score: number;
  if (rng.next() < 0.1) { f2 = pairFact(ctx, 'any'); score = Math.min(1, factSimilarity(f, f2) / 3); }
  else {
    const r = editSlots(ctx, f, rng.int(5), undefined, [], P_MORE_STSB, 0);
    f2 = r.fact; score = Math.max(0, 5 - r.edits.reduce((s, k) => s + STSB_COST[k], 0));
  }
  const a = new Chooser(p); const s1 = randomStyle(rng, f, 0.3, 0.25);
  const b = new Chooser(p, a, 0, PAIR_KEEP_WORD);
  const w2 = factWords(f2, otherStyle(ctx, f2, s1, 0.3), b);
  return { sentence1: toText([...factWords(f, s1, a), '.']), sentence2: toText([...w2, '.']), label: Math.round(100 * score) / 100 };
}

export const STSB_MINI: MiniTaskDef = {
  task: 'glue-stsb', version: '2',
  sizes: { train: 1200, dev: 500 },
  labelShares: null,
  generate: stsb,
};
