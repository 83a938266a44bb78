// The pure part of run identity: which spec fields enter the hash, and the hash itself (see identity.ts).
import { createHash } from 'node:crypto';
import type { RunSpec } from '../train/spec.js';
import { canonicalJson } from './canonical.js';

export interface IdentityVersions {
  method: string;
  task: string;
  memoryProtocol: string;
  data: string;
  checkpoint: string;
}

export interface RunIdentity { id: string; versions: IdentityVersions }

/** Length of a run id in hex characters (64 bits of the sha256). */
export const RUN_ID_LENGTH = 16;

/** The spec as it enters the hash: paths replaced by what kind of source they are. */
export function identitySpec(spec: RunSpec, backboneKind: 'mini' | 'paper' | 'folder'): Record<string, unknown> {
  return {
    ...spec,
    backbone: backboneKind === 'folder' ? { folder: true } : spec.backbone,
    data: spec.data.source === 'real' ? { source: 'real' } : spec.data,
  };
}

export function hashIdentity(spec: Record<string, unknown>, versions: IdentityVersions): string {
  return createHash('sha256').update(canonicalJson({ spec, versions })).digest('hex').slice(0, RUN_ID_LENGTH);
}
