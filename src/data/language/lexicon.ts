// The lexicon of the mini language: English function words and a fixed set of pseudo-word content words, built
// deterministically from LANGUAGE_SEED (never from a run's seed: the tokenizer, the pretraining corpus and every
// task's data must share one vocabulary). See index.ts for the design and why some words are "rare".
import { Rng } from '../../engine/rng.js';
import { WordForge, nounForms, plainForm, verbForms } from './words.js';

/** Bump when the lexicon or grammar changes anything generated (it enters every data fingerprint). */
export const LANGUAGE_VERSION = 'minilang-1';
export const LANGUAGE_SEED = 20240617;

export interface Lemma { text: string; rare: boolean }
export interface NounLemma { sg: string; pl: string; rare: boolean }
export interface VerbLemma { base: string; s: string; past: string; rare: boolean }

export interface Domain { id: number; name: string; categories: Category[]; places: Place[] }
export interface Category { id: number; sg: string; pl: string; domain: Domain; nouns: NounConcept[] }
export interface NounConcept {
  kind: 'noun'; id: number; lemmas: NounLemma[]; category: Category;
  /** The noun's signature (shared by its synonyms, unique within its category): where it is kept, its usual
   * colour, who usually has it, what is usually done with it. */
  home: Place; color: string; owner: RoleConcept; verb: VerbConcept;
}
export interface Place { kind: 'place'; id: number; lemmas: Lemma[]; domain: Domain }
export interface RoleConcept { kind: 'role'; id: number; lemmas: NounLemma[] }
export interface Name { kind: 'name'; id: number; text: string; rare: boolean }
export interface VerbConcept {
  kind: 'verb'; id: number; transitive: boolean; lemmas: VerbLemma[];
  /** Object categories the verb takes (its distributional signature); every category for general verbs. */
  objects: Category[];
  /** Who usually does it and where (more of its signature). */
  agent: RoleConcept; place: Place;
}
export interface SentimentConcept {
  kind: 'sentiment'; id: number; polarity: 1 | -1;
  /** 1 = mild, 2 = clear, 3 = strong. */
  strength: 1 | 2 | 3;
  lemmas: Lemma[];
  /** Categories the adjective is typically said of, and one noun it is most often said of (a distributional
   * signature shared by its synonyms). */
  topics: Category[];
  noun: NounConcept;
}

export interface Lexicon {
  version: string;
  domains: Domain[];
  categories: Category[];
  nouns: NounConcept[];
  places: Place[];
  roles: RoleConcept[];
  names: Name[];
  verbs: VerbConcept[];
  transitiveVerbs: VerbConcept[];
  intransitiveVerbs: VerbConcept[];
  sentiments: SentimentConcept[];
  colors: string[];
  /** Every word type the grammar can produce, lowercase, plus punctuation. */
  words: string[];
}

export const COLORS = ['red', 'blue', 'green', 'yellow', 'black', 'white', 'brown', 'gray'];
export const NUMBERS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const DOMAIN_DEFS: [string, [string, string][]][] = [
  ['market', [['fruit', 'fruits'], ['vegetable', 'vegetables']]],
  ['workshop', [['tool', 'tools'], ['machine', 'machines']]],
  ['farm', [['animal', 'animals'], ['vehicle', 'vehicles']]],
  ['home', [['garment', 'garments'], ['utensil', 'utensils']]],
  ['leisure', [['instrument', 'instruments'], ['toy', 'toys']]],
];
/** English words the grammar uses; pseudo-words must never collide with them. */
export const FUNCTION_WORDS = [
  'the', 'a', 'an', 'some', 'no', 'any', 'every', 'all', 'and', 'but', 'or', 'because', 'so', 'although', 'then', 'that',
  'this', 'it', 'i', 'they', 'who', 'whom', 'what', 'where', 'when', 'why', 'how', 'many', 'which', 'was', 'were', 'is',
  'are', 'did', 'does', 'do', 'not', 'never', 'hardly', 'just', 'only', 'even', 'also', 'very', 'really', 'quite', 'truly',
  'extremely', 'somewhat', 'slightly', 'rather', 'by', 'at', 'in', 'on', 'with', 'to', 'of', 'for', 'about', 'than',
  'more', 'least', 'exactly', 'someone', 'nobody', 'nothing', 'something', 'yesterday', 'today', 'last', 'week',
  'morning', 'evening', 'day', 'said', 'thought', 'found', 'kind', 'word', 'another', 'called', 'means', 'usually',
  'people', 'keep', 'happy', 'sad', 'smiled', 'frowned', 'praised', 'complained', 'recommended', 'avoided', 'cheered',
  'sighed', 'other', 'words', 'could', 'have', 'been', 'same', 'thing', 'place', 'be', 'would', 'like',
  'liked', 'disliked', 'loved', 'hated', 'each', 'there', 'yes', 'both', 'them', 'whole', 'as', 'think',
  ...COLORS, ...NUMBERS,
];
export const PUNCTUATION = ['.', ',', '?'];

