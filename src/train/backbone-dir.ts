// Where a RunSpec's backbone lives: a registry mini id maps to models/<id> (made by `unipt pretrain <id>`), a
// paper-scale id needs a folder from the user, and anything else must be an existing checkpoint folder.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { BACKBONES, findBackbone } from '../registry/index.js';
import { InputError } from '../util/errors.js';
import { projectRoot } from './env.js';

export function modelsDir(): string {
  return process.env.UNIPT_MODELS_DIR ? resolve(process.env.UNIPT_MODELS_DIR) : join(projectRoot(), 'models');
}

export interface ResolvedBackbone { id: string; dir: string; kind: 'mini' | 'paper' | 'folder' }

export function resolveBackbone(idOrPath: string): ResolvedBackbone {
  const def = findBackbone(idOrPath);
  if (def?.kind === 'mini') return { id: def.id, dir: join(modelsDir(), def.id), kind: 'mini' };
  if (def?.kind === 'paper') {
    throw new InputError(`"${def.id}" is a paper-scale backbone whose weights this project cannot download: get ${def.source}`);
  }
  const dir = isAbsolute(idOrPath) ? idOrPath : resolve(idOrPath);
  if (existsSync(dir) && statSync(dir).isDirectory()) return { id: idOrPath, dir, kind: 'folder' };
  throw new InputError(`unknown backbone "${idOrPath}": not a registry id and not a folder. Registry backbones: ${BACKBONES.map((b) => b.id).join(', ')}`);
}
