// Mini GLUE generators: determinism, schema, label balance, the LST split sizes, the train/eval vocabulary split
// that makes pretraining matter, MNLI genres, and that no single token decides a label.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  GLUE_SCHEMAS, GLUE_TASK_IDS, LARGE_VALIDATION_SIZE, MINI_DEFS, MINI_MAX_TOKENS, exampleTexts, generateMiniRaw, loadGlue, miniDataFingerprint, type GlueExample, type GlueTaskId,
} from '../../src/tasks/glue/data/index.js';
import { MNLI_MATCHED_DOMAINS } from '../../src/tasks/glue/data/mini/nli.js';
import { languageVocabulary, lexicon, textTokens } from '../../src/data/language/index.js';

const lex = lexicon();
/** Every rare word form -> true; and noun form -> its domain name. */
const rareForms = new Set<string>();
const nounDomain = new Map<string, string>();
for (const c of [...lex.nouns, ...lex.roles]) for (const l of c.lemmas) if (l.rare) { rareForms.add(l.sg); rareForms.add(l.pl); }
for (const n of lex.nouns) for (const l of n.lemmas) { nounDomain.set(l.sg, n.category.domain.name); nounDomain.set(l.pl, n.category.domain.name); }
for (const v of lex.verbs) for (const l of v.lemmas) if (l.rare) { rareForms.add(l.base); rareForms.add(l.s); rareForms.add(l.past); }
for (const c of [...lex.sentiments, ...lex.places]) for (const l of c.lemmas) if (l.rare) rareForms.add(l.text);
for (const n of lex.names) if (n.rare) rareForms.add(n.text.toLowerCase());
const vocab = new Set(languageVocabulary());

const rawCache = new Map<GlueTaskId, ReturnType<typeof generateMiniRaw>>();
const raw = (t: GlueTaskId) => { if (!rawCache.has(t)) rawCache.set(t, generateMiniRaw(t, 42)); return rawCache.get(t)!; };
const tokensOf = (t: GlueTaskId, x: GlueExample) => exampleTexts(GLUE_SCHEMAS[t], x).map(textTokens);

test('mini data is deterministic from the seed; the fingerprint follows seed and sizes', async () => {
  const a = await loadGlue('glue-rte', { source: 'mini' }, 7, { miniSizes: { train: 40, dev: 20 } });
  const b = await loadGlue('glue-rte', { source: 'mini' }, 7, { miniSizes: { train: 40, dev: 20 } });
  const c = await loadGlue('glue-rte', { source: 'mini' }, 8, { miniSizes: { train: 40, dev: 20 } });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.train, c.train);
  assert.notEqual(a.meta.fingerprint, c.meta.fingerprint);
  const d = await loadGlue('glue-rte', { source: 'mini' }, 7, { miniSizes: { train: 41, dev: 20 } });
  assert.notEqual(a.meta.fingerprint, d.meta.fingerprint);
  assert.match(a.meta.fingerprint, /^[0-9a-f]{16}$/);
  assert.equal(miniDataFingerprint('glue-rte', 7, { miniSizes: { train: 40, dev: 20 } }), a.meta.fingerprint, 'computable without generating');
  const full = await loadGlue('glue-cola', { source: 'mini' });
  assert.equal(full.meta.fingerprint, miniDataFingerprint('glue-cola'));
  assert.notEqual(miniDataFingerprint('glue-cola'), miniDataFingerprint('glue-sst2'));
});

