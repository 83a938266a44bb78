// The methods this project implements, by id.
import type { z } from 'zod';
import type { MethodDef } from './types.js';
import { FULL_METHOD } from './full.js';
import { BITFIT_METHOD } from './bitfit.js';
import { ADAPTER_METHOD } from './adapter.js';
import { LORA_METHOD } from './lora.js';
import { PROMPT_METHOD } from './prompt.js';
import { LST_METHOD } from './lst/index.js';
import { UNIPT_METHOD } from './unipt/index.js';

export const METHODS: MethodDef<any>[] = [FULL_METHOD, BITFIT_METHOD, ADAPTER_METHOD, LORA_METHOD, PROMPT_METHOD, LST_METHOD, UNIPT_METHOD];

export function findMethod(id: string): MethodDef<any> | undefined { return METHODS.find((m) => m.id === id); }

/** The keys a method's config accepts (its zod object's shape). */
export function methodKeys(m: MethodDef<any>): string[] {
  const shape = (m.schema as unknown as { shape?: Record<string, z.ZodTypeAny> }).shape;
  return shape ? Object.keys(shape) : [];
}
