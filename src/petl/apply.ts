// Dispatch for the through-backbone methods, and config parsing with errors that name the method and the key.
import type { z } from 'zod';
import type { Rng } from '../engine/rng.js';
import type { AppliedMethod, MethodDef, PetlHost } from './types.js';
import * as full from './full.js';
import * as bitfit from './bitfit.js';
import * as adapter from './adapter.js';
import * as lora from './lora.js';
import * as prompt from './prompt.js';

export const THROUGH_BACKBONE_METHOD_IDS = ['full', 'bitfit', 'adapter', 'lora', 'prompt'] as const;
export type ThroughBackboneMethodId = (typeof THROUGH_BACKBONE_METHOD_IDS)[number];

export const THROUGH_BACKBONE_METHODS: { [K in ThroughBackboneMethodId]: MethodDef<any> } = {
  full: full.FULL_METHOD,
  bitfit: bitfit.BITFIT_METHOD,
  adapter: adapter.ADAPTER_METHOD,
  lora: lora.LORA_METHOD,
  prompt: prompt.PROMPT_METHOD,
};

/** Formats zod issues as "key: problem" lines (unknown keys are named). */
export function formatConfigIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => {
    const at = i.path.length ? i.path.join('.') : '(config)';
    if (i.code === 'unrecognized_keys') return `${at}: unknown key${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')}`;
    return `${at}: ${i.message}`;
  }).join('; ');
}

/** Validates a method config (defaults filled in); throws naming the method, the key and the allowed keys. */
export function parseMethodConfig<C>(def: MethodDef<C>, raw: unknown): C {
  const r = def.schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const shape = (def.schema as unknown as { shape?: Record<string, unknown> }).shape;
  const allowed = shape ? Object.keys(shape) : [];
  const hint = allowed.length ? ` (allowed keys: ${allowed.join(', ')})` : ' (this method takes no options: use {})';
  throw new Error(`invalid config for method "${def.id}": ${formatConfigIssues(r.error.issues)}${hint}`);
}

/** Applies one of the through-backbone methods to a host: sets trainable flags, installs hooks. */
export function applyThroughBackbone(methodId: string, host: PetlHost, config: unknown, rng: Rng): AppliedMethod {
  switch (methodId) {
    case 'full': return full.apply(host, parseMethodConfig(full.FULL_METHOD, config), rng);
    case 'bitfit': return bitfit.apply(host, parseMethodConfig(bitfit.BITFIT_METHOD, config), rng);
    case 'adapter': return adapter.apply(host, parseMethodConfig(adapter.ADAPTER_METHOD, config), rng);
    case 'lora': return lora.apply(host, parseMethodConfig(lora.LORA_METHOD, config), rng);
    case 'prompt': return prompt.apply(host, parseMethodConfig(prompt.PROMPT_METHOD, config), rng);
    default:
      throw new Error(`"${methodId}" is not a through-backbone method; known: ${THROUGH_BACKBONE_METHOD_IDS.join(', ')} (side methods such as lst and unipt are built by their own modules)`);
  }
}
