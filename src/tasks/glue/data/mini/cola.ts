// Mini CoLA: 1 = acceptable. Acceptable sentences come from several constructions (transitive, intransitive,
// copular, passive, relative clause, yes/no question); an unacceptable one is the same kind of sentence with one
// violation. Most violations need lexical knowledge a WordLevel model only gets from usage: subject-verb number
// agreement (is "kelpos" plural? is "vorns" a 3rd-person form?), determiner-noun number, verb transitivity, the
// verb form an auxiliary takes. Word-order violations are a minority.
import { Chooser, NUMBERS, isVowelStart, agentPlural, agentWords, npWords, placeWords, randomFact, toText, type Fact, type NP, type VerbLemma } from '../../../../data/language/index.js';
import { CUES } from '../../../../data/language/index.js';
import type { GenCtx, MiniTaskDef } from './common.js';

type Violation = 'agree' | 'auxform' | 'detnum' | 'arity' | 'order';
const VIOLATIONS: [Violation, number][] = [['agree', 0.32], ['detnum', 0.2], ['arity', 0.2], ['auxform', 0.14], ['order', 0.14]];

function pickViolation(ctx: GenCtx): Violation {
  let u = ctx.rng.next();
  for (const [v, w] of VIOLATIONS) if ((u -= w) < 0) return v;
  return 'agree';
}

/** An NP with a determiner-number clash ("a kelpos", "three kelpo", "the five kelpo"). */
function badNP(ctx: GenCtx, np: NP, ch: Chooser): string[] {
  const l = ch.pick(np.noun);
  const adjs = [...(np.senti ? [ch.pick(np.senti).text] : []), ...(np.color ? [np.color] : [])];
  if (!np.plural) {
    // a singular determiner (or a number above one) with the plural form: "a kelpos", "three kelpo" below
    const first = adjs[0] ?? l.pl;
    return [ctx.rng.next() < 0.5 ? (isVowelStart(first) ? 'an' : 'a') : ctx.rng.pick(NUMBERS.slice(1)), ...adjs, l.pl];
  }
  const det = np.det === 'def' ? ['the', NUMBERS[(np.count ?? 3) - 1]] : [NUMBERS[(np.count ?? 3) - 1]];
  return [...det, ...adjs, l.sg];
}

function verbGroup(v: VerbLemma, tense: 'past' | 'present', plural: boolean, neg: boolean, bad: Violation | null, ctx: GenCtx): string[] {
  if (bad === 'auxform') return [tense === 'past' ? 'did' : plural ? 'do' : 'does', 'not', ctx.rng.pick([v.past, v.s])];
  if (bad === 'agree') return neg ? [plural ? 'does' : 'do', 'not', v.base] : [plural ? v.s : v.base];
  if (tense === 'past') return neg ? ['did', 'not', v.base] : [v.past];
  return neg ? [plural ? 'do' : 'does', 'not', v.base] : [plural ? v.base : v.s];
}

/** Swaps two adjacent words inside a span so the result is out of order (determiner/noun, adjective/noun, verb/object). */
function reorder(ctx: GenCtx, words: string[], np: [number, number] | null, verbAt: number | null): string[] {
  const w = words.slice();
  if (np && (ctx.rng.next() < 0.6 || verbAt === null)) {
    const [a, b] = np; // det ... noun: move the noun before the determiner
    const noun = w.splice(b - 1, 1)[0]; w.splice(a, 0, noun);
  } else if (verbAt !== null && np) {
    const [a, b] = np; const obj = w.splice(a, b - a); w.splice(verbAt, 0, ...obj); // object before the verb
  }
  return w;
}

