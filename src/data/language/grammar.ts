// Meaning structures of the mini language (noun phrases, facts, questions) and their realisation as English-like
// word sequences. One meaning has many surfaces: synonyms (a Chooser picks a lemma per concept), active or passive
// voice, a fronted place or time phrase. Tasks build meanings, edit them, and realise them.
import type { Rng } from '../../engine/rng.js';
import { NUMBERS, type Name, type NounConcept, type NounLemma, type Place, type RoleConcept, type SentimentConcept, type VerbConcept, type VerbLemma, type Lemma, type Category } from './lexicon.js';

/** Which words a generator may use: task training data only sees common lemmas; evaluation data sees all. */
export type Pool = 'train' | 'eval';

interface HasLemmas<L> { lemmas: readonly L[] }
type Rarity = { rare: boolean };

export class Picker {
  constructor(readonly rng: Rng, readonly pool: Pool) {}

  /** The lemmas usable in this pool (do not mutate the result: in the eval pool it is the concept's own list). */
  allowed<L extends Rarity>(lemmas: readonly L[]): readonly L[] {
    return this.pool === 'eval' ? lemmas : lemmas.filter((l) => !l.rare);
  }

  available<C extends HasLemmas<Rarity>>(c: C): boolean { return this.pool === 'eval' ? c.lemmas.length > 0 : c.lemmas.some((l) => !l.rare); }

  /** A concept with at least one lemma usable in this pool. */
  concept<C extends HasLemmas<Rarity>>(items: readonly C[], filter?: (c: C) => boolean): C {
    if (this.pool === 'eval' && !filter) return this.rng.pick(items);
    const ok = items.filter((c) => this.available(c) && (!filter || filter(c)));
    if (!ok.length) throw new Error('Picker: no concept available for this pool and filter');
    return this.rng.pick(ok);
  }

  name(names: readonly Name[], except: readonly Name[] = []): Name {
    const ok = names.filter((n) => (this.pool === 'eval' || !n.rare) && !except.includes(n));
    return this.rng.pick(ok);
  }
}

/** Picks one lemma per concept and remembers it, so a concept reads the same within one realisation. */
export class Chooser {
  private readonly memo = new Map<object, Rarity>();
  /**
   * @param avoid another realisation's choices; with probability `pDiffer` a concept it also used gets a different
   *   lemma (a synonym) when one is available, which is how paraphrases get lexical variation.
   * @param pSame with this probability a concept `avoid` also used keeps its lemma (checked before `pDiffer`);
   *   otherwise the lemma is drawn as usual, so it may still come out the same.
   */
  constructor(private readonly picker: Picker, private readonly avoid?: Chooser, private readonly pDiffer = 0, private readonly pSame = 0) {}

  pick<L extends Rarity>(c: HasLemmas<L>): L {
    const m = this.memo.get(c);
    if (m) return m as L;
    let options = this.picker.allowed(c.lemmas);
    if (!options.length) throw new Error('Chooser: concept has no lemma in this pool');
    const prev = this.avoid?.chosen(c);
    if (prev && this.pSame > 0 && options.includes(prev) && this.picker.rng.next() < this.pSame) { this.memo.set(c, prev); return prev as L; }
    if (prev && options.length > 1 && this.picker.rng.next() < this.pDiffer) options = options.filter((l) => l !== prev);
    const l = this.picker.rng.pick(options);
    this.memo.set(c, l);
    return l;
  }

  chosen<L>(c: HasLemmas<L>): L | undefined { return this.memo.get(c) as L | undefined; }
}

export interface NP {
  noun: NounConcept;
  plural: boolean;
  /** An explicit number (2..9) for plurals, or null. */
  count: number | null;
  det: 'def' | 'indef' | 'any';
  color: string | null;
  senti: SentimentConcept | null;
  /** Realise the noun as its category word ("fruit") instead of the noun itself. */
  asCategory?: boolean;
}

export type Agent =
  | { kind: 'name'; name: Name }
  | { kind: 'role'; role: RoleConcept; plural: boolean }
  | { kind: 'someone' };

