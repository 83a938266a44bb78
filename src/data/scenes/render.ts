// The rasteriser: each pixel is the average of ss x ss sub-samples (anti-aliasing by supersampling), objects painted
// in list order over a gray background with a little deterministic per-pixel noise. Output: RGB in [0, 1], HWC,
// row-major (index (y * size + x) * 3 + channel). Pure arithmetic, so the same scene gives the same bytes everywhere.
import type { Scene, SceneColor, SceneObject } from './types.js';
import { insideShape, outlineExtent } from './geometry.js';

export const COLOR_RGB: Record<SceneColor, [number, number, number]> = {
  red: [0.86, 0.14, 0.14],
  blue: [0.14, 0.3, 0.9],
  green: [0.12, 0.68, 0.2],
  yellow: [0.95, 0.86, 0.12],
  white: [0.97, 0.97, 0.97],
  black: [0.04, 0.04, 0.04],
  brown: [0.55, 0.33, 0.13],
};

export interface RenderOptions {
  /** Sub-samples per pixel side (default 3; 1 = aliased). */
  supersample?: number;
  /** Amplitude of the background noise (default 0.04; 0 = flat background). */
  noise?: number;
}

/** A fast integer hash of (seed, index) to [0, 1). */
function hash01(seed: number, i: number): number {
  let h = Math.imul(seed ^ Math.imul(i + 0x9e3779b9, 0x85ebca6b), 0xc2b2ae35) >>> 0;
  h ^= h >>> 15; h = Math.imul(h, 0x2c1b3c6d) >>> 0; h ^= h >>> 12; h = Math.imul(h, 0x297a2d39) >>> 0; h ^= h >>> 15;
  return (h >>> 0) / 4294967296;
}

function objectColor(ob: SceneObject, u: number, v: number): [number, number, number] {
  const c = COLOR_RGB[ob.color];
  // diagonal stripes, about 4.5 bands across the object, in 55% of the colour
  const k = ob.pattern === 'striped' && Math.floor((u + v + 4) * 2.2) % 2 === 1 ? 0.55 * ob.shade : ob.shade;
  return [Math.min(1, c[0] * k), Math.min(1, c[1] * k), Math.min(1, c[2] * k)];
}

/** Renders a scene to a size x size RGB image (HWC Float32Array in [0, 1]). */
export function renderScene(scene: Scene, size: number, opts: RenderOptions = {}): Float32Array {
  if (!Number.isInteger(size) || size < 1) throw new Error(`renderScene: size must be a positive integer, got ${size}`);
  const ss = opts.supersample ?? 3, noise = opts.noise ?? 0.04;
  if (!Number.isInteger(ss) || ss < 1) throw new Error(`renderScene: supersample must be a positive integer, got ${ss}`);
  const img = new Float32Array(size * size * 3);
  for (let p = 0; p < size * size; p++) {
    const g = Math.min(1, Math.max(0, scene.background + noise * (2 * hash01(scene.noiseSeed, p) - 1)));
    img[3 * p] = g; img[3 * p + 1] = g; img[3 * p + 2] = g;
  }
  const inv = 1 / (ss * ss);
  for (const ob of scene.objects) {
    const [ex0, ey0, ex1, ey1] = outlineExtent(ob.shape);
    const px0 = Math.max(0, Math.floor((ob.x + ex0 * ob.r) * size)), px1 = Math.min(size - 1, Math.floor((ob.x + ex1 * ob.r) * size));
    const py0 = Math.max(0, Math.floor((ob.y + ey0 * ob.r) * size)), py1 = Math.min(size - 1, Math.floor((ob.y + ey1 * ob.r) * size));
    for (let py = py0; py <= py1; py++) {
      for (let px = px0; px <= px1; px++) {
        let cov = 0, r = 0, gg = 0, b = 0;
        for (let sy = 0; sy < ss; sy++) {
          for (let sx = 0; sx < ss; sx++) {
            const u = ((px + (sx + 0.5) / ss) / size - ob.x) / ob.r, v = ((py + (sy + 0.5) / ss) / size - ob.y) / ob.r;
            if (!insideShape(ob.shape, u, v)) continue;
            const c = objectColor(ob, u, v);
            cov++; r += c[0]; gg += c[1]; b += c[2];
          }
        }
        if (!cov) continue;
        const i = 3 * (py * size + px), a = cov * inv;
        img[i] = img[i] * (1 - a) + r * inv;
        img[i + 1] = img[i + 1] * (1 - a) + gg * inv;
        img[i + 2] = img[i + 2] * (1 - a) + b * inv;
      }
    }
  }
  return img;
}

/** Renders many scenes into one [n, size, size, 3] buffer (for a batch tensor). */
export function renderScenes(scenes: readonly Scene[], size: number, opts: RenderOptions = {}): Float32Array {
  const out = new Float32Array(scenes.length * size * size * 3);
  scenes.forEach((s, i) => out.set(renderScene(s, size, opts), i * size * size * 3));
  return out;
}