function buildLexicon(seed: number): Lexicon {
  const rng = new Rng(seed);
  const categoryWords = DOMAIN_DEFS.flatMap(([, cs]) => cs.flat());
  const forge = new WordForge(rng.fork('words'), [...FUNCTION_WORDS, ...categoryWords]);
  const r = rng.fork('structure');
  // A concept's first lemma is common; extra synonyms are rare with p=0.6 (some synonym pairs stay fully
  // common so training can learn the skill "synonyms are interchangeable"); a single-lemma concept is rare
  // with p=0.35 (the whole concept is then unseen in task training data).
  const lemmaCount = () => { const u = r.next(); return u < 0.55 ? 1 : u < 0.9 ? 2 : 3; };
  const rareFlags = (n: number) => n === 1 ? [r.next() < 0.35] : Array.from({ length: n }, (_, i) => i > 0 && r.next() < 0.6);

  const domains: Domain[] = []; const categories: Category[] = []; const places: Place[] = [];
  for (const [name, cats] of DOMAIN_DEFS) {
    const d: Domain = { id: domains.length, name, categories: [], places: [] };
    domains.push(d);
    for (const [sg, pl] of cats) { const c: Category = { id: categories.length, sg, pl, domain: d, nouns: [] }; d.categories.push(c); categories.push(c); }
    for (let i = 0; i < 6; i++) {
      const n = r.next() < 0.25 ? 2 : 1; const rare = rareFlags(n);
      const p: Place = { kind: 'place', id: places.length, domain: d, lemmas: rare.map((rr) => ({ ...forge.fresh(plainForm), rare: rr })) };
      d.places.push(p); places.push(p);
    }
  }
  const roles: RoleConcept[] = [];
  for (let i = 0; i < 10; i++) {
    const n = r.next() < 0.4 ? 2 : 1;
    roles.push({ kind: 'role', id: i, lemmas: Array.from({ length: n }, (_, j) => ({ ...forge.fresh(nounForms), rare: j > 0 && r.next() < 0.5 })) });
  }
  const nouns: NounConcept[] = [];
  for (const c of categories) {
    // each noun's (home place, colour, owner) is unique within its category: the contexts its synonyms share and
    // its co-hyponyms do not
    const used = new Set<string>();
    for (let i = 0; i < 8; i++) {
      let home: Place, color: string, owner: RoleConcept;
      do { home = r.pick(c.domain.places); color = r.pick(COLORS); owner = r.pick(roles); } while (used.has(`${home.id}/${color}/${owner.id}`));
      used.add(`${home.id}/${color}/${owner.id}`);
      const rare = rareFlags(lemmaCount());
      const n: NounConcept = {
        kind: 'noun', id: nouns.length, category: c, home, color, owner, verb: null as unknown as VerbConcept,
        lemmas: rare.map((rr) => ({ ...forge.fresh(nounForms), rare: rr })),
      };
      c.nouns.push(n); nouns.push(n);
    }
  }
  const names: Name[] = [];
  for (let i = 0; i < 60; i++) {
    const t = forge.fresh(plainForm).text;
    names.push({ kind: 'name', id: i, text: t[0].toUpperCase() + t.slice(1), rare: r.next() < 0.3 });
  }
  const verbs: VerbConcept[] = [];
  for (let i = 0; i < 32; i++) {
    // 8 general verbs take any object; the rest prefer two categories (their signature)
    const objects = i < 8 ? categories.slice() : r.shuffle(categories.slice()).slice(0, 2);
    const rare = rareFlags(lemmaCount());
    verbs.push({ kind: 'verb', id: verbs.length, transitive: true, objects, agent: r.pick(roles), place: r.pick(places), lemmas: rare.map((rr) => ({ ...forge.fresh(verbForms), rare: rr })) });
  }
  for (let i = 0; i < 12; i++) {
    const rare = rareFlags(r.next() < 0.7 ? 1 : 2);
    verbs.push({ kind: 'verb', id: verbs.length, transitive: false, objects: [], agent: r.pick(roles), place: r.pick(places), lemmas: rare.map((rr) => ({ ...forge.fresh(verbForms), rare: rr })) });
  }
  // a noun's typical verb: one of the specific verbs that take its category, else a general one
  for (const n of nouns) {
    const specific = verbs.filter((v, i) => v.transitive && i >= 8 && v.objects.includes(n.category));
    n.verb = r.pick(specific.length ? specific : verbs.slice(0, 8));
  }
  const sentiments: SentimentConcept[] = [];
  for (const polarity of [1, -1] as const) {
    for (let i = 0; i < 20; i++) {
      const strength = (1 + (i % 3)) as 1 | 2 | 3;
      const n = r.next() < 0.3 ? 1 : r.next() < 0.75 ? 2 : 3;
      const rare = rareFlags(n);
      sentiments.push({
        kind: 'sentiment', id: sentiments.length, polarity, strength,
        topics: r.shuffle(categories.slice()).slice(0, 3),
        lemmas: rare.map((rr) => ({ ...forge.fresh(plainForm), rare: rr })),
        noun: null as unknown as NounConcept,
      });
    }
  }
  for (const s of sentiments) s.noun = r.pick(s.topics[0].nouns);
  const words = new Set<string>([...FUNCTION_WORDS, ...categoryWords, ...PUNCTUATION]);
  for (const p of places) for (const l of p.lemmas) words.add(l.text);
  for (const n of [...nouns, ...roles]) for (const l of n.lemmas) { words.add(l.sg); words.add(l.pl); }
  for (const n of names) words.add(n.text.toLowerCase());
  for (const v of verbs) for (const l of v.lemmas) { words.add(l.base); words.add(l.s); words.add(l.past); }
  for (const s of sentiments) for (const l of s.lemmas) words.add(l.text);
  return {
    version: LANGUAGE_VERSION, domains, categories, nouns, places, roles, names, verbs,
    transitiveVerbs: verbs.filter((v) => v.transitive), intransitiveVerbs: verbs.filter((v) => !v.transitive),
    sentiments, colors: COLORS, words: [...words].sort(),
  };
}

let cached: Lexicon | null = null;
/** The language's lexicon (built once per process; deterministic). */
export function lexicon(): Lexicon {
  if (!cached) cached = buildLexicon(LANGUAGE_SEED);
  return cached;
}
/** For tests: a lexicon from another seed (to check determinism and that the seed matters). */
export function buildLexiconForSeed(seed: number): Lexicon { return buildLexicon(seed); }
