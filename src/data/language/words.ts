// Pseudo-word stems for the mini language's content words. Stems are pronounceable syllable strings; every stem
// and every inflected form it will get (plural -s, 3rd person -s, past -ed) is unique across the whole lexicon, so
// a word type always means one thing and a WordLevel tokenizer maps each form to its own id.
import type { Rng } from '../../engine/rng.js';

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 't', 'v', 'z', 'br', 'dr', 'gr', 'kl', 'pl', 'st', 'tr', 'sh', 'ch', 'j', 'h', 'w', 'sk', 'fl', 'sn'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'oa', 'ee'];
const CODAS = ['', '', '', '', 'n', 'r', 'l', 't', 'k', 'm', 'nd', 'rk', 'lt', 'mp'];

export class WordForge {
  private readonly taken: Set<string>;
  constructor(private readonly rng: Rng, reserved: Iterable<string>) { this.taken = new Set(reserved); }

  private stem(syllables: number): string {
    let w = '';
    for (let i = 0; i < syllables; i++) w += this.rng.pick(ONSETS) + this.rng.pick(VOWELS) + (i === syllables - 1 ? this.rng.pick(CODAS) : '');
    return w;
  }

  /**
   * A new stem whose derived forms (computed by `forms`) are all unused; the forms are reserved.
   * Stems never end in s, e or y, so adding -s / -ed gives unambiguous, regular forms.
   */
  fresh<T extends Record<string, string>>(forms: (stem: string) => T, syllables = 2): T {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const s = this.stem(syllables);
      if (/[sey]$/.test(s) || s.length < 3 || s.length > 9) continue;
      const f = forms(s);
      const all = Object.values(f);
      if (all.some((w) => this.taken.has(w)) || new Set(all).size !== all.length) continue;
      for (const w of all) this.taken.add(w);
      return f;
    }
    throw new Error('WordForge: could not find a fresh word (syllable inventory exhausted)');
  }
}

export const nounForms = (s: string) => ({ sg: s, pl: `${s}s` });
export const verbForms = (s: string) => ({ base: s, s: `${s}s`, past: `${s}ed` });
export const plainForm = (s: string) => ({ text: s });