test('every task: schema fields, label sets and exact label shares', () => {
  for (const t of GLUE_TASK_IDS) {
    const schema = GLUE_SCHEMAS[t]; const def = MINI_DEFS[t];
    for (const [set, xs] of Object.entries(raw(t)) as [string, GlueExample[]][]) {
      assert.equal(xs.length, def.sizes[set], `${t} ${set} size`);
      xs.forEach((x, i) => {
        assert.equal(x.idx, i);
        for (const f of schema.fields) assert.ok(typeof (x as unknown as Record<string, unknown>)[f] === 'string', `${t} ${set}[${i}].${f}`);
        if (schema.isRegression) assert.ok(x.label >= 0 && x.label <= 5, `${t} score ${x.label}`);
        else assert.ok(Number.isInteger(x.label) && x.label >= 0 && x.label < schema.labels!.length);
      });
      if (def.labelShares) {
        const counts = def.labelShares.map((_, c) => xs.filter((x) => x.label === c).length);
        def.labelShares.forEach((s, c) => assert.ok(Math.abs(counts[c] - s * xs.length) <= 1, `${t} ${set}: label ${c} count ${counts[c]} for share ${s}`));
      }
    }
  }
  // roughly balanced where GLUE is (SST-2, QNLI, RTE, MNLI), GLUE-like skews elsewhere
  assert.deepEqual(MINI_DEFS['glue-sst2'].labelShares, [0.5, 0.5]);
  assert.deepEqual(MINI_DEFS['glue-mnli'].labelShares, [1 / 3, 1 / 3, 1 / 3]);
});

test('LST split sizes: small tasks halve dev, large tasks take 1,000 training examples, MNLI uses mismatched/matched', async () => {
  for (const t of GLUE_TASK_IDS) {
    const d = await loadGlue(t, { source: 'mini' });
    const s = MINI_DEFS[t].sizes;
    const rule = GLUE_SCHEMAS[t].splitRule;
    const expect = rule === 'small' ? { train: s.train, validation: Math.floor(s.dev / 2), test: s.dev - Math.floor(s.dev / 2) }
      : rule === 'large' ? { train: s.train - LARGE_VALIDATION_SIZE, validation: LARGE_VALIDATION_SIZE, test: s.dev }
        : { train: s.train, validation: s.dev_mismatched, test: s.dev_matched };
    assert.deepEqual(d.meta.sizes, expect, t);
    assert.deepEqual({ train: d.train.length, validation: d.validation.length, test: d.test.length }, expect, t);
    assert.equal(d.meta.source, 'mini');
    assert.deepEqual(d.meta.fields, GLUE_SCHEMAS[t].fields);
    assert.equal(d.meta.numLabels, GLUE_SCHEMAS[t].labels?.length ?? 1);
  }
});

test('training sets use only common words; dev sets use rare ones too and never repeat a training text', () => {
  for (const t of GLUE_TASK_IDS) {
    const r = raw(t);
    const trainTexts = new Set(r.train.map((x) => exampleTexts(GLUE_SCHEMAS[t], x).join('\t')));
    for (const x of r.train) for (const w of tokensOf(t, x).flat()) assert.ok(!rareForms.has(w), `${t} train uses rare word "${w}"`);
    for (const [set, xs] of Object.entries(r) as [string, GlueExample[]][]) {
      if (set === 'train') continue;
      const withRare = xs.filter((x) => tokensOf(t, x).flat().some((w) => rareForms.has(w))).length;
      assert.ok(withRare / xs.length > 0.4, `${t} ${set}: only ${withRare}/${xs.length} examples have a rare word`);
      for (const x of xs) assert.ok(!trainTexts.has(exampleTexts(GLUE_SCHEMAS[t], x).join('\t')), `${t} ${set} repeats a training example`);
    }
  }
});

test('every example fits the token budget and stays inside the vocabulary', () => {
  for (const t of GLUE_TASK_IDS) {
    for (const xs of Object.values(raw(t)) as GlueExample[][]) {
      for (const x of xs) {
        const toks = tokensOf(t, x);
        assert.ok(toks.reduce((n, s) => n + s.length + 1, 1) <= MINI_MAX_TOKENS, `${t}: too long: ${JSON.stringify(x)}`);
        for (const w of toks.flat()) assert.ok(vocab.has(w), `${t}: "${w}" is not in the vocabulary`);
      }
    }
  }
});

