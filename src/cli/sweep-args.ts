// `--set` for sweeps: train.<key>=value applies to every run; <method>.<key>=value to that method's runs.
import { getMethod, methodKeys, METHODS } from '../registry/index.js';
import { TrainOverridesSchema } from '../sweep/experiment.js';
import { InputError } from '../util/errors.js';
import { parseValue } from './set-args.js';

export interface SweepSets { train: Record<string, unknown>; methodConfig: Record<string, Record<string, unknown>> }

export function parseSweepSets(sets: string[]): SweepSets {
  const out: SweepSets = { train: {}, methodConfig: {} };
  const trainKeys = Object.keys(TrainOverridesSchema.shape);
  for (const s of sets) {
    const eq = s.indexOf('=');
    const key = eq > 0 ? s.slice(0, eq).trim() : '';
    const dot = key.indexOf('.');
    if (eq <= 0 || dot <= 0) throw new InputError(`--set "${s}": expected train.<key>=<value> or <method>.<key>=<value> (e.g. train.epochs=1, unipt.downsampleFactor=4)`);
    const scope = key.slice(0, dot), k = key.slice(dot + 1), value = parseValue(s.slice(eq + 1));
    if (scope === 'train') {
      if (!trainKeys.includes(k)) throw new InputError(`--set ${key}: no training key "${k}"; training keys: ${trainKeys.join(', ')}`);
      const r = TrainOverridesSchema.safeParse({ [k]: value });
      if (!r.success) throw new InputError(`--set ${key}=${s.slice(eq + 1)}: ${r.error.issues[0]?.message}`);
      out.train[k] = value;
    } else {
      if (!METHODS.some((m) => m.id === scope)) throw new InputError(`--set ${key}: "${scope}" is neither "train" nor a method (${METHODS.map((m) => m.id).join(', ')})`);
      const keys = methodKeys(getMethod(scope));
      if (!keys.includes(k)) throw new InputError(`--set ${key}: method "${scope}" has no key "${k}"; its keys: ${keys.join(', ') || '(none)'}`);
      (out.methodConfig[scope] ??= {})[k] = value;
    }
  }
  return out;
}
