// The pretraining corpus: short passages of the mini language in which every word (common and rare) occurs in
// the contexts that carry its meaning: nouns with their category, home place and usual colour; synonyms in the
// same contexts (and occasionally defined); sentiment adjectives next to polarity cues and strength-matched
// intensifiers, under negation and contrast; questions with their answers; paraphrase and entailment passages;
// number agreement across relative clauses. Masked-language modelling on it is what `text-mini` knows.
import { Rng } from '../../engine/rng.js';
import { lexicon, NUMBERS, type NounConcept } from './lexicon.js';
import { Chooser, Picker, factWords, npWords, questionWords, randomStyle, toText, agentWords, agentPlural, placeWords, type Fact, type Wh, type NP } from './grammar.js';
import { randomFact } from './facts.js';
import { CUES, intensifierFor, sentimentOf, topicNoun } from './sentiment.js';

type Gen = (p: Picker) => string;

const factSentence: Gen = (p) => {
  const f = randomFact(p, { pIntransitive: 0.15, tense: 'any', pNeg: 0.15, pSenti: 0.1 });
  return toText([...factWords(f, randomStyle(p.rng, f), new Chooser(p)), '.']);
};

const nounKnowledge: Gen = (p) => {
  const rng = p.rng; const lex = lexicon();
  const n = p.concept(lex.nouns); const l = new Chooser(p).pick(n);
  const art = (w: string) => (/^[aeiou]/.test(w) ? 'an' : 'a');
  switch (rng.int(6)) {
    case 0: return toText([art(l.sg), l.sg, 'is', 'a', 'kind', 'of', n.category.sg, '.']);
    case 1: return toText([l.pl, 'are', n.category.pl, '.']);
    case 2: return toText([l.pl, 'are', 'usually', n.color, '.']);
    case 3: {
      const ch = new Chooser(p);
      return toText([...(rng.next() < 0.5 ? ['people'] : ['the', ch.pick(n.owner).pl]), 'keep', l.pl, ...placeWords(n.home, ch), '.']);
    }
    case 4: return toText(['every', l.sg, 'is', art(n.category.sg), n.category.sg, ',', 'and', 'it', 'is', 'usually', n.color, '.']);
    default: return toText(['the', l.sg, 'was', n.color, ',', 'like', 'every', 'other', l.sg, '.']);
  }
};

const synonymDefinition: Gen = (p) => {
  const lex = lexicon(); const rng = p.rng;
  const multi = <C extends { lemmas: readonly unknown[] }>(xs: readonly C[]) => xs.filter((c) => c.lemmas.length > 1);
  const k = rng.int(4);
  if (k === 0) {
    const n = rng.pick(multi(lex.nouns)); const [a, b] = rng.shuffle(n.lemmas.slice());
    return toText([/^[aeiou]/.test(a.sg) ? 'an' : 'a', a.sg, 'is', 'another', 'word', 'for', /^[aeiou]/.test(b.sg) ? 'an' : 'a', b.sg, '.']);
  }
  if (k === 1) { const v = rng.pick(multi(lex.verbs)); const [a, b] = rng.shuffle(v.lemmas.slice()); return toText(['to', a.base, 'means', 'to', b.base, '.']); }
  if (k === 2) { const s = rng.pick(multi(lex.sentiments)); const [a, b] = rng.shuffle(s.lemmas.slice()); return toText([a.text, 'means', 'the', 'same', 'thing', 'as', b.text, '.']); }
  const pl = rng.pick(multi([...lex.places])); const [a, b] = rng.shuffle(pl.lemmas.slice());
  return toText(['the', a.text, 'is', 'also', 'called', 'the', b.text, '.']);
};