function transitive(ctx: GenCtx, bad: Violation | null): string[] {
  const { p } = ctx;
  const f: Fact = randomFact(p, { pIntransitive: 0, tense: bad === 'agree' ? 'present' : 'any', pNeg: bad === 'auxform' ? 1 : 0.2, pPlace: 0.35, pTime: 0 });
  const ch = new Chooser(p); const v = ch.pick(f.verb);
  const subj = agentWords(f.agent, ch);
  const vg = verbGroup(v, f.tense, agentPlural(f.agent), f.neg, bad === 'agree' || bad === 'auxform' ? bad : null, ctx);
  let obj = npWords(f.obj!, ch);
  if (bad === 'detnum') obj = badNP(ctx, f.obj!, ch);
  if (bad === 'arity') obj = [];
  const place = f.place ? placeWords(f.place, ch) : [];
  const words = [...subj, ...vg, ...obj, ...place];
  if (bad === 'order') return reorder(ctx, words, [subj.length + vg.length, subj.length + vg.length + obj.length], subj.length + vg.length - 1);
  return words;
}

function intransitive(ctx: GenCtx, bad: Violation | null): string[] {
  const { p } = ctx;
  const f: Fact = randomFact(p, { pIntransitive: 1, tense: bad === 'agree' ? 'present' : 'any', pNeg: bad === 'auxform' ? 1 : 0.2, pPlace: 0.6, pTime: 0.2 });
  const ch = new Chooser(p); const v = ch.pick(f.verb);
  const subj = agentWords(f.agent, ch);
  const vg = verbGroup(v, f.tense, agentPlural(f.agent), f.neg, bad === 'agree' || bad === 'auxform' ? bad : null, ctx);
  // an intransitive verb with a direct object is the arity violation here
  const obj = bad === 'arity' ? npWords({ noun: p.concept(ctx.lex.nouns), plural: false, count: null, det: 'def', color: null, senti: null }, ch) : [];
  const place = f.place ? placeWords(f.place, ch) : [];
  const time = f.time ? f.time.split(' ') : [];
  return [...subj, ...vg, ...obj, ...place, ...time];
}

function copular(ctx: GenCtx, bad: Violation | null): string[] {
  const { p, rng, lex } = ctx;
  const plural = rng.next() < 0.45;
  const np: NP = { noun: p.concept(lex.nouns), plural, count: plural && rng.next() < 0.4 ? 2 + rng.int(8) : null, det: 'def', color: null, senti: null };
  const ch = new Chooser(p);
  const subj = bad === 'detnum' ? badNP(ctx, { ...np, det: rng.next() < 0.5 ? 'def' : 'indef' }, ch) : npWords(np, ch);
  const present = rng.next() < 0.4;
  const okBe = present ? (plural ? 'are' : 'is') : (plural ? 'were' : 'was');
  const wrongBe = present ? (plural ? 'is' : 'are') : (plural ? 'was' : 'were');
  const pred = rng.next() < 0.5 ? [rng.pick(lex.colors)] : [ch.pick(p.concept(lex.sentiments)).text];
  const words = [...subj, bad === 'agree' ? wrongBe : okBe, ...pred];
  if (bad === 'order') return [...subj, ...pred, okBe];
  return words;
}

function passive(ctx: GenCtx, bad: Violation | null): string[] {
  const { p, rng } = ctx;
  const f: Fact = randomFact(p, { pIntransitive: 0, tense: 'past', pNeg: 0.15, pPlace: 0.3, pTime: 0 });
  const ch = new Chooser(p); const v = ch.pick(f.verb);
  const np = f.obj!;
  const subj = bad === 'detnum' ? badNP(ctx, np, ch) : npWords(np, ch);
  const be = (bad === 'agree') !== np.plural ? 'were' : 'was';
  const verb = bad === 'auxform' ? rng.pick([v.base, v.s]) : v.past;
  const by = bad === 'arity' ? [] : ['by']; // "was bought Tomas": the agent without "by"
  const words = [...subj, be, ...(f.neg ? ['not'] : []), verb, ...by, ...agentWords(f.agent, ch), ...(f.place ? placeWords(f.place, ch) : [])];
  if (bad === 'order') { const i = subj.length; return [...words.slice(0, i), ...words.slice(i + 1, i + 2 + (f.neg ? 1 : 0)), words[i], ...words.slice(i + 2 + (f.neg ? 1 : 0))]; }
  return words;
}

