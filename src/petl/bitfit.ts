// BitFit (Ben Zaken et al. 2022): only the bias terms train, i.e. every parameter whose role is 'bias' (the biases
// of linear layers and the betas of layer norms). BERT already has every bias; LST's T5 variant had to add them.
import { z } from 'zod';
import type { Rng } from '../engine/rng.js';
import { setTrainableWhere, snapshotTrainable } from '../nn/trainable.js';
import type { AppliedMethod, MethodDef, PetlHost } from './types.js';

export const BitFitConfigSchema = z.strictObject({});
export type BitFitConfig = z.output<typeof BitFitConfigSchema>;

export const BITFIT_METHOD: MethodDef<BitFitConfig> = {
  id: 'bitfit',
  version: '1',
  mode: 'through-backbone',
  title: 'BitFit',
  description: 'Only the backbone\'s bias vectors (linear biases and layer-norm betas) are trainable.',
  schema: BitFitConfigSchema,
};

export function apply(host: PetlHost, _config: BitFitConfig, _rng: Rng): AppliedMethod {
  const restore = snapshotTrainable(host.module);
  const n = setTrainableWhere(host.module, (_, p) => p.role === 'bias');
  if (n === 0) throw new Error(`bitfit: the ${host.family} backbone has no bias parameters to train`);
  return { modules: {}, detach: restore };
}
