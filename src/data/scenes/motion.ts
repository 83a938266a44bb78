// Short frame sequences with motion: a base scene whose objects move in straight lines, appear, disappear or change
// colour, with captions that describe what happens. Object ids are stable across frames; a frame lists only the
// objects visible in it.
import type { Rng } from '../../engine/rng.js';
import { SCENE_COLORS, type Scene, type SceneColor, type SceneObject } from './types.js';
import { sampleAttributes, placeObject, type SceneOptions } from './sample.js';
import { listJoin, nounPhrase, sentence, type Attr } from './describe.js';
import { renderScene, type RenderOptions } from './render.js';

export const DIRECTIONS = ['left', 'right', 'up', 'down'] as const;
export type Direction = (typeof DIRECTIONS)[number];
export const EVENT_KINDS = ['move', 'appear', 'disappear', 'recolor'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export type ClipEvent =
  | { kind: 'move'; objectId: number; direction: Direction }
  | { kind: 'appear'; objectId: number; frame: number }
  | { kind: 'disappear'; objectId: number; frame: number }
  | { kind: 'recolor'; objectId: number; frame: number; from: SceneColor; to: SceneColor };

export interface Clip {
  frames: Scene[];
  events: ClipEvent[];
  /** Every object of the clip with its attributes at frame 0 (or when it first appears) and start position. */
  objects: SceneObject[];
}

export interface ClipOptions extends SceneOptions {
  /** Frames per clip (default 4). */
  frames?: number;
  /** Number of events, inclusive range (default 1..2). */
  minEvents?: number;
  maxEvents?: number;
  /** Event kinds to draw from (default all). */
  kinds?: readonly EventKind[];
  /** Total displacement of a moving object over the clip, normalised (default 0.35). */
  travel?: number;
}

const STEP: Record<Direction, [number, number]> = { left: [-1, 0], right: [1, 0], up: [0, -1], down: [0, 1] };

/** A random clip: 1-3 objects (minObjects/maxObjects), minEvents..maxEvents events on distinct objects. */
export function sampleClip(rng: Rng, opts: ClipOptions = {}): Clip {
  const T = opts.frames ?? 4, travel = opts.travel ?? 0.35, gap = opts.minGap ?? 0.04, margin = opts.margin ?? 0.02;
  if (!Number.isInteger(T) || T < 2) throw new Error(`sampleClip: frames must be an integer >= 2, got ${T}`);
  const kinds = opts.kinds ?? EVENT_KINDS;
  const nObj = (opts.minObjects ?? 1) + rng.int((opts.maxObjects ?? 3) - (opts.minObjects ?? 1) + 1);
  const nEv = Math.min(nObj, (opts.minEvents ?? 1) + rng.int((opts.maxEvents ?? 2) - (opts.minEvents ?? 1) + 1));
  const objects: SceneObject[] = [];
  const events: ClipEvent[] = [];
  // per object: position at each frame (null = not visible) and colour at each frame
  const tracks: { pos: ({ x: number; y: number } | null)[]; color: SceneColor[] }[] = [];
  const swept: { x: number; y: number; r: number }[] = [];   // every position taken by any object, to avoid overlaps
  for (let i = 0; i < nObj; i++) {
    const a = sampleAttributes(rng, opts);
    const kind = i < nEv ? rng.pick(kinds) : null;
    let dir: Direction | null = null;
    let start: { x: number; y: number } | null = null;
    if (kind === 'move') {
      for (let t = 0; t < 20 && !start; t++) {
        dir = rng.pick(DIRECTIONS);
        const [sx, sy] = STEP[dir];
        const cand = placeObject(rng, a.r, swept, gap, margin);
        if (!cand) continue;
        const end = { x: cand.x + sx * travel, y: cand.y + sy * travel };
        const inside = end.x - a.r >= margin && end.x + a.r <= 1 - margin && end.y - a.r >= margin && end.y + a.r <= 1 - margin;
        const path = Array.from({ length: T }, (_, f) => ({ x: cand.x + (sx * travel * f) / (T - 1), y: cand.y + (sy * travel * f) / (T - 1), r: a.r }));
        if (inside && path.every((p) => swept.every((o) => Math.hypot(o.x - p.x, o.y - p.y) >= o.r + p.r + gap))) start = cand;
      }
    } else {
      start = placeObject(rng, a.r, swept, gap, margin);
    }
    if (!start) continue;
    const id = objects.length;
    objects.push({ id, ...a, ...start });
    const pos: ({ x: number; y: number } | null)[] = [];
    const color: SceneColor[] = [];
    const cut = 1 + rng.int(T - 1);   // the frame an appear / disappear / recolor happens at (1..T-1)
    const newColor = rng.pick(SCENE_COLORS.filter((c) => c !== a.color));
    for (let f = 0; f < T; f++) {
      let p: { x: number; y: number } | null = { ...start };
      if (kind === 'move' && dir) { const [sx, sy] = STEP[dir]; p = { x: start.x + (sx * travel * f) / (T - 1), y: start.y + (sy * travel * f) / (T - 1) }; }
      if (kind === 'appear' && f < cut) p = null;
      if (kind === 'disappear' && f >= cut) p = null;
      pos.push(p);
      color.push(kind === 'recolor' && f >= cut ? newColor : a.color);
      if (p) swept.push({ ...p, r: a.r });
    }
    tracks.push({ pos, color });
    if (kind === 'move' && dir) events.push({ kind, objectId: id, direction: dir });
    else if (kind === 'appear' || kind === 'disappear') events.push({ kind, objectId: id, frame: cut });
    else if (kind === 'recolor') events.push({ kind, objectId: id, frame: cut, from: a.color, to: newColor });
  }
  const background = 0.4 + 0.2 * rng.next(), noiseSeed = rng.seedInt();
  const frames: Scene[] = Array.from({ length: T }, (_, f) => ({
    background, noiseSeed,
    objects: objects.flatMap((ob, i) => { const p = tracks[i].pos[f]; return p ? [{ ...ob, ...p, color: tracks[i].color[f] }] : []; }),
  }));
  return { frames, events, objects };
}

export function renderClip(clip: Clip, size: number, opts: RenderOptions = {}): Float32Array[] {
  return clip.frames.map((f) => renderScene(f, size, opts));
}

function eventPhrase(e: ClipEvent, ob: SceneObject, attrs: readonly Attr[]): string {
  switch (e.kind) {
    case 'move': return sentence(nounPhrase(ob, attrs), 'moves', e.direction);
    case 'appear': return sentence(nounPhrase(ob, attrs), 'appears');
    case 'disappear': return sentence(nounPhrase(ob, attrs), 'disappears');
    case 'recolor': return sentence(nounPhrase(ob, attrs), 'turns', e.to);
  }
}

/**
 * n captions of a clip: every event (random order, random attribute detail), sometimes with the still objects
 * ("... and a blue square stays still"), sometimes only one of several events.
 */
export function clipCaptions(clip: Clip, rng: Rng, n = 5): string[] {
  const byId = new Map(clip.objects.map((o) => [o.id, o]));
  const moving = new Set(clip.events.map((e) => e.objectId));
  const still = clip.objects.filter((o) => !moving.has(o.id));
  const detail = (): Attr[] => (rng.next() < 0.5 ? ['size', 'color'] : rng.next() < 0.5 ? ['color'] : ['size']);
  const out: string[] = [];
  for (let t = 0; out.length < n && t < n * 6; t++) {
    if (!clip.events.length) {
      const c = still.length ? sentence(listJoin(still.map((o) => nounPhrase(o, detail()))), still.length > 1 ? 'stay still .' : 'stays still .') : 'nothing moves .';
      if (!out.includes(c) || t >= n * 3) out.push(c);
      continue;
    }
    const evs = rng.shuffle([...clip.events]);
    const chosen = rng.next() < 0.25 && evs.length > 1 ? evs.slice(0, 1) : evs;
    const parts = chosen.map((e) => eventPhrase(e, byId.get(e.objectId)!, detail()));
    if (still.length && rng.next() < 0.4) {
      const s = rng.pick(still);
      parts.push(sentence(nounPhrase(s, detail()), 'stays still'));
    }
    const c = sentence(listJoin(parts), '.');
    if (!out.includes(c) || t >= n * 3) out.push(c);
  }
  return out;
}
