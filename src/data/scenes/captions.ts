// Image captions generated from a scene: full descriptions and partial ones (one object, a relation, counts,
// positions), so that some captions pin the image down and others fit several images, as real captions do.
import type { Rng } from '../../engine/rng.js';
import type { Scene, SceneObject } from './types.js';
import { ALL_ATTRS, listJoin, nounPhrase, pluralShape, positionPhrase, relationOf, sentence, type Attr } from './describe.js';
import { countWord } from './vocabulary.js';

export const CAPTION_KINDS = ['full', 'relation', 'count', 'position', 'partial'] as const;
export type CaptionKind = (typeof CAPTION_KINDS)[number];

export interface CaptionOptions {
  /** Mention the stripes attribute (scenes sampled with patterns: true). */
  patterns?: boolean;
}

function attrsFor(o: CaptionOptions): Attr[] { return o.patterns ? [...ALL_ATTRS] : ['size', 'color']; }

/** Pairs (a, b) with a clear spatial relation. */
function relatedPairs(objects: readonly SceneObject[]): [SceneObject, SceneObject][] {
  const out: [SceneObject, SceneObject][] = [];
  for (const a of objects) for (const b of objects) if (a !== b && relationOf(a, b)) out.push([a, b]);
  return out;
}

/** Every object with all attributes, left to right: "a small red circle , a large blue star and a green square ." */
export function fullCaption(scene: Scene, rng: Rng, o: CaptionOptions = {}): string {
  if (!scene.objects.length) return 'a picture with no shapes .';
  const objs = [...scene.objects].sort((a, b) => a.x - b.x);
  const body = listJoin(objs.map((ob) => nounPhrase(ob, attrsFor(o))));
  return sentence(rng.pick(['', 'a picture with', 'there is']), body, '.');
}

export function captionOf(kind: CaptionKind, scene: Scene, rng: Rng, o: CaptionOptions = {}): string {
  const objs = scene.objects;
  if (!objs.length) return 'a picture with no shapes .';
  const attrs = attrsFor(o);
  const some = (): Attr[] => attrs.filter(() => rng.next() < 0.6);
  switch (kind) {
    case 'full': return fullCaption(scene, rng, o);
    case 'relation': {
      const pairs = relatedPairs(objs);
      if (!pairs.length) return fullCaption(scene, rng, o);
      const [a, b] = rng.pick(pairs);
      return sentence(nounPhrase(a, attrs), 'is', relationOf(a, b)!, nounPhrase(b, attrs), '.');
    }
    case 'count': {
      const byShape = new Map<string, number>();
      for (const ob of objs) byShape.set(ob.shape, (byShape.get(ob.shape) ?? 0) + 1);
      const groups = [...byShape.entries()].map(([s, k]) => (k === 1 ? `a ${s}` : `${countWord(k)} ${pluralShape(s)}`));
      const total = objs.length === 1 ? 'there is one shape' : `there are ${countWord(objs.length)} shapes`;
      return sentence(total, ',', listJoin(rng.shuffle(groups)), '.');
    }
    case 'position': {
      const chosen = rng.shuffle([...objs]).slice(0, Math.min(objs.length, 2));
      return sentence(listJoin(chosen.map((ob) => `${nounPhrase(ob, attrs)} ${positionPhrase(ob)}`)), '.');
    }
    case 'partial': {
      const pairs = relatedPairs(objs);
      if (!pairs.length) return sentence('a picture with', nounPhrase(rng.pick(objs), attrs), '.');
      const [a, b] = rng.pick(pairs);
      return sentence(nounPhrase(a, attrs), relationOf(a, b)!, nounPhrase(b, some()), '.');
    }
  }
}

/**
 * n captions of one scene (default 5, as the real datasets): the five kinds in a random order (cycling with fresh
 * random choices when n > 5). Duplicates within one image are redrawn a few times.
 */
export function sceneCaptions(scene: Scene, rng: Rng, n = 5, o: CaptionOptions = {}): string[] {
  const out: string[] = [];
  let kinds: CaptionKind[] = [];
  while (out.length < n) {
    if (!kinds.length) kinds = rng.shuffle([...CAPTION_KINDS]);
    const kind = kinds.pop()!;
    let c = captionOf(kind, scene, rng, o);
    for (let t = 0; t < 4 && out.includes(c); t++) c = captionOf(rng.pick(CAPTION_KINDS), scene, rng, o);
    out.push(c);
  }
  return out;
}