export type Tense = 'past' | 'present';
export interface Fact {
  agent: Agent;
  verb: VerbConcept;
  obj: NP | null;
  place: Place | null;
  time: string | null;
  neg: boolean;
  tense: Tense;
}
export interface Style { voice: 'active' | 'passive'; front: 'none' | 'place' | 'time' }
export const PAST_TIMES = ['yesterday', 'last week', 'this morning', 'last evening'];
export const PRESENT_TIMES = ['every day', 'every week', 'today'];

export function isVowelStart(w: string): boolean { return /^[aeiou]/.test(w); }

export function npWords(np: NP, ch: Chooser): string[] {
  const head: string[] = [];
  if (np.senti) head.push(ch.pick(np.senti).text);
  if (np.color) head.push(np.color);
  if (np.asCategory) head.push(np.plural ? np.noun.category.pl : np.noun.category.sg);
  else { const l: NounLemma = ch.pick(np.noun); head.push(np.plural ? l.pl : l.sg); }
  const det: string[] = [];
  if (np.det === 'def') { det.push('the'); if (np.plural && np.count) det.push(NUMBERS[np.count - 1]); }
  else if (np.det === 'any') det.push('any');
  else if (!np.plural) det.push(isVowelStart(head[0]) ? 'an' : 'a');
  else det.push(np.count ? NUMBERS[np.count - 1] : 'some');
  return [...det, ...head];
}

export function agentWords(a: Agent, ch: Chooser): string[] {
  if (a.kind === 'name') return [a.name.text];
  if (a.kind === 'someone') return ['someone'];
  const l = ch.pick(a.role);
  return ['the', a.plural ? l.pl : l.sg];
}
export const agentPlural = (a: Agent) => a.kind === 'role' && a.plural;

export function placeWords(p: Place, ch: Chooser): string[] { return ['at', 'the', ch.pick(p).text]; }

function verbGroup(v: VerbLemma, tense: Tense, plural: boolean, neg: boolean): string[] {
  if (tense === 'past') return neg ? ['did', 'not', v.base] : [v.past];
  if (neg) return [plural ? 'do' : 'does', 'not', v.base];
  return [plural ? v.base : v.s];
}

/** A fact as words (no final punctuation). Passive voice needs an object. */
export function factWords(f: Fact, style: Style, ch: Chooser): string[] {
  const v = ch.pick(f.verb);
  let core: string[];
  if (style.voice === 'passive' && f.obj) {
    const aux = f.tense === 'past' ? (f.obj.plural ? 'were' : 'was') : (f.obj.plural ? 'are' : 'is');
    core = [...npWords(f.obj, ch), aux, ...(f.neg ? ['not'] : []), v.past, 'by', ...agentWords(f.agent, ch)];
  } else {
    core = [...agentWords(f.agent, ch), ...verbGroup(v, f.tense, agentPlural(f.agent), f.neg), ...(f.obj ? npWords(f.obj, ch) : [])];
  }
  const place = f.place ? placeWords(f.place, ch) : [];
  const time = f.time ? f.time.split(' ') : [];
  if (style.front === 'place' && place.length) return [...place, ',', ...core, ...time];
  if (style.front === 'time' && time.length) return [...time, ',', ...core, ...place];
  return [...core, ...place, ...time];
}

export type Wh = 'who' | 'what' | 'which' | 'where' | 'when' | 'howmany' | 'yesno';
/** A question about a past fact; the slot it asks about is ignored in `fact` when realising. */
export interface Question { wh: Wh; fact: Fact }

