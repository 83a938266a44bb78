// Mini SST-2: one-sentence reviews, 1 = positive. The label is the polarity of the sentence's main evaluation:
// negation flips it ("was not X", "did not think ... X", "nothing about ... was X"), "not just X, it was Y" and
// "could not have been more X" do not, a "but"/"although" construction is decided by its main clause. Which
// adjectives are positive is learnt from training data for common words and only from the corpus for rare ones.
import { Chooser, NUMBERS, npWords, toText, type NP, type SentimentConcept } from '../../../../data/language/index.js';
import { CUES, intensifierFor, sentimentOf, topicNoun } from '../../../../data/language/index.js';
import type { GenCtx, MiniTaskDef } from './common.js';

function subject(ctx: GenCtx, s: SentimentConcept, ch: Chooser): { words: string[]; be: string; plural: boolean } {
  const plural = ctx.rng.next() < 0.3;
  const np: NP = { noun: topicNoun(ctx.p, s), plural, count: plural && ctx.rng.next() < 0.3 ? 2 + ctx.rng.int(NUMBERS.length - 1) : null, det: 'def', color: null, senti: null };
  return { words: npWords(np, ch), be: plural ? 'were' : 'was', plural };
}

function sst2(ctx: GenCtx, label: number): Record<string, string> {
  const { rng, p } = ctx;
  const y: 1 | -1 = label === 1 ? 1 : -1;
  const neg = (x: 1 | -1) => (x === 1 ? -1 : 1) as 1 | -1;
  const ch = new Chooser(p);
  const adj = (s: SentimentConcept, pInt = 0.4) => [...intensifierFor(rng, s, pInt), ch.pick(s).text];
  const name = () => p.name(ctx.lex.names).text;
  const k = rng.next();
  let w: string[];
  if (k < 0.18) {
    const s = sentimentOf(p, y); const sub = subject(ctx, s, ch);
    w = [...sub.words, sub.be, ...adj(s)];
  } else if (k < 0.36) {
    const s = sentimentOf(p, neg(y)); const sub = subject(ctx, s, ch);
    const form = rng.int(3);
    if (form === 0) w = [...sub.words, sub.be, rng.pick(['not', 'never', 'hardly']), ch.pick(s).text];
    else if (form === 1) w = ['nothing', 'about', ...sub.words, 'was', ch.pick(s).text];
    else w = [...sub.words, sub.be, 'not', rng.pick(['very', 'really', 'quite']), ch.pick(s).text];
  } else if (k < 0.56) {
    // contrast: the main (second / non-"although") clause decides
    const q: 1 | -1 = rng.next() < 0.75 ? neg(y) : y;
    const s1 = sentimentOf(p, q); const sub1 = subject(ctx, s1, ch);
    const negate2 = rng.next() < 0.3;
    const s2 = sentimentOf(p, negate2 ? neg(y) : y); const sub2 = subject(ctx, s2, ch);
    const second = [...sub2.words, sub2.be, ...(negate2 ? ['not'] : []), ...adj(s2, negate2 ? 0 : 0.4)];
    w = rng.next() < 0.6
      ? [...sub1.words, sub1.be, ...adj(s1), ',', 'but', ...second]
      : ['although', ...sub1.words, sub1.be, ...adj(s1), ',', ...second];
  } else if (k < 0.72) {
    // embedded under a report: "did not think" flips, "thought/said" does not
    const flip = rng.next() < 0.5;
    const s = sentimentOf(p, flip ? neg(y) : y); const sub = subject(ctx, s, ch);
    w = flip ? [name(), 'did', 'not', 'think', 'that', ...sub.words, sub.be, ch.pick(s).text]
      : [name(), rng.pick(['thought', 'said']), 'that', ...sub.words, sub.be, ...adj(s)];
  } else if (k < 0.84) {
    // "not" that does not flip
    if (rng.next() < 0.5) {
      const weak = sentimentOf(p, y, (t) => t.strength < 3); const strong = sentimentOf(p, y, (t) => t.strength > weak.strength);
      const sub = subject(ctx, weak, ch);
      w = [...sub.words, sub.be, 'not', 'just', ch.pick(weak).text, ',', sub.plural ? 'they' : 'it', sub.be, ...adj(strong)];
    } else {
      const s = sentimentOf(p, y); const sub = subject(ctx, s, ch);
      w = [...sub.words, 'could', 'not', 'have', 'been', 'more', ch.pick(s).text];
    }
  } else {
    // a liking verb decides; the adjective in the concessive clause points the other way
    if (y === -1 && rng.next() < 0.4) {
      const s = sentimentOf(p, 1); const sub = subject(ctx, s, ch);
      w = ['i', 'did', 'not', 'like', ...sub.words, ',', 'although', sub.plural ? 'they' : 'it', sub.be, ...adj(s)];
    } else {
      const s = sentimentOf(p, neg(y)); const sub = subject(ctx, s, ch);
      w = ['i', rng.pick(CUES.like[y]), ...sub.words, ',', 'although', sub.plural ? 'they' : 'it', sub.be, ...adj(s)];
    }
  }
  return { sentence: toText([...w, '.']) };
}

export const SST2_MINI: MiniTaskDef = {
  task: 'glue-sst2', version: '1',
  sizes: { train: 3000, dev: 600 },
  labelShares: [0.5, 0.5],
  generate: sst2,
};
