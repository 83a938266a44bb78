// Scenes of the grounding family: the shared procedural scenes (src/data/scenes: shapes, colours, size words,
// renderer, referring expressions), with fewer objects drawn larger than the shared default. A 48 px scene read
// through the mini CNN's 3 x 3 feature grid (stride 16) leaves a default small object (radius 0.085: 8 px) well under
// one grid cell, and a DETR-style model, which reads box positions from its features' content, then needs far more
// steps than the mini budget to localise it. The shared sampler scales every radius (`radiusScale`), which keeps the
// size words meaningful (small vs large stays 0.57 : 1) and its layout rules (no overlap, a margin to the border).
// Deterministic from the Rng.
import type { Rng } from '../../../engine/rng.js';
import { sampleScene, SHAPES, type Scene } from '../../../data/scenes/index.js';

export interface GroundingSceneOptions {
  /** Object count, inclusive range. */
  minObjects: number;
  maxObjects: number;
  /** Factor on every object radius (1 = the shared scenes' sizes). */
  scale: number;
  /**
   * Distinct shapes a scene draws its objects from (drawn per scene; absent = every shape). With few, distractors
   * share the target's shape, so an expression has to bind colour and size to single it out.
   */
  shapesPerScene?: number;
}

export function sampleGroundingScene(rng: Rng, o: GroundingSceneOptions): Scene {
  // every grounding item refers to an object: a scene needs at least one
  if (!Number.isInteger(o.minObjects) || !Number.isInteger(o.maxObjects) || o.minObjects < 1 || o.maxObjects < o.minObjects) {
    throw new Error(`grounding scenes: minObjects (${o.minObjects}) and maxObjects (${o.maxObjects}) must be integers with 1 <= min <= max`);
  }
  if (!(o.scale > 0)) throw new Error(`grounding scenes: scale must be positive, got ${o.scale}`);
  if (o.shapesPerScene === undefined) return sampleScene(rng, { minObjects: o.minObjects, maxObjects: o.maxObjects, radiusScale: o.scale });
  if (!Number.isInteger(o.shapesPerScene) || o.shapesPerScene < 1 || o.shapesPerScene > SHAPES.length) throw new Error(`grounding scenes: shapesPerScene must be an integer in 1..${SHAPES.length}, got ${o.shapesPerScene}`);
  const shapes = rng.shuffle([...SHAPES]).slice(0, o.shapesPerScene);
  return sampleScene(rng, { minObjects: o.minObjects, maxObjects: o.maxObjects, radiusScale: o.scale, shapes });
}
