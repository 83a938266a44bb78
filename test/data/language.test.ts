// The mini language: a deterministic lexicon with unique word forms, a deterministic corpus that only uses the
// vocabulary, uses every word, and carries the knowledge the mini GLUE tasks need (checked distributionally:
// PPMI co-occurrence vectors over a corpus sample, the simplest reader that learns only from distribution).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import {
  buildLexiconForSeed, corpusSampler, corpusSentences, languageVocabulary, lexicon, textTokens, LANGUAGE_SEED, type Lexicon,
} from '../../src/data/language/index.js';

function allForms(lex: Lexicon): string[] {
  const out: string[] = [];
  for (const p of lex.places) for (const l of p.lemmas) out.push(l.text);
  for (const n of [...lex.nouns, ...lex.roles]) for (const l of n.lemmas) out.push(l.sg, l.pl);
  for (const n of lex.names) out.push(n.text.toLowerCase());
  for (const v of lex.verbs) for (const l of v.lemmas) out.push(l.base, l.s, l.past);
  for (const s of lex.sentiments) for (const l of s.lemmas) out.push(l.text);
  return out;
}

test('the lexicon is deterministic from its seed, and the seed matters', () => {
  const a = buildLexiconForSeed(LANGUAGE_SEED), b = buildLexiconForSeed(LANGUAGE_SEED), c = buildLexiconForSeed(LANGUAGE_SEED + 1);
  assert.deepEqual(allForms(a), allForms(b));
  assert.deepEqual(a.words, lexicon().words);
  assert.notDeepEqual(allForms(a), allForms(c));
});

test('every content word form is unique (one form, one meaning) and the vocabulary is a few hundred to 1,500 types', () => {
  const lex = lexicon();
  const forms = allForms(lex);
  assert.equal(new Set(forms).size, forms.length, 'a content word form is shared by two lemmas/forms');
  const vocab = languageVocabulary();
  assert.equal(new Set(vocab).size, vocab.length);
  assert.ok(vocab.length >= 300 && vocab.length <= 1500, `vocabulary size ${vocab.length}`);
  for (const f of forms) assert.ok(vocab.includes(f), `${f} missing from the vocabulary`);
  // regular, unambiguous morphology
  for (const v of lex.verbs) for (const l of v.lemmas) { assert.equal(l.s, `${l.base}s`); assert.equal(l.past, `${l.base}ed`); }
  for (const n of lex.nouns) for (const l of n.lemmas) assert.equal(l.pl, `${l.sg}s`);
});

test('rare lemmas exist in every content class, and every concept keeps a usable lemma set', () => {
  const lex = lexicon();
  const share = (ls: { rare: boolean }[]) => ls.filter((l) => l.rare).length / ls.length;
  const classes: [string, { rare: boolean }[]][] = [
    ['nouns', lex.nouns.flatMap((n) => n.lemmas)], ['verbs', lex.verbs.flatMap((v) => v.lemmas)],
    ['sentiments', lex.sentiments.flatMap((s) => s.lemmas)], ['places', lex.places.flatMap((p) => p.lemmas)],
  ];
  for (const [name, ls] of classes) {
    const s = share(ls);
    assert.ok(s > 0.15 && s < 0.6, `${name}: rare share ${s.toFixed(2)}`);
  }
  // both polarities have common and rare adjectives (training sees some of each, evaluation all)
  for (const pol of [1, -1]) {
    const ls = lex.sentiments.filter((s) => s.polarity === pol).flatMap((s) => s.lemmas);
    assert.ok(ls.some((l) => l.rare) && ls.some((l) => !l.rare));
  }
  // within a category, (home, colour, owner) signatures are unique
  for (const c of lex.categories) assert.equal(new Set(c.nouns.map((n) => `${n.home.id}/${n.color}/${n.owner.id}`)).size, c.nouns.length);
});

test('the corpus is deterministic, stays inside the vocabulary, and uses every word type', () => {
  const a = corpusSentences(new Rng(3), 300), b = corpusSentences(new Rng(3), 300), c = corpusSentences(new Rng(4), 300);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const sampler = corpusSampler(new Rng(3));
  assert.deepEqual(Array.from({ length: 300 }, sampler), a, 'the sampler and corpusSentences agree');
  const vocab = new Set(languageVocabulary());
  const seen = new Set<string>();
  let maxLen = 0;
  for (const s of corpusSentences(new Rng(11), 30_000)) {
    const t = textTokens(s);
    maxLen = Math.max(maxLen, t.length);
    for (const w of t) { assert.ok(vocab.has(w), `corpus token "${w}" is not in the vocabulary (in: ${s})`); seen.add(w); }
  }
  const unused = allForms(lexicon()).filter((w) => !seen.has(w));
  assert.deepEqual(unused, [], 'content words the corpus never uses');
  assert.ok(maxLen + 2 <= 64, `a passage of ${maxLen} tokens does not fit text-mini's 64 positions`);
});

