// Referring expressions: a phrase that singles out one object, with that object's box. Styles follow the three
// RefCOCO datasets: 'refcoco' (short, may use relations and absolute position), 'refcoco+' (appearance only, no
// location words), 'refcocog' (longer, full relative clauses).
import type { Rng } from '../../engine/rng.js';
import type { Box, Scene, SceneObject } from './types.js';
import { matching, nounPhrase, positionPhrase, relationOf, sentence, type Attr } from './describe.js';
import { objectBox } from './geometry.js';
import { uniqueAttrs } from './questions.js';

export const REFEXP_STYLES = ['refcoco', 'refcoco+', 'refcocog'] as const;
export type RefExpStyle = (typeof REFEXP_STYLES)[number];

export interface ReferringExpression {
  text: string;
  /** The referred object's id. */
  targetId: number;
  /** Its box in pixels at the requested size, COCO [x, y, w, h]. */
  box: Box;
}

export interface RefExpOptions {
  /** Render size the boxes are given for (pixels). */
  size: number;
  style?: RefExpStyle;
  /** Attribute sets to try, smallest first; patterns enabled adds 'pattern'. */
  patterns?: boolean;
}

function attrSets(o: RefExpOptions): Attr[][] {
  const base: Attr[][] = [[], ['color'], ['size'], ['size', 'color']];
  return o.patterns ? [...base, ['pattern', 'color'], ['size', 'pattern', 'color']] : base;
}

/** One expression for `target`, or null if none in this style singles it out. */
export function refExpFor(scene: Scene, target: SceneObject, rng: Rng, o: RefExpOptions): ReferringExpression | null {
  const style = o.style ?? 'refcoco';
  const objs = scene.objects;
  const box = objectBox(target, o.size);
  const own = uniqueAttrs(objs, target, attrSets(o));
  const pick = (): string | null => {
    if (own && (style === 'refcoco+' || rng.next() < 0.6)) {
      // appearance alone (RefCOCO+ allows nothing else); RefCOCOg spells it out as a clause
      const full = rng.next() < 0.5 ? (o.patterns ? ['size', 'pattern', 'color'] as Attr[] : ['size', 'color'] as Attr[]) : own;
      const np = nounPhrase(target, matching(objs, target, full).length === 1 ? full : own, 'the');
      return style === 'refcocog' ? sentence(np, 'that is', positionPhrase(target)) : np;
    }
    if (style === 'refcoco+') return null;
    // a relation to an object that is itself uniquely named
    const anchors = objs.filter((b) => b !== target && relationOf(target, b) && uniqueAttrs(objs, b));
    for (const b of rng.shuffle([...anchors])) {
      const rel = relationOf(target, b)!;
      const bAttrs = uniqueAttrs(objs, b)!;
      // the target's own phrase plus the relation must pick it alone among objects of that description
      for (const attrs of attrSets(o)) {
        const same = matching(objs, target, attrs).filter((x) => x === target || (relationOf(x, b) === rel));
        if (same.length !== 1) continue;
        const np = nounPhrase(target, attrs, 'the'), anchor = nounPhrase(b, bAttrs, 'the');
        return style === 'refcocog' ? sentence(np, 'that is', rel, anchor) : sentence(np, rel, anchor);
      }
    }
    if (own) return style === 'refcocog' ? sentence(nounPhrase(target, own, 'the'), 'that is', positionPhrase(target)) : sentence(nounPhrase(target, own, 'the'), positionPhrase(target));
    return null;
  };
  const text = pick();
  return text ? { text, targetId: target.id, box } : null;
}

/**
 * Up to n expressions for distinct targets (random order), each singling its target out; scenes with no
 * nameable object give none.
 */
export function referringExpressions(scene: Scene, rng: Rng, n: number, o: RefExpOptions): ReferringExpression[] {
  const out: ReferringExpression[] = [];
  for (const t of rng.shuffle([...scene.objects])) {
    if (out.length >= n) break;
    const e = refExpFor(scene, t, rng, o);
    if (e) out.push(e);
  }
  return out;
}
