// Methods as the registry lists them, and the training settings each needs on the mini tasks (learning rates follow
// the reference scripts' ratios: side networks and prompts train at higher rates than full fine-tuning).
import { METHODS, findMethod, methodKeys } from '../petl/index.js';
import type { TrainConfig } from '../train/spec.js';
import { RegistryError } from './errors.js';

export { METHODS, methodKeys };

export function getMethod(id: string) {
  const m = findMethod(id);
  if (!m) throw new RegistryError(`unknown method "${id}"; valid methods: ${METHODS.map((x) => x.id).join(', ')}`);
  return m;
}

/** Per-method training overrides applied on top of a task's mini defaults (an experiment file or --set wins). */
export const METHOD_MINI_TRAIN: Record<string, Partial<TrainConfig>> = {
  full: { lr: 3e-4 },
  bitfit: { lr: 3e-3 },
  adapter: { lr: 1e-3 },
  lora: { lr: 1e-3 },
  prompt: { lr: 3e-2 },
  lst: { lr: 3e-3 },
  unipt: { lr: 1e-3 },
};
