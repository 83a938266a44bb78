// Procedural scenes: determinism, the rasteriser against hand-computed pixels and areas, boxes, relations, and the
// text generators checked against the scene they describe (captions, questions, referring expressions, motion).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import { languageVocabulary } from '../../src/data/language/index.js';
import {
  sampleScene, renderScene, makeScene, objectBox, boxIou, relationOf, holds, sceneCaptions, captionOf, sceneQuestions, questionOf,
  referringExpressions, sampleClip, renderClip, clipCaptions, sceneTokenizerVocabulary, SCENE_EXTRA_WORDS, COLOR_RGB, matching,
  SHAPES, SCENE_COLORS, RELATIONS, type Scene, type SceneObject, type Attr,
} from '../../src/data/scenes/index.js';

const obj = (o: Partial<SceneObject>): Omit<SceneObject, 'id'> => ({ shape: 'square', color: 'red', size: 'large', pattern: 'solid', x: 0.5, y: 0.5, r: 0.1, shade: 1, ...o });
const words = (s: string) => s.split(/\s+/).filter(Boolean);

test('the same seed gives the same scene and the same pixels; another seed differs', () => {
  const a = sampleScene(new Rng(7), { patterns: true }), b = sampleScene(new Rng(7), { patterns: true }), c = sampleScene(new Rng(8), { patterns: true });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.deepEqual(renderScene(a, 24), renderScene(b, 24));
  assert.notDeepEqual(renderScene(a, 24), renderScene(c, 24));
});

test('sampled objects stay inside the image and never overlap', () => {
  const rng = new Rng(1);
  for (let i = 0; i < 200; i++) {
    const s = sampleScene(rng, { minObjects: 3, maxObjects: 6 });
    for (const o of s.objects) assert.ok(o.x - o.r >= 0 && o.x + o.r <= 1 && o.y - o.r >= 0 && o.y + o.r <= 1);
    for (const o of s.objects) for (const p of s.objects) if (o !== p) assert.ok(Math.hypot(o.x - p.x, o.y - p.y) >= o.r + p.r);
  }
});

test('rasteriser: an axis-aligned square fills exactly its box, in its colour, over the background', () => {
  // square half-side 0.8 r = 0.08 at centre 0.5 -> pixels [42, 58) at size 100, so no partial pixels
  const s = makeScene([obj({ shape: 'square', x: 0.5, y: 0.5, r: 0.1, color: 'blue' })], 0.5, 0);
  const img = renderScene(s, 100, { noise: 0 });
  const at = (x: number, y: number) => Array.from(img.slice(3 * (y * 100 + x), 3 * (y * 100 + x) + 3));
  const blue = COLOR_RGB.blue;
  let inside = 0;
  for (let y = 0; y < 100; y++) {
    for (let x = 0; x < 100; x++) {
      const p = at(x, y);
      const isIn = x >= 42 && x < 58 && y >= 42 && y < 58;
      const want = isIn ? blue : [0.5, 0.5, 0.5];
      p.forEach((v, c) => assert.ok(Math.abs(v - want[c]) < 1e-6, `pixel (${x},${y}) channel ${c}: ${v} vs ${want[c]}`));
      if (isIn) inside++;
    }
  }
  assert.equal(inside, 256);
  const box = objectBox(s.objects[0], 100);
  assert.deepEqual([box.x, box.y, box.w, box.h].map((v) => Math.round(v * 1e6) / 1e6), [42, 42, 16, 16]);
});