export function questionWords(q: Question, voice: 'active' | 'passive', ch: Chooser): string[] {
  const f = q.fact;
  const v = ch.pick(f.verb);
  const agent = agentWords(f.agent, ch);
  const not = f.neg ? ['not'] : [];
  const obj = f.obj ? npWords(f.obj, ch) : [];
  const aux = f.obj?.plural ? 'were' : 'was';
  const place = f.place && q.wh !== 'where' ? placeWords(f.place, ch) : [];
  const time = f.time && q.wh !== 'when' ? f.time.split(' ') : [];
  const passive = voice === 'passive' && f.obj !== null;
  let w: string[];
  switch (q.wh) {
    case 'who':
      w = passive ? ['by', 'whom', aux, ...obj, ...not, v.past] : ['who', ...(f.neg ? ['did', 'not', v.base] : [v.past]), ...obj];
      break;
    case 'what':
      w = passive ? ['what', 'was', ...not, v.past, 'by', ...agent] : ['what', 'did', ...agent, ...not, v.base];
      break;
    case 'which': {
      const cat = f.obj!.plural ? f.obj!.noun.category.pl : f.obj!.noun.category.sg;
      w = passive ? ['which', cat, aux, ...not, v.past, 'by', ...agent] : ['which', cat, 'did', ...agent, ...not, v.base];
      break;
    }
    case 'howmany': {
      const np = f.obj!;
      const head = [...(np.senti ? [ch.pick(np.senti).text] : []), ...(np.color ? [np.color] : []), ch.pick(np.noun).pl];
      w = passive ? ['how', 'many', ...head, 'were', ...not, v.past, 'by', ...agent] : ['how', 'many', ...head, 'did', ...agent, ...not, v.base];
      break;
    }
    case 'where': case 'when':
      w = passive ? [q.wh, aux, ...obj, ...not, v.past, 'by', ...agent] : [q.wh, 'did', ...agent, ...not, v.base, ...obj];
      break;
    case 'yesno':
      w = passive ? [aux, ...obj, ...not, v.past, 'by', ...agent] : ['did', ...agent, ...not, v.base, ...obj];
      break;
  }
  return [...w, ...place, ...time, '?'];
}

/** Words to text: punctuation attaches to the previous word, the first letter is capitalised. */
export function toText(words: readonly string[]): string {
  let s = '';
  for (const w of words) s += (s && !/^[.,?]$/.test(w) ? ' ' : '') + w;
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Splits text the way the tokenizer's pre-tokenizer does (words and single punctuation marks), lowercased. */
export function textTokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+|[^\sa-z0-9]/g) ?? [];
}

// ---- building meanings ------------------------------------------------------------------------------------

export interface NPOptions { pColor?: number; pSenti?: number; pPlural?: number; pDef?: number; category?: Category }

export function randomNP(p: Picker, lex: { nouns: NounConcept[]; colors: string[]; sentiments: SentimentConcept[] }, nouns: readonly NounConcept[], o: NPOptions = {}): NP {
  const rng = p.rng;
  const noun = p.concept(nouns);
  const plural = rng.next() < (o.pPlural ?? 0.35);
  return {
    noun, plural,
    count: plural && rng.next() < 0.6 ? 2 + rng.int(8) : null,
    det: rng.next() < (o.pDef ?? 0.5) ? 'def' : 'indef',
    color: rng.next() < (o.pColor ?? 0.3) ? rng.pick(lex.colors) : null,
    senti: rng.next() < (o.pSenti ?? 0) ? p.concept(lex.sentiments) : null,
  };
}

export function randomAgent(p: Picker, names: readonly Name[], roles: readonly RoleConcept[], pRole = 0.3): Agent {
  if (p.rng.next() < pRole) return { kind: 'role', role: p.concept(roles), plural: p.rng.next() < 0.4 };
  return { kind: 'name', name: p.name(names) };
}

export function randomStyle(rng: Rng, f: Fact, pPassive = 0.3, pFront = 0.2): Style {
  const voice = f.obj && rng.next() < pPassive ? 'passive' : 'active';
  const fronts: Style['front'][] = [];
  if (f.place) fronts.push('place');
  if (f.time) fronts.push('time');
  return { voice, front: fronts.length && rng.next() < pFront ? rng.pick(fronts) : 'none' };
}

export function sameAgent(a: Agent, b: Agent): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'name' && b.kind === 'name') return a.name === b.name;
  if (a.kind === 'role' && b.kind === 'role') return a.role === b.role && a.plural === b.plural;
  return true;
}

export type { Lemma };