const sentimentPassage: Gen = (p) => {
  const rng = p.rng; const lex = lexicon(); const ch = new Chooser(p);
  const pol: 1 | -1 = rng.next() < 0.5 ? 1 : -1;
  const s = sentimentOf(p, pol);
  const n = topicNoun(p, s);
  const plural = rng.next() < 0.3;
  const np: NP = { noun: n, plural, count: null, det: 'def', color: null, senti: null };
  const subj = npWords(np, ch);
  const be = plural ? 'were' : 'was';
  const adj = [...intensifierFor(rng, s), ch.pick(s).text];
  const agent = agentWords({ kind: 'name', name: p.name(lex.names) }, ch);
  const react = () => rng.pick<readonly string[]>(CUES.act[pol]).map((w) => (w === 'it' && plural ? 'them' : w));
  switch (rng.int(9)) {
    case 0: return toText([...agent, 'was', CUES.mood[pol], 'because', ...subj, be, ...adj, '.']);
    case 1: return toText([...subj, be, ...adj, ',', 'so', ...agent, ...react(), '.']);
    case 2: return toText([...agent, CUES.face[pol], 'at', 'the', ch.pick(s).text, plural ? ch.pick(n).pl : ch.pick(n).sg, '.']);
    case 3: return toText([...subj, be, 'not', ch.pick(s).text, ',', 'so', ...agent, 'was', CUES.mood[pol === 1 ? -1 : 1], '.']);
    case 4: {
      // graded strength: "not just <milder>, it was <stronger>" with the same polarity
      const weak = sentimentOf(p, pol, (t) => t.strength === 1); const strong = sentimentOf(p, pol, (t) => t.strength === 3);
      return toText([...subj, be, 'not', 'just', ch.pick(weak).text, ',', plural ? 'they' : 'it', be, ch.pick(strong).text, '.']);
    }
    case 5: {
      const t = sentimentOf(p, pol, (x) => x !== s);
      return toText([...subj, be, ch.pick(s).text, 'and', ...intensifierFor(rng, t), ch.pick(t).text, '.']);
    }
    case 6: {
      const o = sentimentOf(p, pol === 1 ? -1 : 1); const n2 = topicNoun(p, o);
      return toText([...subj, be, ch.pick(s).text, ',', 'but', 'the', ch.pick(n2).sg, 'was', ch.pick(o).text, '.']);
    }
    case 7: return toText(['i', rng.pick(CUES.like[pol]), ...subj, 'because', plural ? 'they' : 'it', be, ...adj, '.']);
    default: return toText([...agent, 'said', 'that', ...subj, be, ...adj, ',', 'and', ...agent, ...react(), '.']);
  }
};

const questionAnswer: Gen = (p) => {
  const rng = p.rng;
  const f: Fact = randomFact(p, { pNeg: 0, pPlace: 0.6, pTime: 0.3 });
  const options: Wh[] = ['who', 'what', 'which', 'yesno'];
  if (f.place) options.push('where');
  if (f.time) options.push('when');
  if (f.obj?.plural && f.obj.count) options.push('howmany');
  const wh = rng.pick(options);
  const ch = new Chooser(p);
  const q = questionWords({ wh, fact: f }, rng.next() < 0.3 ? 'passive' : 'active', ch);
  let a: string[];
  switch (wh) {
    case 'who': a = [...agentWords(f.agent, ch), 'did']; break;
    case 'what': case 'which': a = npWords(f.obj!, ch); break;
    case 'where': a = placeWords(f.place!, ch); break;
    case 'when': a = f.time!.split(' '); break;
    case 'howmany': a = [NUMBERS[f.obj!.count! - 1]]; break;
    default: a = ['yes', ',', ...agentWords(f.agent, ch), 'did'];
  }
  return `${toText(q)} ${toText([...a, '.'])}`;
};

const paraphrasePassage: Gen = (p) => {
  const f = randomFact(p, { pPlace: 0.5, pTime: 0.3, pNeg: 0.15 });
  const a = new Chooser(p); const b = new Chooser(p, a, 0.9);
  const s1 = factWords(f, randomStyle(p.rng, f), a);
  const s2 = factWords(f, { voice: f.obj && p.rng.next() < 0.6 ? 'passive' : 'active', front: 'none' }, b);
  return `${toText([...s1, '.'])} ${toText(['in', 'other', 'words', ',', ...s2, '.'])}`;
};

const inferencePassage: Gen = (p) => {
  const rng = p.rng;
  const f = randomFact(p, { pNeg: 0, pPlace: 0.5, pIntransitive: 0 });
  const ch = new Chooser(p);
  const s1 = toText([...factWords(f, { voice: 'active', front: 'none' }, ch), '.']);
  let h: string[];
  const k = rng.int(3);
  if (k === 0 && f.obj) h = factWords({ ...f, obj: { ...f.obj, asCategory: true, color: null, senti: null, count: null, det: 'indef' }, place: null, time: null }, { voice: 'active', front: 'none' }, ch);
  else if (k === 1 && f.place) h = [...agentWords(f.agent, ch), agentPlural(f.agent) ? 'were' : 'was', ...placeWords(f.place, ch)];
  else h = factWords({ ...f, agent: { kind: 'someone' }, place: null, time: null }, { voice: 'active', front: 'none' }, ch);
  return `${s1} ${toText(['so', ...h, '.'])}`;
};