/** "The farmers who bought the kelpo were happy": agreement with the head noun, not the nearer object. */
function relative(ctx: GenCtx, bad: Violation | null): string[] {
  const { p, rng, lex } = ctx;
  const role = p.concept(lex.roles); const plural = rng.next() < 0.5;
  const ch = new Chooser(p); const l = ch.pick(role);
  const f = randomFact(p, { pIntransitive: 0, pNeg: 0, pPlace: 0.2, pTime: 0, pPlural: plural ? 0.1 : 0.9 });
  const v = ch.pick(f.verb);
  const obj = bad === 'detnum' ? badNP(ctx, f.obj!, ch) : npWords(f.obj!, ch);
  const inner = bad === 'arity' ? [v.past] : [v.past, ...obj];
  const agreeWrong = bad === 'agree';
  const pred = rng.next() < 0.6
    ? [(plural !== agreeWrong) ? 'were' : 'was', rng.pick([CUES.mood[1], CUES.mood[-1]])]
    : (() => { const iv = ch.pick(p.concept(lex.intransitiveVerbs)); return [(plural !== agreeWrong) ? iv.base : iv.s]; })();
  const head = ['the', plural ? l.pl : l.sg];
  if (bad === 'order') return [...head, ...inner, 'who', ...pred];
  if (bad === 'auxform') return [...head, 'who', 'did', 'not', v.past, ...obj, ...pred];
  return [...head, 'who', ...inner, ...pred];
}

function question(ctx: GenCtx, bad: Violation | null): string[] {
  const { p } = ctx;
  const f = randomFact(p, { pIntransitive: 0.2, tense: 'past', pNeg: 0, pPlace: 0.3, pTime: 0.2 });
  const ch = new Chooser(p); const v = ch.pick(f.verb);
  const verb = bad === 'auxform' ? ctx.rng.pick([v.past, v.s]) : v.base;
  let obj = f.obj ? npWords(f.obj, ch) : [];
  if (bad === 'detnum' && f.obj) obj = badNP(ctx, f.obj, ch);
  if (bad === 'arity') obj = f.obj ? [] : npWords({ noun: p.concept(ctx.lex.nouns), plural: false, count: null, det: 'def', color: null, senti: null }, ch);
  const subj = agentWords(f.agent, ch);
  const rest = [...(f.place ? placeWords(f.place, ch) : []), ...(f.time ? f.time.split(' ') : [])];
  if (bad === 'order') return ['did', verb, ...subj, ...obj, ...rest];
  return ['did', ...subj, verb, ...obj, ...rest];
}

type Construction = (ctx: GenCtx, bad: Violation | null) => string[];
const CONSTRUCTIONS: [Construction, number, Violation[]][] = [
  [transitive, 0.34, ['agree', 'auxform', 'detnum', 'arity', 'order']],
  [intransitive, 0.14, ['agree', 'auxform', 'arity']],
  [copular, 0.16, ['agree', 'detnum', 'order']],
  [passive, 0.14, ['agree', 'auxform', 'detnum', 'arity', 'order']],
  [relative, 0.12, ['agree', 'auxform', 'detnum', 'arity', 'order']],
  [question, 0.10, ['auxform', 'detnum', 'arity', 'order']],
];

function cola(ctx: GenCtx, label: number): Record<string, string> {
  const bad = label === 1 ? null : pickViolation(ctx);
  const ok = CONSTRUCTIONS.filter(([, , vs]) => bad === null || vs.includes(bad));
  let u = ctx.rng.next() * ok.reduce((s, [, w]) => s + w, 0);
  let c = ok[0][0];
  for (const [f, w] of ok) { if ((u -= w) < 0) { c = f; break; } }
  const words = c(ctx, bad);
  const isQuestion = c === question;
  return { sentence: toText([...words, isQuestion ? '?' : '.']) };
}

export const COLA_MINI: MiniTaskDef = {
  task: 'glue-cola', version: '1',
  sizes: { train: 1200, dev: 500 },
  // CoLA is about 70% acceptable
  labelShares: [0.3, 0.7],
  generate: cola,
};