test('rasteriser: anti-aliased coverage of a circle approximates its area; striped objects are darker on average', () => {
  const r = 0.2, size = 64;
  const s = makeScene([obj({ shape: 'circle', x: 0.5, y: 0.5, r, color: 'white' })], 0, 0);
  const img = renderScene(s, size, { noise: 0, supersample: 4 });
  let cov = 0;
  for (let i = 0; i < img.length; i += 3) cov += img[i] / COLOR_RGB.white[0];
  const area = Math.PI * (0.92 * r * size) ** 2;   // circle outline radius 0.92 r
  assert.ok(Math.abs(cov - area) / area < 0.01, `covered ${cov.toFixed(1)} px, circle area ${area.toFixed(1)}`);
  const striped = renderScene(makeScene([obj({ shape: 'circle', r, color: 'white', pattern: 'striped' })], 0, 0), size, { noise: 0 });
  const sum = (a: Float32Array) => a.reduce((x, y) => x + y, 0);
  assert.ok(sum(striped) < 0.85 * sum(img) && sum(striped) > 0.6 * sum(img));
  // the background noise has the requested amplitude and is deterministic
  const n1 = renderScene(makeScene([], 0.5, 9), 16, { noise: 0.04 });
  assert.ok(n1.every((v) => v >= 0.46 - 1e-6 && v <= 0.54 + 1e-6) && new Set(n1).size > 10);
  assert.deepEqual(n1, renderScene(makeScene([], 0.5, 9), 16, { noise: 0.04 }));
});

test('boxes: every drawn pixel lies inside the object box; IoU of hand-made boxes', () => {
  const rng = new Rng(3);
  for (let t = 0; t < 20; t++) {
    const sc = sampleScene(rng, { minObjects: 1, maxObjects: 1, shapes: [SHAPES[t % SHAPES.length]] });
    const o = sc.objects[0], size = 40;
    const img = renderScene({ ...sc, background: 0 }, size, { noise: 0 });
    const b = objectBox(o, size);
    for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
      const lit = img[3 * (y * size + x)] + img[3 * (y * size + x) + 1] + img[3 * (y * size + x) + 2] > 0;
      if (lit) assert.ok(x + 1 > b.x && x < b.x + b.w && y + 1 > b.y && y < b.y + b.h, `${o.shape}: lit pixel (${x},${y}) outside box ${JSON.stringify(b)}`);
    }
  }
  assert.equal(boxIou({ x: 0, y: 0, w: 2, h: 2 }, { x: 1, y: 1, w: 2, h: 2 }), 1 / 7);
  assert.equal(boxIou({ x: 0, y: 0, w: 1, h: 1 }, { x: 2, y: 2, w: 1, h: 1 }), 0);
});

test('relations follow the dominant axis with a gap', () => {
  const [a, b, c] = makeScene([obj({ x: 0.2, y: 0.5 }), obj({ x: 0.7, y: 0.55 }), obj({ x: 0.25, y: 0.9 })]).objects;
  assert.equal(relationOf(a, b), 'left of');
  assert.equal(relationOf(b, a), 'right of');
  assert.equal(relationOf(a, c), 'above');
  assert.equal(relationOf(c, a), 'below');
  assert.equal(relationOf(a, { ...a, x: 0.25 }), null);
  assert.ok(holds('left of', a, b) && !holds('right of', a, b) && holds('below', c, a));
});

test('captions, questions and referring expressions use only tokenizer words', () => {
  const vocab = new Set(sceneTokenizerVocabulary());
  const rng = new Rng(5);
  for (let i = 0; i < 150; i++) {
    const s = sampleScene(rng, { patterns: i % 2 === 0, minObjects: 1, maxObjects: 6 });
    const texts = [
      ...sceneCaptions(s, rng, 5, { patterns: i % 2 === 0 }),
      ...sceneQuestions(s, rng, 6).flatMap((q) => [q.question, ...q.answers]),
      ...(['refcoco', 'refcoco+', 'refcocog'] as const).flatMap((style) => referringExpressions(s, rng, 3, { size: 32, style, patterns: i % 2 === 0 }).map((e) => e.text)),
    ];
    for (const t of texts) for (const w of words(t)) assert.ok(vocab.has(w), `"${w}" (in "${t}") is not in the scene tokenizer vocabulary`);
  }
  const lang = languageVocabulary(), sv = sceneTokenizerVocabulary();
  assert.deepEqual(sv.slice(0, lang.length), lang, 'language ids unchanged');
  assert.equal(new Set(sv).size, sv.length);
  assert.ok(SCENE_EXTRA_WORDS.every((w) => sv.includes(w)));
});