const agreementSentence: Gen = (p) => {
  const rng = p.rng; const lex = lexicon(); const ch = new Chooser(p);
  const role = p.concept(lex.roles); const plural = rng.next() < 0.5;
  const l = ch.pick(role);
  const f = randomFact(p, { pNeg: 0, pPlace: 0.3, pTime: 0 });
  const rel = factWords({ ...f, agent: { kind: 'someone' } }, { voice: 'active', front: 'none' }, ch).slice(1);
  const pred = rng.next() < 0.5 ? [plural ? 'were' : 'was', CUES.mood[rng.next() < 0.5 ? 1 : -1]] : [ch.pick(rng.pick(lex.intransitiveVerbs)).past];
  return toText(['the', plural ? l.pl : l.sg, 'who', ...rel, ...pred, '.']);
};

/** A typical event for a noun: its owner, its verb, its home place and colour (each usually, not always). */
const signatureFact: Gen = (p) => {
  const rng = p.rng; const lex = lexicon();
  const n = p.concept(lex.nouns);
  const verb = rng.next() < 0.7 ? n.verb : p.concept(lex.transitiveVerbs, (v) => v.objects.includes(n.category));
  const f: Fact = {
    agent: rng.next() < 0.6 ? { kind: 'role', role: n.owner, plural: rng.next() < 0.5 } : { kind: 'name', name: p.name(lex.names) },
    verb,
    obj: { noun: n, plural: rng.next() < 0.4, count: null, det: rng.next() < 0.5 ? 'def' : 'indef', color: rng.next() < 0.5 ? n.color : null, senti: null },
    place: rng.next() < 0.6 ? n.home : null, time: null, neg: false, tense: rng.next() < 0.7 ? 'past' : 'present',
  };
  return toText([...factWords(f, randomStyle(rng, f, 0.25, 0.15), new Chooser(p)), '.']);
};

/** What a verb is usually done to, by whom and where. */
const verbKnowledge: Gen = (p) => {
  const rng = p.rng; const lex = lexicon(); const ch = new Chooser(p);
  const v = p.concept(lex.verbs);
  const l = ch.pick(v);
  const who = ['the', ch.pick(v.agent).pl];
  if (!v.transitive) return toText([...who, 'usually', l.base, ...placeWords(v.place, ch), '.']);
  const cat = rng.pick(v.objects);
  return rng.next() < 0.5
    ? toText([...who, 'usually', l.base, cat.pl, ...(rng.next() < 0.5 ? placeWords(v.place, ch) : []), '.'])
    : toText(['people', 'usually', l.base, cat.pl, ...placeWords(v.place, ch), '.']);
};

const GENERATORS: [Gen, number][] = [
  [signatureFact, 10], [verbKnowledge, 8],
  [factSentence, 22], [nounKnowledge, 14], [synonymDefinition, 6], [sentimentPassage, 22],
  [questionAnswer, 10], [paraphrasePassage, 10], [inferencePassage, 5], [agreementSentence, 8],
];
const TOTAL = GENERATORS.reduce((s, [, w]) => s + w, 0);

/** An endless stream of corpus passages from `rng` (every word of the lexicon can appear). */
export function corpusSampler(rng: Rng): () => string {
  const p = new Picker(rng, 'eval');
  return () => {
    let u = rng.next() * TOTAL;
    for (const [g, w] of GENERATORS) { if ((u -= w) < 0) return g(p); }
    return GENERATORS[0][0](p);
  };
}

/** `n` corpus passages (one or two sentences each), deterministic from `rng`. */
export function corpusSentences(rng: Rng, n: number): string[] {
  const next = corpusSampler(rng);
  return Array.from({ length: n }, next);
}

/** Nouns are exported for tests that check the corpus's co-occurrence structure. */
export type { NounConcept };
