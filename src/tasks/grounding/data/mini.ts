// Mini RefCOCO / RefCOCO+ / RefCOCOg: procedural scenes (src/data/scenes) rendered to pixels, with referring
// expressions in the three datasets' styles (refcoco: short, may use relations and absolute position; refcoco+:
// appearance only, no location words; refcocog: longer, full clauses). The target phrase's span is the expression's
// head noun phrase ("the small red circle" of "the small red circle left of the blue star"), as MDETR's
// tokens_positive marks the referred phrase. Splits follow the real ones: refcoco/refcoco+ train, val, testA, testB;
// refcocog train, val, test. RefCOCO's testA holds expressions about people and testB about other objects; here
// testA's targets are circles, squares and triangles and testB's the others (diamond,
// cross, star), both from scenes of their own. Scenes hold two to four objects drawn 1.5 times the shared scenes' size
// (scenes.ts says why). Deterministic from the data seed.
import { Rng } from '../../../engine/rng.js';
import { renderScene, referringExpressions, objectBox, type RefExpStyle, type Scene, type Shape } from '../../../data/scenes/index.js';
import { sampleGroundingScene, type GroundingSceneOptions } from './scenes.js';
import { normalizeInPlace } from '../../../data/images/index.js';
import { xyxyToCxcywh, generalizedIou, type Box } from '../boxes.js';
import { priorBoxChance } from '../metrics.js';
import { packedImages, type GroundingData, type GroundingItem, type GroundingSplit } from './types.js';

/** Bumped whenever the generator's output changes (it enters the data fingerprint). */
export const MINI_REFEXP_VERSION = 'mini-refexp-3';

export const MINI_REFEXP = {
  imageSize: 48,
  scenes: { minObjects: 2, maxObjects: 4, scale: 1.5 } as GroundingSceneOptions,
  /** Expressions per split (refcocog's single test split takes testA + testB's sizes). */
  sizes: { train: 320, val: 64, testA: 64, testB: 64 },
  /** Expressions drawn per scene (distinct targets). */
  perScene: 3,
};

const TEST_A_SHAPES: readonly Shape[] = ['circle', 'square', 'triangle'];

export type MiniStyle = RefExpStyle;

/** The span of the target's head noun phrase: from the start to the end of its shape word. */
export function headSpan(text: string, shape: string): [number, number] {
  const m = new RegExp(`(^|\\s)${shape}(\\s|$)`).exec(text);
  if (!m) throw new Error(`mini refexp: the expression "${text}" does not name its target's shape "${shape}"`);
  return [0, m.index + m[1].length + shape.length];
}

/**
 * Up to `n` referring expressions of a scene (distinct targets, those whose target passes `filter`) as grounding
 * items on image `image` rendered at S px: one target box (normalised cx, cy, w, h), the head noun phrase's span.
 */
export function refexpItems(scene: Scene, rng: Rng, n: number, style: MiniStyle, S: number, image: number, filter: ((shape: Shape) => boolean) | null = null): GroundingItem[] {
  let exprs = referringExpressions(scene, rng, n * 3, { size: S, style });
  if (filter) exprs = exprs.filter((e) => filter(scene.objects[e.targetId].shape));
  return exprs.slice(0, n).map((e) => {
    const corners: Box = [e.box.x, e.box.y, e.box.x + e.box.w, e.box.y + e.box.h];
    const norm = xyxyToCxcywh(corners.map((v) => v / S) as Box);
    const shape = scene.objects[e.targetId].shape;
    return { caption: e.text, image, targets: [{ box: norm, spans: [headSpan(e.text, shape)] }], evalBox: corners, width: S, height: S };
  });
}

/** A split and, per item, the boxes of every object of its scene (pixels, corners): what object-level chance needs. */
interface MadeSplit { split: GroundingSplit; sceneBoxes: Box[][] }

function makeSplit(name: string, style: MiniStyle, n: number, rng: Rng, filter: ((shape: Shape) => boolean) | null): MadeSplit {
  const S = MINI_REFEXP.imageSize;
  const scenes: Scene[] = [];
  const items: GroundingItem[] = [];
  let guard = 0;
  while (items.length < n) {
    if (++guard > n * 50) throw new Error(`mini refexp: could not generate ${n} ${style} expressions for ${name}`);
    const scene = sampleGroundingScene(rng, MINI_REFEXP.scenes);
    const got = refexpItems(scene, rng, Math.min(MINI_REFEXP.perScene, n - items.length), style, S, scenes.length, filter);
    if (!got.length) continue;
    scenes.push(scene);
    items.push(...got);
  }
  const pixels = new Float32Array(scenes.length * S * S * 3);
  scenes.forEach((s, i) => pixels.set(normalizeInPlace(renderScene(s, S), 'imagenet'), i * S * S * 3));
  const sceneBoxes = items.map((it) => scenes[it.image].objects.map((ob): Box => { const b = objectBox(ob, S); return [b.x, b.y, b.x + b.w, b.y + b.h]; }));
  return { split: { name, items, images: packedImages(pixels, S) }, sceneBoxes };
}

/** The evaluation split names of a refexp dataset style (RefCOCOg: val, test; the others: val, testA, testB). */
export function evalSplitNames(style: MiniStyle): string[] {
  return style === 'refcocog' ? ['val', 'test'] : ['val', 'testA', 'testB'];
}

function makeAll(style: MiniStyle, seed: number): { train: MadeSplit; evals: MadeSplit[] } {
  const root = new Rng(seed).fork(`mini-refexp:${style}`);
  const z = MINI_REFEXP.sizes;
  const train = makeSplit('train', style, z.train, root.fork('train'), null);
  const evals = [makeSplit('val', style, z.val, root.fork('val'), null)];
  if (style === 'refcocog') evals.push(makeSplit('test', style, z.testA + z.testB, root.fork('test'), null));
  else {
    evals.push(makeSplit('testA', style, z.testA, root.fork('testA'), (s) => TEST_A_SHAPES.includes(s)));
    evals.push(makeSplit('testB', style, z.testB, root.fork('testB'), (s) => !TEST_A_SHAPES.includes(s)));
  }
  return { train, evals };
}

export function miniRefexpData(style: MiniStyle, seed: number): GroundingData {
  const all = makeAll(style, seed);
  return { train: all.train.split, evals: all.evals.map((e) => e.split) };
}

/**
 * Chance levels of Precision@1 on each evaluation split of a mini refexp dataset: `priorBox`, a box drawn from the
 * training split's target boxes (the box prior alone, no image, no text); `randomObject`, the exact box of one of the
 * scene's objects picked uniformly (a perfect detector that ignores the expression). Percent.
 */
export function miniRefexpChance(style: MiniStyle, seed: number): Record<string, { priorBox: number; randomObject: number }> {
  const all = makeAll(style, seed);
  const prior = all.train.split.items.map((it) => it.targets[0].box);
  const out: Record<string, { priorBox: number; randomObject: number }> = {};
  for (const e of all.evals) {
    const items = e.split.items;
    out[e.split.name] = {
      priorBox: priorBoxChance(prior, items),
      randomObject: items.length ? (100 * items.reduce((a, it, i) => a + e.sceneBoxes[i].filter((b) => generalizedIou(b, it.evalBox) >= 0.5).length / e.sceneBoxes[i].length, 0)) / items.length : 0,
    };
  }
  return out;
}

export function miniRefexpFingerprint(style: MiniStyle, seed: number): string {
  return `${MINI_REFEXP_VERSION}:${style}:seed${seed}:${JSON.stringify(MINI_REFEXP)}`;
}
