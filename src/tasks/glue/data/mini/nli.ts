// Mini MNLI (3-way, with genres) and RTE (2-way, longer premises). A premise states one to three facts about
// different people; the hypothesis is built from one of them by an operation whose label is known:
//   entailment    paraphrase (synonyms, voice), dropping a modifier, noun -> its category ("some fruits"),
//                 person -> "someone", "X was at the <place>", "three kelpos" -> "some kelpos";
//   contradiction negation flipped, another number, "nobody ...", "... bought nothing", another colour,
//                 "X was never at the <place>";
//   neutral       another person, another object or verb, an added modifier, category -> a specific noun.
// Monotonicity is respected: a negated premise only entails its paraphrase and only contradicts its un-negation.
// About 30% of premises carry a quantified negative clause ("Nobody bought a kelpo", "No fruit was bought",
// "Tomas did not buy any fruits"): "X did not buy a <member>" is entailed, "X bought a <member>" contradicts,
// "X bought a <non-member>" / another verb / another place is neutral, so category knowledge decides.
// Telling "a synonym" (entailment) from "another noun" (neutral) and knowing categories needs the corpus.
import { Chooser, NUMBERS, PAST_TIMES, PRESENT_TIMES, factWords, isVowelStart, lexicon, nounsIn, otherVerb, placeWords, randomFact, randomStyle, sameAgent, toText, agentWords, agentPlural, type Agent, type Fact, type Domain, type NounConcept, type Place, type VerbConcept } from '../../../../data/language/index.js';
import { otherAgent } from './edits.js';
import type { GenCtx, MiniTaskDef } from './common.js';

/**
 * Version 2 knobs. The hypothesis keeps the premise's word for a concept with probability NLI_KEEP_WORD (version 1
 * preferred a synonym, 70%); an entailment or neutral hypothesis is one that says less or more than its premise
 * fact with probability NLI_P_LESS_MORE (version 1: uniform over the operations); quantified premises are
 * NLI_P_QUANT of the examples (version 1: 30%). Version 1 left every method within a few points of the constant at
 * the mini budget.
 */
const NLI_KEEP_WORD = 0.8;
const NLI_P_LESS_MORE = 0.7;
const NLI_P_QUANT = 0.15;

export type NliLabel = 'entailment' | 'neutral' | 'contradiction';
interface Built { hyp: string[]; premise: Fact[] }

/** Premise facts about different people; later facts are kept short (fewer modifiers) to bound the length. */
function premiseFacts(ctx: GenCtx, n: number): Fact[] {
  const facts: Fact[] = [];
  const agents: Agent[] = [];
  while (facts.length < n) {
    const short = facts.length > 0;
    const f = randomFact(ctx.p, { domains: ctx.domains, pIntransitive: short ? 0.2 : 0.1, pPlace: short ? 0.3 : 0.5, pTime: short ? 0.1 : 0.25, pNeg: 0.25, pColor: short ? 0.15 : 0.35, pSenti: short ? 0 : 0.1, tense: 'past' });
    if (agents.some((a) => sameAgent(a, f.agent)) || f.agent.kind === 'someone') continue;
    agents.push(f.agent); facts.push(f);
  }
  return facts;
}

