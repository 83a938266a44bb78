// Multi-label attribute targets of a scene, for pretraining image encoders on scenes (like ImageNet/WSL tagging):
// which shapes, colours, colour-shape and size-shape pairs are present, and which colours and shapes appear in each
// half of the image (so the features keep where things are, which captions and questions ask about).
import { SCENE_COLORS, SHAPES, SIZES, type Scene } from './types.js';

const HALVES = ['left', 'right', 'top', 'bottom'] as const;

/** Label names in order (the index of each target). */
export const ATTRIBUTE_LABELS: readonly string[] = [
  ...SHAPES.map((s) => `shape:${s}`),
  ...SCENE_COLORS.map((c) => `color:${c}`),
  ...SCENE_COLORS.flatMap((c) => SHAPES.map((s) => `pair:${c}/${s}`)),
  ...SIZES.flatMap((z) => SHAPES.map((s) => `size:${z}/${s}`)),
  ...SCENE_COLORS.flatMap((c) => HALVES.map((h) => `where:${c}/${h}`)),
  ...SHAPES.flatMap((s) => HALVES.map((h) => `where:${s}/${h}`)),
];
const INDEX = new Map(ATTRIBUTE_LABELS.map((l, i) => [l, i]));

/** 0/1 targets, one per ATTRIBUTE_LABELS entry. */
export function attributeLabels(scene: Scene): Float32Array {
  const y = new Float32Array(ATTRIBUTE_LABELS.length);
  const on = (l: string) => { y[INDEX.get(l)!] = 1; };
  for (const o of scene.objects) {
    on(`shape:${o.shape}`); on(`color:${o.color}`); on(`pair:${o.color}/${o.shape}`); on(`size:${o.size}/${o.shape}`);
    const halves = [o.x < 0.5 ? 'left' : 'right', o.y < 0.5 ? 'top' : 'bottom'];
    for (const h of halves) { on(`where:${o.color}/${h}`); on(`where:${o.shape}/${h}`); }
  }
  return y;
}
