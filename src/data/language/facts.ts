// Random facts drawn from the lexicon with the language's regularities: a verb takes objects from its categories,
// places come from the object's domain (often the noun's home place), times match the tense. The corpus and every
// task share these, so what the corpus teaches about co-occurrence holds in task data too.
import type { Rng } from '../../engine/rng.js';
import { lexicon, type Domain, type NounConcept, type Place, type VerbConcept } from './lexicon.js';
import { PAST_TIMES, PRESENT_TIMES, randomAgent, randomNP, type Fact, type NP, type Picker, type Tense } from './grammar.js';

export interface FactOptions {
  /** Restrict nouns and places to these domains (MNLI genres). */
  domains?: readonly Domain[];
  pIntransitive?: number;
  pPlace?: number;
  pTime?: number;
  pNeg?: number;
  pRole?: number;
  pColor?: number;
  pSenti?: number;
  pPlural?: number;
  tense?: Tense | 'any';
}

const nounsCache = new Map<string, NounConcept[]>();
/** The nouns of some domains (all nouns without a restriction); cached, do not mutate. */
export function nounsIn(domains?: readonly Domain[]): NounConcept[] {
  const lex = lexicon();
  if (!domains) return lex.nouns;
  const key = domains.map((d) => d.id).join(',');
  let r = nounsCache.get(key);
  if (!r) { r = domains.flatMap((d) => d.categories.flatMap((c) => c.nouns)); nounsCache.set(key, r); }
  return r;
}

const verbsCache = new WeakMap<readonly NounConcept[], Map<string, VerbConcept[]>>();
/** Transitive verbs usable in the pool that take one of these nouns (cached per noun list and pool). */
export function verbsFor(p: Picker, nouns: readonly NounConcept[]): VerbConcept[] {
  let byPool = verbsCache.get(nouns);
  if (!byPool) { byPool = new Map(); verbsCache.set(nouns, byPool); }
  let r = byPool.get(p.pool);
  if (!r) {
    const cats = new Set(nouns.filter((n) => p.available(n)).map((n) => n.category));
    r = lexicon().transitiveVerbs.filter((v) => p.available(v) && v.objects.some((c) => cats.has(c)));
    byPool.set(p.pool, r);
  }
  return r;
}

export function objectNP(p: Picker, verb: VerbConcept, nouns: readonly NounConcept[], o: FactOptions = {}): NP {
  const lex = lexicon();
  const ok = nouns.filter((n) => verb.objects.includes(n.category));
  return randomNP(p, lex, ok.length ? ok : nouns, { pColor: o.pColor ?? 0.3, pSenti: o.pSenti ?? 0.1, pPlural: o.pPlural });
}

export function placeFor(p: Picker, noun: NounConcept | null, domains?: readonly Domain[]): Place {
  const lex = lexicon();
  if (noun && p.available(noun.home) && p.rng.next() < 0.4) return noun.home;
  const pool = noun ? noun.category.domain.places : (domains ?? lex.domains).flatMap((d) => d.places);
  return p.concept(pool);
}

export function timeFor(rng: Rng, tense: Tense): string { return rng.pick(tense === 'past' ? PAST_TIMES : PRESENT_TIMES); }

export function randomFact(p: Picker, o: FactOptions = {}): Fact {
  const lex = lexicon();
  const rng = p.rng;
  const tense: Tense = o.tense === 'present' ? 'present' : o.tense === 'any' && rng.next() < 0.3 ? 'present' : 'past';
  let agent = randomAgent(p, lex.names, lex.roles, o.pRole ?? 0.3);
  const nouns = nounsIn(o.domains);
  let verb: VerbConcept; let obj: NP | null = null;
  if (rng.next() < (o.pIntransitive ?? 0)) verb = p.concept(lex.intransitiveVerbs);
  else { verb = rng.pick(verbsFor(p, nouns)); obj = objectNP(p, verb, nouns, o); }
  // the world has habits: a role agent is often the verb's usual doer (part of the verb's signature)
  if (agent.kind === 'role' && p.available(verb.agent) && rng.next() < 0.5) agent = { ...agent, role: verb.agent };
  const inDomain = !o.domains || o.domains.includes(verb.place.domain);
  return {
    agent, verb, obj,
    place: rng.next() < (o.pPlace ?? 0.5) ? (inDomain && p.available(verb.place) && rng.next() < 0.2 ? verb.place : placeFor(p, obj?.noun ?? null, o.domains)) : null,
    time: rng.next() < (o.pTime ?? 0.25) ? timeFor(rng, tense) : null,
    neg: rng.next() < (o.pNeg ?? 0.15),
    tense,
  };
}

/** A different noun of the same category (a co-hyponym), usable in the pool; null if none. */
export function coHyponym(p: Picker, n: NounConcept): NounConcept | null {
  const ok = n.category.nouns.filter((m) => m !== n && p.available(m));
  return ok.length ? p.rng.pick(ok) : null;
}

/** A different transitive verb that can take `noun` as its object; null if none. */
export function otherVerb(p: Picker, v: VerbConcept, noun: NounConcept | null): VerbConcept | null {
  const ok = lexicon().verbs.filter((w) => w !== v && w.transitive === v.transitive && p.available(w) && (!noun || w.objects.includes(noun.category)));
  return ok.length ? p.rng.pick(ok) : null;
}