test('the corpus teaches what the tasks need: polarity, categories and synonymy are recoverable from co-occurrence alone', () => {
  const lex = lexicon();
  const vocab = languageVocabulary();
  const id = new Map(vocab.map((w, i) => [w, i]));
  const V = vocab.length;
  const C = new Float64Array(V * V);
  for (const s of corpusSentences(new Rng(7), 30_000)) {
    const t = textTokens(s).map((w) => id.get(w)!);
    for (let i = 0; i < t.length; i++) for (let j = Math.max(0, i - 3); j <= Math.min(t.length - 1, i + 3); j++) if (j !== i) C[t[i] * V + t[j]]++;
  }
  const row = new Float64Array(V), col = new Float64Array(V); let tot = 0;
  for (let i = 0; i < V; i++) for (let j = 0; j < V; j++) { const c = C[i * V + j]; row[i] += c; col[j] += c; tot += c; }
  const P = new Float64Array(V * V);
  for (let k = 0; k < V * V; k++) if (C[k] > 0) P[k] = Math.max(0, Math.log((C[k] * tot) / (row[Math.floor(k / V)] * col[k % V])));
  const vec = (w: string) => P.subarray(id.get(w)! * V, id.get(w)! * V + V);
  const cos = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let s = 0, x = 0, y = 0;
    for (let i = 0; i < V; i++) { s += a[i] * b[i]; x += a[i] * a[i]; y += b[i] * b[i]; }
    return s / Math.sqrt(x * y + 1e-12);
  };
  // polarity of every rare adjective from the centroids of the common ones (chance: 50%)
  const cent = new Map<number, Float64Array>([[1, new Float64Array(V)], [-1, new Float64Array(V)]]);
  for (const s of lex.sentiments) for (const l of s.lemmas) if (!l.rare) { const v = vec(l.text); const n = Math.hypot(...v); v.forEach((x, i) => { cent.get(s.polarity)![i] += x / n; }); }
  const rareAdj = lex.sentiments.flatMap((s) => s.lemmas.filter((l) => l.rare).map((l) => [l.text, s.polarity] as const));
  const polOk = rareAdj.filter(([w, pol]) => (cos(vec(w), cent.get(1)!) > cos(vec(w), cent.get(-1)!) ? 1 : -1) === pol).length;
  assert.ok(polOk / rareAdj.length >= 0.9, `rare adjective polarity ${polOk}/${rareAdj.length}`);
  // the category of every rare noun: its nearest category word (chance: 10%)
  const rareNouns = lex.nouns.flatMap((n) => n.lemmas.filter((l) => l.rare).map((l) => [l.sg, n.category] as const));
  const catOk = rareNouns.filter(([w, cat]) => lex.categories.reduce((best, c) => (cos(vec(w), vec(c.sg)) > cos(vec(w), vec(best.sg)) ? c : best)) === cat).length;
  assert.ok(catOk / rareNouns.length >= 0.85, `rare noun categories ${catOk}/${rareNouns.length}`);
  // synonyms are closer to each other than to the other members of their class
  const gap = (groups: [string, string, string[]][]) => {
    let syn = 0, oth = 0, no = 0;
    for (const [a, b, others] of groups) { syn += cos(vec(a), vec(b)); for (const o of others) { oth += cos(vec(a), vec(o)); no++; } }
    return syn / groups.length - oth / no;
  };
  const nounGap = gap(lex.nouns.filter((c) => c.lemmas.length > 1).map((c) => [c.lemmas[0].sg, c.lemmas[1].sg, c.category.nouns.filter((m) => m !== c).map((m) => m.lemmas[0].sg)]));
  const verbGap = gap(lex.verbs.filter((c) => c.lemmas.length > 1).map((c) => [c.lemmas[0].past, c.lemmas[1].past, lex.verbs.filter((m) => m !== c && m.transitive === c.transitive).map((m) => m.lemmas[0].past)]));
  const adjGap = gap(lex.sentiments.filter((c) => c.lemmas.length > 1).map((c) => [c.lemmas[0].text, c.lemmas[1].text, lex.sentiments.filter((m) => m !== c && m.polarity === c.polarity).map((m) => m.lemmas[0].text)]));
  for (const [name, g] of [['nouns', nounGap], ['verbs', verbGap], ['adjectives', adjGap]] as const) assert.ok(g > 0.05, `${name}: synonym similarity margin ${g.toFixed(3)}`);
});
