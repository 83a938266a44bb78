// Mini RefCOCO / RefCOCO+ / RefCOCOg: procedural scenes (src/data/scenes) rendered to pixels, with referring
// expressions in the three datasets' styles (refcoco: short, may use relations and absolute position; refcoco+:
// appearance only, no location words; refcocog: longer, full clauses). The target phrase's span is the expression's
// head noun phrase ("the small red circle" of "the small red circle left of the blue star"), as MDETR's
// tokens_positive marks the referred phrase. Splits follow the real ones: refcoco/refcoco+ train, val, testA, testB;
// refcocog train, val, test. RefCOCO's testA holds expressions about people and testB about other objects; here
// testA's targets are circles, squares and triangles and testB's the others (diamond,
// cross, star), both from scenes of their own. Deterministic from the data seed.
import { Rng } from '../../../engine/rng.js';
import { sampleScene, renderScene, referringExpressions, type RefExpStyle, type Scene, type Shape } from '../../../data/scenes/index.js';
import { normalizeInPlace } from '../../../data/images/index.js';
import { xyxyToCxcywh, type Box } from '../boxes.js';
import { packedImages, type GroundingData, type GroundingItem, type GroundingSplit } from './types.js';

/** Bumped whenever the generator's output changes (it enters the data fingerprint). */
export const MINI_REFEXP_VERSION = 'mini-refexp-2';

export const MINI_REFEXP = {
  imageSize: 48,
  scenes: { minObjects: 3, maxObjects: 6 },
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

function makeSplit(name: string, style: MiniStyle, n: number, rng: Rng, filter: ((shape: Shape) => boolean) | null): GroundingSplit {
  const S = MINI_REFEXP.imageSize;
  const scenes: Scene[] = [];
  const items: GroundingItem[] = [];
  let guard = 0;
  while (items.length < n) {
    if (++guard > n * 50) throw new Error(`mini refexp: could not generate ${n} ${style} expressions for ${name}`);
    const scene = sampleScene(rng, MINI_REFEXP.scenes);
    let exprs = referringExpressions(scene, rng, MINI_REFEXP.perScene * 3, { size: S, style });
    if (filter) exprs = exprs.filter((e) => filter(scene.objects[e.targetId].shape));
    exprs = exprs.slice(0, Math.min(MINI_REFEXP.perScene, n - items.length));
    if (!exprs.length) continue;
    const image = scenes.length;
    scenes.push(scene);
    for (const e of exprs) {
      const corners: Box = [e.box.x, e.box.y, e.box.x + e.box.w, e.box.y + e.box.h];
      const norm = xyxyToCxcywh(corners.map((v) => v / S) as Box);
      const shape = scene.objects[e.targetId].shape;
      items.push({ caption: e.text, image, targets: [{ box: norm, spans: [headSpan(e.text, shape)] }], evalBox: corners, width: S, height: S });
    }
  }
  const pixels = new Float32Array(scenes.length * S * S * 3);
  scenes.forEach((s, i) => pixels.set(normalizeInPlace(renderScene(s, S), 'imagenet'), i * S * S * 3));
  return { name, items, images: packedImages(pixels, S) };
}

/** The evaluation split names of a refexp dataset style (RefCOCOg: val, test; the others: val, testA, testB). */
export function evalSplitNames(style: MiniStyle): string[] {
  return style === 'refcocog' ? ['val', 'test'] : ['val', 'testA', 'testB'];
}

export function miniRefexpData(style: MiniStyle, seed: number): GroundingData {
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

export function miniRefexpFingerprint(style: MiniStyle, seed: number): string {
  return `${MINI_REFEXP_VERSION}:${style}:seed${seed}:${JSON.stringify(MINI_REFEXP)}`;
}
