// LST's train/validation/test protocol (reference sections 1 and 5.5; Compacter-style):
//   small tasks (CoLA, MRPC, RTE, STS-B): train = train; the dev set is shuffled (seeded) and halved:
//     validation = first floor(n/2), test = the rest;
//   large tasks (SST-2, QQP, QNLI): train is shuffled (seeded); validation = 1,000 of its examples, train = the
//     others (in their original order), test = the dev set;
//   MNLI: train = train, validation = dev_mismatched, test = dev_matched.
// LST shuffles with torch.randperm(seed 42); we shuffle with the project's Rng, so the same protocol picks other
// (equally random) examples than LST did.
import { Rng, hashSeed } from '../../../engine/rng.js';
import { InputError } from '../../../util/errors.js';
import type { GlueExample, GlueTaskSchema } from './schema.js';

export const LARGE_VALIDATION_SIZE = 1000;
/** LST's data seed; the split seed default (runs with different training seeds keep the same splits). */
export const DEFAULT_DATA_SEED = 42;

export interface RawSets { train: GlueExample[]; dev?: GlueExample[]; dev_matched?: GlueExample[]; dev_mismatched?: GlueExample[] }
export interface Splits { train: GlueExample[]; validation: GlueExample[]; test: GlueExample[] }

function permutation(n: number, seed: number, label: string): number[] {
  return new Rng(hashSeed(seed, label)).shuffle(Array.from({ length: n }, (_, i) => i));
}

export function lstSplits(schema: GlueTaskSchema, raw: RawSets, seed: number, opts: { largeValidationSize?: number; where?: string } = {}): Splits {
  const where = opts.where ?? schema.name;
  const need = (k: keyof RawSets): GlueExample[] => {
    const v = raw[k];
    if (!v) throw new Error(`${schema.name}: the ${String(k)} set is missing (loader bug)`);
    return v;
  };
  switch (schema.splitRule) {
    case 'small': {
      const dev = need('dev');
      if (dev.length < 2) throw new InputError(`${where}: the dev set has ${dev.length} example(s); the LST protocol halves it into validation and test, so it needs at least 2`);
      const perm = permutation(dev.length, seed, `${schema.id}/dev-halves`);
      const half = Math.floor(dev.length / 2);
      return { train: need('train'), validation: perm.slice(0, half).map((i) => dev[i]), test: perm.slice(half).map((i) => dev[i]) };
    }
    case 'large': {
      const train = need('train');
      const k = opts.largeValidationSize ?? LARGE_VALIDATION_SIZE;
      if (train.length <= k) {
        throw new InputError(`${where}: the training set has ${train.length} examples; the LST protocol takes ${k} of them as validation and trains on the rest, so it needs more than ${k}`);
      }
      const perm = permutation(train.length, seed, `${schema.id}/train-validation`);
      const inVal = new Uint8Array(train.length);
      for (const i of perm.slice(0, k)) inVal[i] = 1;
      return { train: train.filter((_, i) => !inVal[i]), validation: perm.slice(0, k).map((i) => train[i]), test: need('dev') };
    }
    case 'mnli':
      return { train: need('train'), validation: need('dev_mismatched'), test: need('dev_matched') };
  }
}
