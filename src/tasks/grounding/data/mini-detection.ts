// Modulated-detection data for pretraining the mini MDETR (MDETR's pretraining grounds every phrase of a caption
// to its boxes, on Flickr30k entities, COCO, Visual Genome and GQA): procedural scenes with a caption naming one to
// three objects, each phrase mapped to the boxes it refers to. Phrases are unique descriptions ("a small red
// circle"), or now and then a plural that names several boxes ("the red shapes", "the circles"); two-object captions
// may relate them ("a circle left of a blue star"), and then both phrases keep their boxes, unlike a referring
// expression, which names only its head. Deterministic from the Rng.
import type { Rng } from '../../../engine/rng.js';
import { nounPhrase, relationOf, uniqueAttrs, pluralShape, objectBox, type Scene, type SceneObject } from '../../../data/scenes/index.js';
import { xyxyToCxcywh, type Box } from '../boxes.js';
import type { GroundingItem, GroundingTargetSpec } from './types.js';

interface Phrase { text: string; objects: SceneObject[] }

function normBox(ob: SceneObject, S: number): Box {
  const b = objectBox(ob, S);
  return xyxyToCxcywh([b.x / S, b.y / S, (b.x + b.w) / S, (b.y + b.h) / S]);
}

function uniquePhrase(scene: Scene, ob: SceneObject, rng: Rng): Phrase | null {
  const attrs = uniqueAttrs(scene.objects, ob);
  if (!attrs) return null;
  // sometimes say more than needed (as captions do)
  const extra = rng.next() < 0.3 ? (['size', 'color'] as const).filter((a) => rng.next() < 0.5 || attrs.includes(a)) : attrs;
  return { text: nounPhrase(ob, [...new Set([...attrs, ...extra])], 'a'), objects: [ob] };
}

function pluralPhrase(scene: Scene, rng: Rng): Phrase | null {
  const objs = scene.objects;
  if (!objs.length) return null;
  const ob = rng.pick(objs);
  if (rng.next() < 0.5) return { text: `the ${ob.color} shapes`, objects: objs.filter((o) => o.color === ob.color) };
  return { text: `the ${pluralShape(ob.shape)}`, objects: objs.filter((o) => o.shape === ob.shape) };
}

/** One caption with its phrases' boxes, or null when the scene has nothing nameable. */
export function detectionItem(scene: Scene, rng: Rng, S: number, image: number): GroundingItem | null {
  const objs = rng.shuffle([...scene.objects]);
  const phrases: Phrase[] = [];
  const k = 1 + rng.int(3);
  if (rng.next() < 0.2) { const p = pluralPhrase(scene, rng); if (p) phrases.push(p); }
  for (const ob of objs) {
    if (phrases.length >= k) break;
    if (phrases.some((p) => p.objects.includes(ob))) continue;
    const p = uniquePhrase(scene, ob, rng);
    if (p) phrases.push(p);
  }
  if (!phrases.length) return null;
  let parts: string[];
  const [a, b] = phrases;
  const rel = phrases.length === 2 && a.objects.length === 1 && b.objects.length === 1 ? relationOf(a.objects[0], b.objects[0]) : null;
  if (rel && rng.next() < 0.5) parts = [a.text, rel, b.text, '.'];
  else if (phrases.length === 1) parts = [a.text, '.'];
  else parts = [...phrases.slice(0, -1).flatMap((p, i) => (i ? [',', p.text] : [p.text])), 'and', phrases[phrases.length - 1].text, '.'];
  const caption = parts.join(' ');
  const targets: GroundingTargetSpec[] = [];
  let from = 0;
  for (const p of phrases) {
    const at = caption.indexOf(p.text, from);
    if (at < 0) throw new Error(`mini detection: phrase "${p.text}" not found in "${caption}"`);
    from = at + p.text.length;
    for (const ob of p.objects) targets.push({ box: normBox(ob, S), spans: [[at, at + p.text.length]] });
  }
  const first = targets[0].box;
  const [x0, y0, x1, y1] = [first[0] - first[2] / 2, first[1] - first[3] / 2, first[0] + first[2] / 2, first[1] + first[3] / 2];
  return { caption, image, targets, evalBox: [x0 * S, y0 * S, x1 * S, y1 * S], width: S, height: S };
}
