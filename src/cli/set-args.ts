// `--set key=value` overrides. Keys are method-config keys, or training keys with a `train.` prefix. Values are
// parsed as JSON when they parse (numbers, booleans, arrays), else kept as strings.
import { InputError } from '../util/errors.js';
import { TrainConfigSchema } from '../train/spec.js';

export const TRAIN_KEYS = Object.keys(TrainConfigSchema.shape);

export function parseValue(v: string): unknown {
  try { return JSON.parse(v); } catch { return v; }
}

export interface Overrides { method: Record<string, unknown>; train: Record<string, unknown> }

export function parseSetArgs(sets: string[], methodId: string, methodKeys: readonly string[]): Overrides {
  const out: Overrides = { method: {}, train: {} };
  for (const s of sets) {
    const i = s.indexOf('=');
    if (i <= 0) throw new InputError(`--set "${s}" is not key=value`);
    const key = s.slice(0, i).trim(), value = parseValue(s.slice(i + 1));
    if (key.startsWith('train.')) {
      const k = key.slice(6);
      if (!TRAIN_KEYS.includes(k)) throw new InputError(`--set ${key}: no training key "${k}"; training keys: ${TRAIN_KEYS.map((t) => `train.${t}`).join(', ')}`);
      out.train[k] = value;
    } else {
      if (!methodKeys.includes(key)) {
        throw new InputError(`--set ${key}: method "${methodId}" has no key "${key}"; its keys: ${methodKeys.join(', ') || '(none)'}; training keys take a train. prefix (e.g. train.lr)`);
      }
      out.method[key] = value;
    }
  }
  return out;
}