test('captions describe the scene: full lists every object, count gives the right numbers', () => {
  const s = makeScene([
    obj({ shape: 'circle', color: 'red', size: 'small', x: 0.2, y: 0.2 }),
    obj({ shape: 'circle', color: 'blue', size: 'large', x: 0.8, y: 0.2 }),
    obj({ shape: 'star', color: 'green', size: 'small', x: 0.5, y: 0.8 }),
  ]);
  const rng = new Rng(0);
  const full = captionOf('full', s, rng);
  assert.match(full, /a small red circle , a small green star and a large blue circle \.$/);
  assert.equal(captionOf('count', s, new Rng(1)).startsWith('there are three shapes ,'), true);
  assert.match(captionOf('count', s, new Rng(1)), /two circles/);
  assert.match(captionOf('count', s, new Rng(1)), /a star/);
  // relation captions state true relations
  for (let k = 0; k < 30; k++) {
    const c = captionOf('relation', s, new Rng(k));
    const m = /^a (\w+) (\w+) (\w+) is (left of|right of|above|below) a (\w+) (\w+) (\w+) \.$/.exec(c);
    assert.ok(m, c);
    const find = (color: string, shape: string) => s.objects.find((o) => o.color === color && o.shape === shape)!;
    assert.equal(relationOf(find(m[2], m[3]), find(m[6], m[7])), m[4], c);
  }
  assert.equal(sceneCaptions(s, new Rng(2), 5).length, 5);
});

test('questions have correct answers and ten annotators who mostly agree', () => {
  const s = makeScene([
    obj({ shape: 'circle', color: 'red', x: 0.2, y: 0.2 }), obj({ shape: 'square', color: 'red', x: 0.8, y: 0.2 }),
    obj({ shape: 'star', color: 'green', size: 'small', x: 0.2, y: 0.8 }),
  ]);
  const truth: Record<string, string> = {
    'how many red shapes are there ?': 'two', 'how many green shapes are there ?': 'one', 'how many circles are there ?': 'one',
    'how many crosses are there ?': 'zero', 'what color is the star ?': 'green', 'what shape is the green object ?': 'star',
    'is the star small or large ?': 'small', 'is the circle above the star ?': 'yes', 'is the circle left of the square ?': 'yes',
    'is the square below the star ?': 'no', 'is there a red square ?': 'yes', 'is there a green circle ?': 'no',
  };
  const rng = new Rng(4);
  let checked = 0, agree = 0, total = 0;
  for (let k = 0; k < 300; k++) {
    const q = sceneQuestions(s, rng, 1)[0];
    assert.equal(q.answers.length, 10);
    agree += q.answers.filter((a) => a === q.answer).length; total += 10;
    if (truth[q.question] !== undefined) { assert.equal(q.answer, truth[q.question], q.question); checked++; }
  }
  assert.ok(checked > 50, `only ${checked} questions matched the hand-answered list`);
  assert.ok(agree / total > 0.78 && agree / total < 0.92, `annotator agreement ${agree / total}`);
  // a scene with two identical-looking circles cannot ask about "the circle"
  const twin = makeScene([obj({ shape: 'circle' }), obj({ shape: 'circle', x: 0.1, y: 0.1 })]);
  for (let k = 0; k < 20; k++) assert.equal(questionOf('color', twin, new Rng(k)), null);
});

/** Interprets a referring expression the way the generator writes them; returns the matching objects. */
function resolve(s: Scene, text: string): SceneObject[] {
  const np = String.raw`the (?:(small|large) )?(?:(striped|solid) )?(?:(${SCENE_COLORS.join('|')}) )?(${SHAPES.join('|')})`;
  const m = new RegExp(`^${np}(?: (?:that is )?(?:(${RELATIONS.join('|')}) ${np}|(at the \\w+(?: \\w+)?|on the \\w+ side|in the middle)))?$`).exec(text);
  if (!m) throw new Error(`unparsed referring expression "${text}"`);
  const pick = (size?: string, striped?: string, color?: string, shape?: string) => s.objects.filter((o) => o.shape === shape
    && (!size || o.size === size) && (!striped || o.pattern === striped) && (!color || o.color === color));
  let c = pick(m[1], m[2], m[3], m[4]);
  if (m[5]) {
    const anchors = pick(m[6], m[7], m[8], m[9]);
    assert.equal(anchors.length, 1, `anchor of "${text}" is not unique`);
    c = c.filter((o) => relationOf(o, anchors[0]) === m[5]);
  }
  return c;
}