/** The hypothesis for `label` from target fact t (premise[i]); null when no operation applies. */
function hypothesis(ctx: GenCtx, premise: Fact[], i: number, label: NliLabel, a: Chooser): Built | null {
  const { rng, p } = ctx;
  const t = premise[i];
  const b = new Chooser(p, a, 0, NLI_KEEP_WORD);
  const style = () => randomStyle(rng, t, 0.35, 0.2);
  const realise = (f: Fact) => factWords(f, randomStyle(rng, f, 0.35, 0.2), b);
  const ops: (() => Built | null)[] = [];
  /** The operations that make the hypothesis say less (entailment) or more (neutral) than its premise fact. */
  const pref: (() => Built | null)[] = [];
  const both = (op: () => Built | null) => { ops.push(op); pref.push(op); };
  const keep = (hyp: string[] | null, prem = premise) => (hyp ? { hyp, premise: prem } : null);
  if (label === 'entailment') {
    ops.push(() => keep(factWords(t, style(), b)));
    if (!t.neg) {
      if (t.obj && (t.obj.color || t.obj.senti) || t.place || t.time) both(() => keep(realise({ ...t, obj: t.obj && { ...t.obj, color: null, senti: null }, place: rng.next() < 0.5 ? null : t.place, time: null })));
      if (t.obj) ops.push(() => keep(realise({ ...t, obj: { ...t.obj!, asCategory: true, senti: null, det: 'indef' }, place: null })));
      both(() => keep(realise({ ...t, agent: { kind: 'someone' } })));
      if (t.place) both(() => keep([...agentWords(t.agent, b), agentPlural(t.agent) ? 'were' : 'was', ...placeWords(t.place!, b), ...(t.time ? t.time.split(' ') : [])]));
      if (t.obj?.plural && t.obj.count) both(() => keep(realise({ ...t, obj: { ...t.obj!, count: null, det: 'indef' } })));
    }
  } else if (label === 'contradiction') {
    ops.push(() => keep(factWords({ ...t, neg: !t.neg }, style(), b)));
    if (!t.neg) {
      if (t.obj?.plural && t.obj.count) {
        ops.push(() => { let c = t.obj!.count!; while (c === t.obj!.count) c = 2 + rng.int(NUMBERS.length - 1); return keep(realise({ ...t, obj: { ...t.obj!, count: c } })); });
      }
      ops.push(() => keep(factWords({ ...t, agent: { kind: 'someone' } }, { voice: 'active', front: 'none' }, b).map((w) => (w === 'someone' ? 'nobody' : w))));
      if (t.obj) ops.push(() => keep([...agentWords(t.agent, b), b.pick(t.verb).past, 'nothing', ...(t.place ? placeWords(t.place, b) : []), ...(t.time ? t.time.split(' ') : [])]));
      if (t.obj && t.obj.color && !t.obj.plural) {
        const other = rng.pick(lexicon().colors.filter((c) => c !== t.obj!.color));
        ops.push(() => keep(['the', b.pick(t.obj!.noun).sg, 'that', ...agentWords(t.agent, b), b.pick(t.verb).past, 'was', other]));
      }
      if (t.place) ops.push(() => keep([...agentWords(t.agent, b), agentPlural(t.agent) ? 'were' : 'was', 'never', ...placeWords(t.place!, b)]));
    }
  } else {
    const agents = premise.map((f) => f.agent);
    const nouns = premise.flatMap((f) => (f.obj ? [f.obj.noun] : []));
    const verbs = premise.map((f) => f.verb);
    // statements about another person, object or action are unknown whether negated or not
    const neg = () => rng.next() < 0.45;
    const indef = () => { const plural = rng.next() < 0.4; return { det: 'indef' as const, plural, count: plural && rng.next() < 0.5 ? 2 + rng.int(NUMBERS.length - 1) : null }; };
    ops.push(() => keep(realise({ ...t, agent: otherAgent(p, t.agent, agents), neg: neg(), obj: t.obj && { ...t.obj, ...indef() } })));
    if (t.obj) {
      const others = nounsIn(ctx.domains).filter((n) => t.verb.objects.includes(n.category) && !nouns.includes(n) && p.available(n));
      if (others.length) ops.push(() => keep(realise({ ...t, neg: neg(), obj: { ...t.obj!, noun: rng.pick(others), ...indef(), color: null, senti: null } })));
      // the premise names only the category; the hypothesis a specific member
      if (!t.neg) ops.push(() => keep(realise({ ...t, obj: { ...t.obj!, det: 'indef', color: null, senti: null } }), premise.map((f, j) => (j === i ? { ...t, obj: { ...t.obj!, asCategory: true, det: 'indef', color: null, senti: null } } : f))));
    }
    const v2 = otherVerb(p, t.verb, t.obj?.noun ?? null);
    if (v2 && !verbs.includes(v2)) ops.push(() => keep(realise({ ...t, verb: v2, neg: neg(), obj: t.obj && { ...t.obj, ...indef() } })));
    if (!t.neg) {
      // added details: one, and each further one that can be added with probability 0.5
      const adds: ((f: Fact) => Fact)[] = [];
      if (t.obj && !t.obj.color) adds.push((f) => ({ ...f, obj: { ...f.obj!, color: rng.pick(lexicon().colors) } }));
      if (!t.place) adds.push((f) => { const d: readonly Domain[] = ctx.domains ?? lexicon().domains; return { ...f, place: p.concept((t.obj ? [t.obj.noun.category.domain] : d).flatMap((x) => x.places)) }; });
      if (!t.time) adds.push((f) => ({ ...f, time: rng.pick(t.tense === 'past' ? PAST_TIMES : PRESENT_TIMES) }));
      if (adds.length) both(() => keep(realise(rng.shuffle(adds).reduce((f, add, j) => (j === 0 || rng.next() < 0.5 ? add(f) : f), t))));
    }
  }
  // the canonical contradiction (negation flipped) is half of them, so "not" does not single out a label
  if (label === 'contradiction' && rng.next() < 0.5) return ops[0]();
  // version 2: most entailments say less than the premise and most neutral hypotheses say more (as in MNLI, where
  // hypothesis length and added details are among the strongest cues); the rest need the words
  if (pref.length && rng.next() < NLI_P_LESS_MORE) return rng.pick(pref)();
  return rng.pick(ops)();
}