test('MNLI genres: training and dev_matched draw nouns from the matched domains, dev_mismatched from the others', () => {
  const r = raw('glue-mnli');
  const domainsOf = (xs: GlueExample[]) => new Set(xs.flatMap((x) => tokensOf('glue-mnli', x).flat().map((w) => nounDomain.get(w)).filter((d): d is string => !!d)));
  for (const d of domainsOf(r.train)) assert.ok(MNLI_MATCHED_DOMAINS.includes(d), `train uses ${d}`);
  for (const d of domainsOf(r.dev_matched!)) assert.ok(MNLI_MATCHED_DOMAINS.includes(d), `dev_matched uses ${d}`);
  const mm = domainsOf(r.dev_mismatched!);
  assert.ok(mm.size >= 2);
  for (const d of mm) assert.ok(!MNLI_MATCHED_DOMAINS.includes(d), `dev_mismatched uses ${d}`);
});

test('STS-B scores spread over the whole 0-5 range', () => {
  const ys = raw('glue-stsb').train.map((x) => x.label);
  const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sd = Math.sqrt(ys.reduce((a, b) => a + (b - mean) ** 2, 0) / ys.length);
  assert.ok(sd > 1, `sd ${sd}`);
  for (const [lo, hi] of [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5.01]]) assert.ok(ys.filter((y) => y >= lo && y < hi).length > ys.length * 0.05, `few scores in [${lo}, ${hi})`);
});

test('no single token decides a label: the best one-token rule stays near the majority baseline', () => {
  for (const t of GLUE_TASK_IDS) {
    const def = MINI_DEFS[t];
    if (!def.labelShares) continue;
    const r = raw(t); const xs = r.dev ?? r.dev_matched!;
    const K = def.labelShares.length;
    const feats = xs.map((x) => {
      const f = new Set<string>();
      tokensOf(t, x).forEach((ws, k) => ws.forEach((w) => { f.add(w); f.add(`${k}:${w}`); }));
      return f;
    });
    const majority = Math.max(...def.labelShares);
    let best = 0, bestToken = '';
    for (const w of new Set(feats.flatMap((f) => [...f]))) {
      const present = new Array(K).fill(0), absent = new Array(K).fill(0);
      xs.forEach((x, i) => { (feats[i].has(w) ? present : absent)[x.label]++; });
      const acc = (Math.max(...present) + Math.max(...absent)) / xs.length;
      if (acc > best) { best = acc; bestToken = w; }
    }
    assert.ok(best - majority < 0.16, `${t}: the token "${bestToken}" alone reaches ${(100 * best).toFixed(1)}% (majority ${(100 * majority).toFixed(1)}%)`);
  }
});

/** The multiset of an example's tokens, side by side: a sorted token list per text field. */
const bags = (t: GlueTaskId, x: GlueExample) => tokensOf(t, x).map((ws) => ws.filter((w) => !/^[.,?]$/.test(w)).map((w) => w.toLowerCase()).sort().join(' '));

test('pair tasks: a near miss always differs in its words from the first text (no edit is invisible)', () => {
  for (const t of ['glue-mrpc', 'glue-qqp'] as GlueTaskId[]) {
    for (const xs of Object.values(raw(t)) as GlueExample[][]) {
      for (const x of xs) {
        if (x.label !== 0) continue;
        const [a, b] = bags(t, x);
        assert.notEqual(a, b, `${t}: a non-paraphrase with the same words on both sides: ${JSON.stringify(x)}`);
      }
    }
  }
});

test('STS-B: the same words on both sides score 5, and more differing words score lower on average', () => {
  const xs = raw('glue-stsb').train;
  const diff = (x: GlueExample) => {
    const [a, b] = tokensOf('glue-stsb', x).map((ws) => new Set(ws));
    return [...b].filter((w) => !a.has(w)).length + [...a].filter((w) => !b.has(w)).length;
  };
  for (const x of xs) if (diff(x) === 0) assert.equal(x.label, 5, JSON.stringify(x));
  const meanOf = (ys: GlueExample[]) => ys.reduce((s, x) => s + x.label, 0) / Math.max(1, ys.length);
  const few = xs.filter((x) => diff(x) <= 2), many = xs.filter((x) => diff(x) >= 6);
  assert.ok(few.length > 50 && many.length > 50, `${few.length} close pairs, ${many.length} distant ones`);
  assert.ok(meanOf(few) > meanOf(many) + 1, `mean score ${meanOf(few).toFixed(2)} (<= 2 differing words) vs ${meanOf(many).toFixed(2)} (>= 6)`);
});
