// The procedural visual world shared by the vision-and-language families: a scene is a handful of flat shapes on a
// gray background. Coordinates are normalised to the image side: x to the right, y downwards, both in [0, 1], so a
// scene renders at any pixel size. Every random choice comes from an Rng, so a scene is a pure function of the seed.

export const SHAPES = ['circle', 'square', 'triangle', 'diamond', 'cross', 'star'] as const;
export type Shape = (typeof SHAPES)[number];

/** Colours an object can have: the language's colour words minus gray (the background is gray). */
export const SCENE_COLORS = ['red', 'blue', 'green', 'yellow', 'white', 'black', 'brown'] as const;
export type SceneColor = (typeof SCENE_COLORS)[number];

export const SIZES = ['small', 'large'] as const;
export type Size = (typeof SIZES)[number];

/** The optional second attribute: a solid fill or diagonal stripes in a darker shade of the colour. */
export const PATTERNS = ['solid', 'striped'] as const;
export type Pattern = (typeof PATTERNS)[number];

/** Object radius (half its extent) as a fraction of the image side, per size word. */
export const SIZE_RADIUS: Record<Size, number> = { small: 0.085, large: 0.15 };

export interface SceneObject {
  /** Stable within a scene (and across the frames of a clip). */
  id: number;
  shape: Shape;
  color: SceneColor;
  size: Size;
  pattern: Pattern;
  /** Centre, normalised to the image side. */
  x: number;
  y: number;
  /** Half the object's extent, normalised (SIZE_RADIUS[size] times a small jitter). */
  r: number;
  /** Brightness factor of the colour (lighting jitter, about 0.85-1.05). */
  shade: number;
}

export interface Scene {
  objects: SceneObject[];
  /** Gray level of the background, in [0, 1]. */
  background: number;
  /** Seeds the background's per-pixel noise (deterministic). */
  noiseSeed: number;
}

/** An axis-aligned box in pixels at a render size: top-left corner and extent (COCO's [x, y, w, h]). */
export interface Box { x: number; y: number; w: number; h: number }
