// Mini backbones: made by the project itself (`unipt pretrain <id>`), into models/<id>/. A run or sweep that needs a
// missing one builds it first. The folder is built under a temporary name and renamed into place, so a crash or a
// concurrent builder never leaves a half-written checkpoint behind.
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findBackbone, BACKBONES } from '../registry/index.js';
import { InputError } from '../util/errors.js';
import { spawn } from 'node:child_process';
import { modelsDir, resolveBackbone } from './backbone-dir.js';
import { projectRoot } from './env.js';
import type { MiniRecipe } from './mini-backbones/types.js';
import { TEXT_MINI } from './mini-backbones/text-mini.js';
import { T5_MINI } from './mini-backbones/t5-mini.js';
import { CNN_MINI } from './mini-backbones/cnn-mini.js';
import { VSE_MINI } from './mini-backbones/vse-mini.js';
import { CLIP_MINI } from './mini-backbones/clip-mini.js';
import { CLIP_VIL_MINI } from './mini-backbones/clipvil-mini.js';
import { MDETR_MINI } from './mini-backbones/mdetr-mini.js';

const RECIPES: Record<string, MiniRecipe> = Object.fromEntries(
  [TEXT_MINI, T5_MINI, CNN_MINI, VSE_MINI, CLIP_MINI, CLIP_VIL_MINI, MDETR_MINI].map((r) => [r.id, r]),
);

/** Files every mini checkpoint folder must have. */
const REQUIRED = ['config.json', 'model.safetensors', 'tokenizer.json'];

export function miniRecipeIds(): string[] { return Object.keys(RECIPES); }

export function isComplete(dir: string): boolean { return REQUIRED.every((f) => existsSync(join(dir, f))); }

/** Builds a mini backbone into `out` (default models/<id>), replacing what is there when `force`. */
export async function pretrainBackbone(id: string, o: { out?: string; force?: boolean; log?: (l: string) => void } = {}): Promise<string> {
  const recipe = RECIPES[id];
  if (!recipe) {
    const def = findBackbone(id);
    const minis = BACKBONES.filter((b) => b.kind === 'mini').map((b) => b.id);
    throw new InputError(def
      ? `"${id}" is a ${def.kind === 'paper' ? 'paper-scale backbone the project cannot pretrain' : 'mini backbone without a pretraining recipe yet'}; mini backbones with recipes: ${miniRecipeIds().join(', ')} (registry minis: ${minis.join(', ')})`
      : `unknown backbone "${id}"; mini backbones the project pretrains: ${miniRecipeIds().join(', ')}`);
  }
  const log = o.log ?? (() => {});
  const dir = o.out ?? join(modelsDir(), id);
  if (isComplete(dir) && !o.force) { log(`${id}: already present in ${dir}`); return dir; }
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await recipe.build(tmp, log);
    if (o.force) rmSync(dir, { recursive: true, force: true });
    if (isComplete(dir)) { log(`${id}: another process finished it first; keeping that copy`); rmSync(tmp, { recursive: true, force: true }); return dir; }
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  log(`${id}: written to ${dir}`);
  return dir;
}

/**
 * Makes sure a run's backbone exists: a missing mini backbone is pretrained once, in a child process (`unipt
 * pretrain <id>`), so the run's own process stays fresh for the mem-v1 measurement.
 */
export async function ensureBackbone(idOrPath: string, log: (l: string) => void = () => {}): Promise<string> {
  const r = resolveBackbone(idOrPath);
  if (r.kind === 'mini' && !isComplete(r.dir)) {
    log(`${r.id} is not in ${r.dir} yet: pretraining it once (deterministic; later runs reuse it)`);
    await spawnPretrain(r.id);
    if (!isComplete(r.dir)) throw new Error(`pretraining ${r.id} finished but ${r.dir} is incomplete`);
  }
  return r.dir;
}

function spawnPretrain(id: string): Promise<void> {
  const bin = join(projectRoot(), 'bin', 'unipt.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'pretrain', id], { stdio: ['ignore', 'ignore', 'inherit'], env: process.env });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`\`unipt pretrain ${id}\` exited with code ${code}`))));
  });
}