test('referring expressions single out their target, and the box is the target\'s', () => {
  const rng = new Rng(11);
  let n = 0;
  for (let i = 0; i < 200; i++) {
    const s = sampleScene(rng, { minObjects: 2, maxObjects: 6, patterns: i % 3 === 0 });
    for (const style of ['refcoco', 'refcoco+', 'refcocog'] as const) {
      for (const e of referringExpressions(s, rng, 3, { size: 64, style, patterns: i % 3 === 0 })) {
        const hits = resolve(s, e.text);
        const target = s.objects.find((o) => o.id === e.targetId)!;
        if (!/(at the|on the|in the middle)/.test(e.text)) assert.deepEqual(hits.map((o) => o.id), [e.targetId], `"${e.text}"`);
        else assert.ok(hits.includes(target), `"${e.text}"`);
        assert.deepEqual(e.box, objectBox(target, 64));
        if (style === 'refcoco+') assert.ok(!/(left|right|above|below|top|bottom|middle)/.test(e.text), `RefCOCO+ uses no location words: "${e.text}"`);
        n++;
      }
    }
  }
  assert.ok(n > 500, `only ${n} expressions generated`);
  assert.equal(matching(makeScene([obj({}), obj({ color: 'blue' })]).objects, makeScene([obj({})]).objects[0], ['color'] as Attr[]).length, 1);
});

test('clips: events happen as stated and the captions name them', () => {
  const rng = new Rng(21);
  const seen = new Set<string>();
  for (let i = 0; i < 80; i++) {
    const clip = sampleClip(rng, { frames: 4 });
    assert.equal(clip.frames.length, 4);
    const pos = (f: number, id: number) => clip.frames[f].objects.find((o) => o.id === id);
    for (const e of clip.events) {
      seen.add(e.kind);
      if (e.kind === 'move') {
        const a = pos(0, e.objectId)!, b = pos(3, e.objectId)!;
        const d = { left: a.x - b.x, right: b.x - a.x, up: a.y - b.y, down: b.y - a.y }[e.direction];
        assert.ok(d > 0.3, `${e.direction} moved only ${d}`);
      } else if (e.kind === 'appear') {
        assert.equal(pos(e.frame - 1, e.objectId), undefined); assert.ok(pos(e.frame, e.objectId));
      } else if (e.kind === 'disappear') {
        assert.ok(pos(e.frame - 1, e.objectId)); assert.equal(pos(e.frame, e.objectId), undefined);
      } else {
        assert.equal(pos(e.frame - 1, e.objectId)!.color, e.from); assert.equal(pos(e.frame, e.objectId)!.color, e.to);
      }
    }
    // objects never overlap within a frame
    for (const f of clip.frames) for (const o of f.objects) for (const p of f.objects) if (o !== p) assert.ok(Math.hypot(o.x - p.x, o.y - p.y) >= o.r + p.r);
    const caps = clipCaptions(clip, rng, 5);
    assert.equal(caps.length, 5);
    const verbs: Record<string, string> = { move: 'moves', appear: 'appears', disappear: 'disappears', recolor: 'turns' };
    for (const c of caps) assert.ok(clip.events.length === 0 || clip.events.some((e) => c.includes(verbs[e.kind])), c);
    const vocab = new Set(sceneTokenizerVocabulary());
    for (const c of caps) for (const w of words(c)) assert.ok(vocab.has(w), `"${w}" in "${c}"`);
    assert.equal(renderClip(clip, 16).length, 4);
  }
  assert.deepEqual([...seen].sort(), ['appear', 'disappear', 'move', 'recolor']);
});
