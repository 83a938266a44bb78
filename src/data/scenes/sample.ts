// Sampling scenes: objects with random attributes placed without overlap, all draws from the caller's Rng.
import type { Rng } from '../../engine/rng.js';
import { SHAPES, SCENE_COLORS, SIZES, SIZE_RADIUS, type Pattern, type Scene, type SceneColor, type SceneObject, type Shape, type Size } from './types.js';

export interface SceneOptions {
  /** Number of objects, inclusive range (default 2..4). */
  minObjects?: number;
  maxObjects?: number;
  shapes?: readonly Shape[];
  colors?: readonly SceneColor[];
  sizes?: readonly Size[];
  /** Draw the second attribute (striped vs solid); false = every object solid (default). */
  patterns?: boolean;
  /** Smallest gap between two objects' extents, normalised (default 0.04). */
  minGap?: number;
  /** Smallest gap between an object and the image border, normalised (default 0.02). */
  margin?: number;
  /** Factor on every object's radius (default 1; the size words keep their ratio). */
  radiusScale?: number;
}

const DEFAULTS = { minObjects: 2, maxObjects: 4, minGap: 0.04, margin: 0.02 };

function checkRange(o: Required<Pick<SceneOptions, 'minObjects' | 'maxObjects'>>): void {
  if (!Number.isInteger(o.minObjects) || !Number.isInteger(o.maxObjects) || o.minObjects < 0 || o.maxObjects < o.minObjects) {
    throw new Error(`sampleScene: minObjects (${o.minObjects}) and maxObjects (${o.maxObjects}) must be integers with 0 <= min <= max`);
  }
  if (o.maxObjects > 9) throw new Error(`sampleScene: maxObjects ${o.maxObjects} > 9 (counts are spoken as number words one..nine)`);
}

function checkScale(scale: number | undefined): void {
  if (scale !== undefined && !(scale > 0)) throw new Error(`sampleScene: radiusScale must be positive, got ${scale}`);
}

/** Places one object of radius r away from the border and from `placed`; null after 200 failed draws. */
export function placeObject(rng: Rng, r: number, placed: readonly { x: number; y: number; r: number }[], minGap: number, margin: number): { x: number; y: number } | null {
  const lo = r + margin, hi = 1 - r - margin;
  if (hi <= lo) return null;
  for (let t = 0; t < 200; t++) {
    const x = lo + (hi - lo) * rng.next(), y = lo + (hi - lo) * rng.next();
    if (placed.every((o) => Math.hypot(o.x - x, o.y - y) >= o.r + r + minGap)) return { x, y };
  }
  return null;
}

/** Draws one object's attributes (no position). */
export function sampleAttributes(rng: Rng, o: SceneOptions = {}): Pick<SceneObject, 'shape' | 'color' | 'size' | 'pattern' | 'r' | 'shade'> {
  const shape = rng.pick(o.shapes ?? SHAPES);
  const color = rng.pick(o.colors ?? SCENE_COLORS);
  const size = rng.pick(o.sizes ?? SIZES);
  const pattern: Pattern = o.patterns && rng.next() < 0.5 ? 'striped' : 'solid';
  const r = SIZE_RADIUS[size] * (0.92 + 0.16 * rng.next()) * (o.radiusScale ?? 1);
  const shade = 0.85 + 0.2 * rng.next();
  return { shape, color, size, pattern, r, shade };
}

/**
 * A random scene. The object count is drawn first; objects that cannot be placed without overlap after many tries
 * are dropped (rare with the defaults), so a scene may hold fewer than minObjects only when the options ask for more
 * than fits.
 */
export function sampleScene(rng: Rng, opts: SceneOptions = {}): Scene {
  const o = { ...DEFAULTS, ...opts };
  checkRange(o);
  checkScale(o.radiusScale);
  const n = o.minObjects + rng.int(o.maxObjects - o.minObjects + 1);
  const objects: SceneObject[] = [];
  for (let i = 0; i < n; i++) {
    const a = sampleAttributes(rng, o);
    const pos = placeObject(rng, a.r, objects, o.minGap, o.margin);
    if (!pos) continue;
    objects.push({ id: objects.length, ...a, ...pos });
  }
  return { objects, background: 0.4 + 0.2 * rng.next(), noiseSeed: rng.seedInt() };
}

/** A scene from explicit objects (tests, fixtures); ids are reassigned 0..n-1 in order. */
export function makeScene(objects: Omit<SceneObject, 'id'>[], background = 0.5, noiseSeed = 0): Scene {
  return { objects: objects.map((ob, id) => ({ id, ...ob })), background, noiseSeed };
}
