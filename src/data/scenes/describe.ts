// Noun phrases, spatial relations and coarse positions: the pieces every scene text generator is built from.
import { SHAPE_PLURAL } from './vocabulary.js';
import type { SceneObject } from './types.js';

export type Attr = 'size' | 'pattern' | 'color';
export const ALL_ATTRS: readonly Attr[] = ['size', 'pattern', 'color'];

/** "a small striped red circle": the determiner, the chosen attributes in fixed order (size, pattern, colour), the shape. */
export function nounPhrase(ob: SceneObject, attrs: readonly Attr[], det: 'a' | 'the' | '' = 'a'): string {
  const w: string[] = det ? [det] : [];
  if (attrs.includes('size')) w.push(ob.size);
  if (attrs.includes('pattern')) w.push(ob.pattern);
  if (attrs.includes('color')) w.push(ob.color);
  w.push(ob.shape);
  return w.join(' ');
}

export function pluralShape(shape: string): string { return SHAPE_PLURAL[shape] ?? `${shape}s`; }

export type Relation = 'left of' | 'right of' | 'above' | 'below';
export const RELATIONS: readonly Relation[] = ['left of', 'right of', 'above', 'below'];
/** Centres closer than this (normalised) along the dominant axis have no relation: too close to call. */
export const RELATION_GAP = 0.12;

/** How `a` lies relative to `b` along the axis where they differ most, or null when they are too close. */
export function relationOf(a: SceneObject, b: SceneObject): Relation | null {
  const dx = b.x - a.x, dy = b.y - a.y;
  if (Math.max(Math.abs(dx), Math.abs(dy)) < RELATION_GAP) return null;
  if (Math.abs(dx) >= Math.abs(dy)) return dx > 0 ? 'left of' : 'right of';
  return dy > 0 ? 'above' : 'below';
}

/** True when the relation holds between a and b with the gap (used to answer yes/no questions). */
export function holds(rel: Relation, a: SceneObject, b: SceneObject): boolean {
  switch (rel) {
    case 'left of': return b.x - a.x >= RELATION_GAP;
    case 'right of': return a.x - b.x >= RELATION_GAP;
    case 'above': return b.y - a.y >= RELATION_GAP;
    case 'below': return a.y - b.y >= RELATION_GAP;
  }
}

export function inverse(rel: Relation): Relation {
  return rel === 'left of' ? 'right of' : rel === 'right of' ? 'left of' : rel === 'above' ? 'below' : 'above';
}

/** "at the top left", "in the middle", "on the right side", ... from the object's centre (thirds of the image). */
export function positionPhrase(ob: SceneObject): string {
  const h = ob.x < 1 / 3 ? 'left' : ob.x > 2 / 3 ? 'right' : null;
  const v = ob.y < 1 / 3 ? 'top' : ob.y > 2 / 3 ? 'bottom' : null;
  if (h && v) return `at the ${v} ${h}`;
  if (v) return `at the ${v}`;
  if (h) return `on the ${h} side`;
  return 'in the middle';
}

/** Objects matching every attribute of `ob` named in attrs (and its shape). */
export function matching(objects: readonly SceneObject[], ob: SceneObject, attrs: readonly Attr[]): SceneObject[] {
  return objects.filter((o) => o.shape === ob.shape
    && (!attrs.includes('size') || o.size === ob.size)
    && (!attrs.includes('color') || o.color === ob.color)
    && (!attrs.includes('pattern') || o.pattern === ob.pattern));
}

/** "a, b and c" */
export function listJoin(parts: readonly string[]): string {
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(' , ')} and ${parts[parts.length - 1]}`;
}

/** Joins words and punctuation into one space-separated string (the tokenizer splits punctuation anyway). */
export function sentence(...parts: string[]): string {
  return parts.filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
}
