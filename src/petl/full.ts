// Full fine-tuning: every backbone parameter trains (LST's baseline uses lr 3e-4; the lr lives in the training
// config). No module is added; gradients flow through, and are computed for, the whole backbone.
import { z } from 'zod';
import type { Rng } from '../engine/rng.js';
import { setTrainableWhere, snapshotTrainable } from '../nn/trainable.js';
import type { AppliedMethod, MethodDef, PetlHost } from './types.js';

export const FullConfigSchema = z.strictObject({});
export type FullConfig = z.output<typeof FullConfigSchema>;

export const FULL_METHOD: MethodDef<FullConfig> = {
  id: 'full',
  version: '1',
  mode: 'through-backbone',
  title: 'Full fine-tuning',
  description: 'Every backbone parameter is trainable.',
  schema: FullConfigSchema,
};

export function apply(host: PetlHost, _config: FullConfig, _rng: Rng): AppliedMethod {
  const restore = snapshotTrainable(host.module);
  setTrainableWhere(host.module, () => true);
  return { modules: {}, detach: restore };
}