function premiseText(ctx: GenCtx, facts: Fact[], a: Chooser): string {
  return joinClauses(ctx, facts.map((f) => factWords(f, randomStyle(ctx.rng, f, 0.3, 0.2), a)));
}

function joinClauses(ctx: GenCtx, parts: string[][]): string {
  const out: string[] = [];
  parts.forEach((w, j) => {
    if (j > 0) out.push(...(ctx.rng.next() < 0.5 ? [',', 'and'] : ['.']));
    out.push(...w);
  });
  // sentence-initial capitals after a full stop
  return toText([...out, '.']).replace(/\. ([a-z])/g, (_, c: string) => `. ${c.toUpperCase()}`);
}

/** A quantified negative premise: "Nobody bought a kelpo", "No fruit was bought", "Tomas did not buy any fruits". */
interface QFact { kind: 'nobody' | 'notany'; agent: Agent; verb: VerbConcept; noun: NounConcept; asCategory: boolean; place: Place | null; time: string | null }

function randomQFact(ctx: GenCtx): QFact {
  const { p, rng } = ctx;
  const f = randomFact(p, { domains: ctx.domains, pIntransitive: 0, pPlace: 0.4, pTime: 0.2, pNeg: 0, tense: 'past' });
  return { kind: rng.next() < 0.5 ? 'nobody' : 'notany', agent: f.agent, verb: f.verb, noun: f.obj!.noun, asCategory: rng.next() < 0.6, place: f.place, time: f.time };
}

function qfactWords(q: QFact, ch: Chooser, rng: GenCtx['rng']): string[] {
  const v = ch.pick(q.verb);
  const head = (plural: boolean) => (q.asCategory ? (plural ? q.noun.category.pl : q.noun.category.sg) : (plural ? ch.pick(q.noun).pl : ch.pick(q.noun).sg));
  const rest = [...(q.place ? placeWords(q.place, ch) : []), ...(q.time ? q.time.split(' ') : [])];
  if (q.kind === 'nobody') {
    if (rng.next() < 0.4) return ['no', head(false), 'was', v.past, ...rest];
    const sg = head(false);
    return ['nobody', v.past, ...(q.asCategory ? ['any', head(true)] : [isVowelStart(sg) ? 'an' : 'a', sg]), ...rest];
  }
  return rng.next() < 0.6 ? [...agentWords(q.agent, ch), 'did', 'not', v.base, 'any', head(true), ...rest] : [...agentWords(q.agent, ch), v.past, 'no', head(true), ...rest];
}

