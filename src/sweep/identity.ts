// Run identity: a content hash of the canonical resolved RunSpec plus every version that changes a number —
// method and task versions, the memory protocol, the data fingerprint and the checkpoint hash (the seed is in the
// spec). Same identity = same experiment: a sweep skips identities that already succeeded. Folder paths are left
// out (the checkpoint hash and data fingerprint identify the contents), so moving data or checkpoints, or running
// on another machine, keeps the ids.
import { getMethod, getTask } from '../registry/index.js';
import { getFamily } from '../tasks/index.js';
import { resolveBackbone } from '../train/backbone-dir.js';
import type { RunSpec } from '../train/spec.js';
import { checkpointHash } from './checkpoint-hash.js';
import { hashIdentity, identitySpec, type IdentityVersions, type RunIdentity } from './identity-hash.js';

export { hashIdentity, identitySpec, RUN_ID_LENGTH, type IdentityVersions, type RunIdentity } from './identity-hash.js';

/**
 * The versions of a spec, computed from the registry, the task family and the backbone folder. The backbone must
 * exist (a mini backbone is pretrained first: see ensureBackbone); missing folders are InputErrors.
 */
export function identityVersions(spec: RunSpec): { versions: IdentityVersions; backboneKind: 'mini' | 'paper' | 'folder' } {
  const task = getTask(spec.task);
  const method = getMethod(spec.method.id);
  const backbone = resolveBackbone(spec.backbone);
  return {
    backboneKind: backbone.kind,
    versions: {
      method: `${method.id}@${method.version}`,
      task: `${task.id}@${task.version}`,
      memoryProtocol: spec.memoryProtocol,
      data: getFamily(task.family).dataFingerprint(spec),
      checkpoint: checkpointHash(backbone.dir),
    },
  };
}

export function runIdentity(spec: RunSpec): RunIdentity {
  const { versions, backboneKind } = identityVersions(spec);
  return { id: hashIdentity(identitySpec(spec, backboneKind), versions), versions };
}
