// Shape outlines in object units (centre 0, radius 1, y downwards): a circle or a polygon. Boxes and the rasteriser
// both read them, so a referring expression's box is exactly the drawn footprint.
import type { Box, SceneObject, Shape } from './types.js';

export type Outline = { kind: 'circle'; radius: number } | { kind: 'polygon'; points: [number, number][] };

function regular(n: number, outer: number, inner: number | null, start = -Math.PI / 2): [number, number][] {
  const pts: [number, number][] = [];
  const step = inner === null ? (2 * Math.PI) / n : Math.PI / n;
  for (let i = 0; i < (inner === null ? n : 2 * n); i++) {
    const rad = inner !== null && i % 2 === 1 ? inner : outer;
    const a = start + i * step;
    pts.push([rad * Math.cos(a), rad * Math.sin(a)]);
  }
  return pts;
}

const A = 0.34;   // half-width of the cross's arms
export const OUTLINES: Record<Shape, Outline> = {
  circle: { kind: 'circle', radius: 0.92 },
  square: { kind: 'polygon', points: [[-0.8, -0.8], [0.8, -0.8], [0.8, 0.8], [-0.8, 0.8]] },
  triangle: { kind: 'polygon', points: [[0, -1], [0.97, 0.72], [-0.97, 0.72]] },
  diamond: { kind: 'polygon', points: [[0, -1], [0.78, 0], [0, 1], [-0.78, 0]] },
  cross: { kind: 'polygon', points: [[-A, -1], [A, -1], [A, -A], [1, -A], [1, A], [A, A], [A, 1], [-A, 1], [-A, A], [-1, A], [-1, -A], [-A, -A]] },
  star: { kind: 'polygon', points: regular(5, 1, 0.45) },
};

/** Extent of a shape's outline in object units: [minX, minY, maxX, maxY]. */
export function outlineExtent(shape: Shape): [number, number, number, number] {
  const o = OUTLINES[shape];
  if (o.kind === 'circle') return [-o.radius, -o.radius, o.radius, o.radius];
  const xs = o.points.map((p) => p[0]), ys = o.points.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** Even-odd point-in-polygon test. */
export function insidePolygon(px: number, py: number, pts: readonly [number, number][]): boolean {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i], [xj, yj] = pts[j];
    if ((yi > py) !== (yj > py) && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** True when the point (object units) is inside the shape. */
export function insideShape(shape: Shape, u: number, v: number): boolean {
  const o = OUTLINES[shape];
  return o.kind === 'circle' ? u * u + v * v <= o.radius * o.radius : insidePolygon(u, v, o.points);
}

/**
 * The object's tight box in pixels at a square render of `size` pixels (continuous coordinates: a pixel i covers
 * [i, i+1)), as COCO [x, y, w, h].
 */
export function objectBox(ob: Pick<SceneObject, 'shape' | 'x' | 'y' | 'r'>, size: number): Box {
  const [x0, y0, x1, y1] = outlineExtent(ob.shape);
  const left = (ob.x + x0 * ob.r) * size, top = (ob.y + y0 * ob.r) * size;
  return { x: left, y: top, w: (x1 - x0) * ob.r * size, h: (y1 - y0) * ob.r * size };
}

/** Intersection over union of two boxes. */
export function boxIou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  const union = a.w * a.h + b.w * b.h - inter;
  return union > 0 ? inter / union : 0;
}