/** Hypotheses about a quantified negative premise; whether a noun falls under it needs the category. */
function quantHypothesis(ctx: GenCtx, q: QFact, label: NliLabel, others: readonly Fact[], b: Chooser): string[] | null {
  const { p, rng } = ctx;
  const members = q.asCategory ? q.noun.category.nouns.filter((n) => p.available(n)) : [q.noun];
  const member = rng.pick(members);
  const x: Agent = q.kind === 'notany' ? q.agent : { kind: 'name', name: p.name(ctx.lex.names) };
  const rest = [...(q.place ? placeWords(q.place, b) : []), ...(q.time ? q.time.split(' ') : [])];
  const a = (n: NounConcept) => { const sg = b.pick(n).sg; return [isVowelStart(sg) ? 'an' : 'a', sg]; };
  if (label === 'entailment') {
    if (rng.next() < 0.5) return [...agentWords(x, b), 'did', 'not', b.pick(q.verb).base, ...a(member), ...rest];
    // the quantified clause restated for a member: "no kelpo was bought", "Tomas bought no kelpos"
    const m = b.pick(member);
    return q.kind === 'nobody' ? ['no', m.sg, 'was', b.pick(q.verb).past, ...rest] : [...agentWords(q.agent, b), b.pick(q.verb).past, 'no', m.pl, ...rest];
  }
  if (label === 'contradiction') {
    if (q.kind === 'nobody' && rng.next() < 0.3) return ['someone', b.pick(q.verb).past, ...a(member), ...rest];
    if (q.kind === 'notany' && q.asCategory && rng.next() < 0.3) return [...agentWords(x, b), b.pick(q.verb).past, 'some', q.noun.category.pl, ...rest];
    return [...agentWords(x, b), b.pick(q.verb).past, ...a(member), ...rest];
  }
  const ops: (() => string[] | null)[] = [];
  // unknown either way, so half of them are negated too
  const vg = (v: VerbConcept) => (rng.next() < 0.45 ? ['did', 'not', b.pick(v).base] : [b.pick(v).past]);
  const outside = nounsIn(ctx.domains).filter((n) => q.verb.objects.includes(n.category) && !members.includes(n) && p.available(n));
  if (outside.length) ops.push(() => [...agentWords(x, b), ...vg(q.verb), ...a(rng.pick(outside)), ...rest]);
  const v2 = otherVerb(p, q.verb, member);
  if (v2 && !others.some((f) => f.verb === v2)) ops.push(() => [...agentWords(x, b), ...vg(v2), ...a(member), ...rest]);
  if (q.kind === 'notany') ops.push(() => [...agentWords(otherAgent(p, q.agent, others.map((f) => f.agent)), b), ...vg(q.verb), ...a(member), ...rest]);
  if (q.place) { const pl = q.place; ops.push(() => [...agentWords(x, b), ...vg(q.verb), ...a(member), ...placeWords(p.concept(pl.domain.places, (o) => o !== pl), b)]); }
  return ops.length ? rng.pick(ops)() : null;
}

function nliExample(ctx: GenCtx, label: NliLabel, nFacts: number): { premise: string; hypothesis: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const a = new Chooser(ctx.p);
    if (ctx.rng.next() < NLI_P_QUANT) {
      // a quantified negative premise clause plus ordinary facts with other verbs (so they cannot conflict with it)
      const q = randomQFact(ctx);
      const others = premiseFacts(ctx, nFacts - 1).filter((f) => f.verb !== q.verb && !sameAgent(f.agent, q.agent));
      if (others.length !== nFacts - 1) continue;
      const hyp = quantHypothesis(ctx, q, label, others, new Chooser(ctx.p, a, 0, NLI_KEEP_WORD));
      if (!hyp) continue;
      const clauses = ctx.rng.shuffle([qfactWords(q, a, ctx.rng), ...others.map((f) => factWords(f, randomStyle(ctx.rng, f, 0.3, 0.2), a))]);
      return { premise: joinClauses(ctx, clauses), hypothesis: toText([...hyp, '.']) };
    }
    const facts = ctx.rng.shuffle(premiseFacts(ctx, nFacts));
    const i = ctx.rng.int(facts.length);
    const built = hypothesis(ctx, facts, i, label, a);
    if (!built) continue;
    return { premise: premiseText(ctx, built.premise, a), hypothesis: toText([...built.hyp, '.']) };
  }
  throw new Error(`mini NLI: no ${label} hypothesis found in 20 attempts`);
}

const NLI_LABELS: NliLabel[] = ['entailment', 'neutral', 'contradiction'];
/** MNLI genres: training and dev_matched use the first three domains, dev_mismatched the other two. */
export const MNLI_MATCHED_DOMAINS = ['market', 'workshop', 'farm'];

export const MNLI_MINI: MiniTaskDef = {
  task: 'glue-mnli', version: '2',
  sizes: { train: 2400, dev_matched: 450, dev_mismatched: 450 },
  labelShares: [1 / 3, 1 / 3, 1 / 3],
  generate: (ctx, label) => nliExample(ctx, NLI_LABELS[label], ctx.rng.next() < 0.5 ? 1 : 2),
  domainsFor: (set) => lexicon().domains.filter((d) => MNLI_MATCHED_DOMAINS.includes(d.name) === (set !== 'dev_mismatched')),
};

export const RTE_MINI: MiniTaskDef = {
  task: 'glue-rte', version: '2',
  sizes: { train: 1000, dev: 400 },
  labelShares: [0.5, 0.5],
  generate: (ctx, label) => {
    const l: NliLabel = label === 0 ? 'entailment' : ctx.rng.next() < 0.5 ? 'neutral' : 'contradiction';
    const ex = nliExample(ctx, l, ctx.rng.next() < 0.75 ? 2 : 3);
    return { sentence1: ex.premise, sentence2: ex.hypothesis };
  },
};
