// One colour and one marker shape per method, used by every chart (PNG and HTML), so a method looks the same
// everywhere. Shapes follow LST's Figure 1 where it has one (full: circle, adapters: square, LST: triangle), filled
// shapes wherever possible so bubble areas read as areas;
// colours are the Okabe–Ito colour-blind-safe set. Methods not listed get a stable colour from their id's hash.

export type PointShape = 'circle' | 'rect' | 'rectRot' | 'triangle' | 'rectRounded' | 'star' | 'crossRot' | 'cross';

interface Style { color: string; shape: PointShape; /** degrees */ rotation: number }

const KNOWN: Record<string, Style> = {
  full: { color: '#000000', shape: 'circle', rotation: 0 },
  adapter: { color: '#E69F00', shape: 'rect', rotation: 0 },
  lora: { color: '#56B4E9', shape: 'rectRot', rotation: 0 },
  bitfit: { color: '#009E73', shape: 'rectRounded', rotation: 0 },
  prompt: { color: '#CC79A7', shape: 'triangle', rotation: 180 },
  lst: { color: '#0072B2', shape: 'triangle', rotation: 0 },
  // "Ours" gets a star (Chart.js draws it as strokes, so it stays visible over filled markers).
  unipt: { color: '#D55E00', shape: 'star', rotation: 0 },
};

const EXTRA = ['#7F3C8D', '#11A579', '#3969AC', '#F2B701', '#E73F74', '#80BA5A', '#E68310', '#008695', '#CF1C90', '#4B4B8F'];
const SHAPES: PointShape[] = ['circle', 'rect', 'triangle', 'rectRot', 'rectRounded'];

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) { h ^= s.charCodeAt(i); h = Math.imul(h, 16777619); }
  return h >>> 0;
}

export function methodStyle(method: string): Style {
  const k = KNOWN[method];
  if (k) return k;
  const h = hash(method);
  return { color: EXTRA[h % EXTRA.length], shape: SHAPES[(h >>> 8) % SHAPES.length], rotation: 0 };
}

export function methodColor(method: string): string { return methodStyle(method).color; }

/** The colour with an alpha channel, for fills. */
export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Variants of one method (ablation rows) share the method's hue; lighter or darker by position so they stay
 * distinguishable but recognisably the same method.
 */
export function variantColor(method: string, index: number, count: number): string {
  const base = methodColor(method);
  if (count <= 1) return base;
  const n = parseInt(base.slice(1), 16);
  const t = index / (count - 1) * 0.7 - 0.35; // -0.35 (darker) .. +0.35 (lighter)
  const mix = (c: number) => Math.round(t >= 0 ? c + (255 - c) * t : c * (1 + t));
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map(mix);
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

/** Colours of the mem-v1 parts in the stacked memory bars (same in every chart). */
export const MEMORY_PART_COLORS: Record<string, string> = {
  frozenParams: '#9E9E9E',
  trainableParams: '#D55E00',
  optimizerState: '#E69F00',
  extraCopies: '#56B4E9',
  other: '#CC79A7',
  transient: '#0072B2',
};

export const MEMORY_PART_LABELS: Record<string, string> = {
  frozenParams: 'frozen parameters',
  trainableParams: 'trainable parameters',
  optimizerState: 'optimizer state',
  extraCopies: 'extra copies (e.g. pre-transposed weights)',
  other: 'other persistent tensors',
  transient: 'transient (activations, gradients, temporaries)',
};

/** A colour per table row: the method's colour, shaded per variant when a method has several rows. */
export function rowColors(rows: readonly { id: string; method: string }[]): Map<string, string> {
  const byMethod = new Map<string, string[]>();
  for (const r of rows) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r.id]);
  const out = new Map<string, string>();
  for (const [method, ids] of byMethod) ids.forEach((id, i) => out.set(id, variantColor(method, i, ids.length)));
  return out;
}
