// Meaning-changing edits of a fact (the near misses of the paraphrase and NLI tasks) and a graded similarity of
// two facts (STS-B). A synonym swap is not an edit: it happens at realisation (Chooser), so only a reader who
// knows which words are synonyms can tell an edit from a paraphrase.
import { lexicon, NUMBERS, PAST_TIMES, PRESENT_TIMES, coHyponym, otherVerb, sameAgent, type Agent, type Fact, type Picker } from '../../../../data/language/index.js';

export type EditKind = 'noun' | 'verb' | 'agent' | 'neg' | 'count' | 'color' | 'place' | 'senti' | 'time';

export function applicableEdits(p: Picker, f: Fact): EditKind[] {
  const k: EditKind[] = ['agent', 'neg'];
  if (otherVerb(p, f.verb, f.obj?.noun ?? null)) k.push('verb');
  if (f.obj) {
    if (coHyponym(p, f.obj.noun)) k.push('noun');
    if (f.obj.plural && f.obj.count) k.push('count');
    if (f.obj.color) k.push('color');
    if (f.obj.senti) k.push('senti');
  }
  if (f.place) k.push('place');
  if (f.time) k.push('time');
  return k;
}

export function otherAgent(p: Picker, a: Agent, avoid: readonly Agent[] = []): Agent {
  const lex = lexicon();
  for (let i = 0; i < 50; i++) {
    const b: Agent = p.rng.next() < 0.75 || a.kind !== 'role'
      ? { kind: 'name', name: p.name(lex.names) }
      : { kind: 'role', role: p.concept(lex.roles), plural: p.rng.next() < 0.4 };
    if (!sameAgent(a, b) && !avoid.some((x) => sameAgent(x, b))) return b;
  }
  throw new Error('otherAgent: no distinct agent found');
}

/** The fact with one meaning-changing edit of the given kind (which must be applicable). */
export function applyEdit(p: Picker, f: Fact, kind: EditKind): Fact {
  const rng = p.rng; const lex = lexicon();
  switch (kind) {
    case 'agent': return { ...f, agent: otherAgent(p, f.agent) };
    case 'neg': return { ...f, neg: !f.neg };
    case 'verb': return { ...f, verb: otherVerb(p, f.verb, f.obj?.noun ?? null)! };
    case 'noun': return { ...f, obj: { ...f.obj!, noun: coHyponym(p, f.obj!.noun)! } };
    case 'count': {
      const c = f.obj!.count!; let d = c;
      while (d === c) d = 2 + rng.int(NUMBERS.length - 1);
      return { ...f, obj: { ...f.obj!, count: d } };
    }
    case 'color': return { ...f, obj: { ...f.obj!, color: rng.pick(lex.colors.filter((c) => c !== f.obj!.color)) } };
    case 'senti': {
      const s = f.obj!.senti!;
      return { ...f, obj: { ...f.obj!, senti: p.concept(lex.sentiments, (t) => t.polarity !== s.polarity) } };
    }
    case 'place': {
      const pl = f.place!;
      return { ...f, place: p.concept(pl.domain.places, (q) => q !== pl) };
    }
    case 'time': {
      const times = f.tense === 'past' ? PAST_TIMES : PRESENT_TIMES;
      return { ...f, time: rng.pick(times.filter((t) => t !== f.time)) };
    }
  }
}

/**
 * Graded similarity 0..5 of two facts by their slots: same concept = 1 (synonyms are the same concept),
 * co-hyponym nouns 0.5, same-domain nouns 0.25, one side missing an optional slot 0.5; a negation mismatch
 * scales the score by 0.6. Weights: agent, verb, object 3 each; place 1.5; number, colour, sentiment, time 0.5.
 */
export function factSimilarity(a: Fact, b: Fact): number {
  const parts: [number, number][] = [];
  const agent = sameAgent(a.agent, b.agent) ? 1 : a.agent.kind === 'role' && b.agent.kind === 'role' && a.agent.role === b.agent.role ? 0.7 : 0;
  parts.push([3, agent]);
  parts.push([3, a.verb === b.verb ? 1 : 0]);
  if (a.obj || b.obj) {
    let o = 0;
    if (a.obj && b.obj) o = a.obj.noun === b.obj.noun ? 1 : a.obj.noun.category === b.obj.noun.category ? 0.5 : a.obj.noun.category.domain === b.obj.noun.category.domain ? 0.25 : 0;
    parts.push([3, o]);
    if (a.obj && b.obj) {
      const same = a.obj.plural === b.obj.plural && a.obj.count === b.obj.count;
      parts.push([0.5, same ? 1 : a.obj.plural && b.obj.plural ? 0.5 : 0]);
      if (a.obj.color || b.obj.color) parts.push([0.5, a.obj.color === b.obj.color ? 1 : !a.obj.color || !b.obj.color ? 0.5 : 0]);
      if (a.obj.senti || b.obj.senti) {
        const sa = a.obj.senti, sb = b.obj.senti;
        parts.push([0.5, sa === sb ? 1 : !sa || !sb ? 0.5 : sa.polarity === sb.polarity ? 0.6 : 0]);
      }
    }
  }
  if (a.place || b.place) parts.push([1.5, a.place === b.place ? 1 : !a.place || !b.place ? 0.5 : a.place.domain === b.place.domain ? 0.3 : 0]);
  if (a.time || b.time) parts.push([0.5, a.time === b.time ? 1 : !a.time || !b.time ? 0.6 : 0.2]);
  const w = parts.reduce((s, [x]) => s + x, 0);
  let sim = parts.reduce((s, [x, y]) => s + x * y, 0) / w;
  if (a.neg !== b.neg) sim *= 0.6;
  return Math.round(500 * sim) / 100;
}
