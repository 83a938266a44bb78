// Scenes of the grounding family: the shared procedural scenes (src/data/scenes: shapes, colours, size words,
// renderer, referring expressions), with fewer objects drawn larger than the shared default. A 48 px scene read
// through the mini CNN's 3 x 3 feature grid (stride 16) leaves a default small object (radius 0.085: 8 px) well under
// one grid cell, and a DETR-style model, which reads box positions from its features' content, then needs far more
// steps than the mini budget to localise it. Scaling every radius by `scale` keeps the size words meaningful (small
// vs large stays 0.57 : 1) and the layout rules of sampleScene (no overlap, a margin to the border); an object that
// cannot be placed after 200 draws is dropped, as sampleScene does. Deterministic from the Rng.
import type { Rng } from '../../../engine/rng.js';
import { sampleAttributes, placeObject, type Scene, type SceneObject } from '../../../data/scenes/index.js';

export interface GroundingSceneOptions {
  /** Object count, inclusive range. */
  minObjects: number;
  maxObjects: number;
  /** Factor on every object radius (1 = the shared scenes' sizes). */
  scale: number;
}

/** sampleScene's defaults: smallest gap between objects and to the border (normalised). */
const MIN_GAP = 0.04;
const MARGIN = 0.02;

export function sampleGroundingScene(rng: Rng, o: GroundingSceneOptions): Scene {
  if (!Number.isInteger(o.minObjects) || !Number.isInteger(o.maxObjects) || o.minObjects < 1 || o.maxObjects < o.minObjects) {
    throw new Error(`grounding scenes: minObjects (${o.minObjects}) and maxObjects (${o.maxObjects}) must be integers with 1 <= min <= max`);
  }
  if (!(o.scale > 0)) throw new Error(`grounding scenes: scale must be positive, got ${o.scale}`);
  const n = o.minObjects + rng.int(o.maxObjects - o.minObjects + 1);
  const objects: SceneObject[] = [];
  for (let i = 0; i < n; i++) {
    const a = sampleAttributes(rng);
    const r = a.r * o.scale;
    const pos = placeObject(rng, r, objects, MIN_GAP, MARGIN);
    if (!pos) continue;
    objects.push({ id: objects.length, ...a, r, ...pos });
  }
  return { objects, background: 0.4 + 0.2 * rng.next(), noiseSeed: rng.seedInt() };
}
