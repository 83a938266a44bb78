// Methods as the registry lists them, and the training settings each needs on the mini tasks (learning rates follow
// the reference scripts' ratios: side networks and prompts train at higher rates than full fine-tuning).
import { METHODS, findMethod, methodKeys } from '../petl/index.js';
import type { TrainConfig } from '../train/spec.js';
import type { BackboneFamily } from '../petl/types.js';
import { RegistryError } from './errors.js';
import { T5_GLUE_MINI_TRAIN } from '../tasks/glue-t5/mini-train.js';

export { METHODS, methodKeys };

export function getMethod(id: string) {
  const m = findMethod(id);
  if (!m) throw new RegistryError(`unknown method "${id}"; valid methods: ${METHODS.map((x) => x.id).join(', ')}`);
  return m;
}

/**
 * Method settings scaled to the mini backbones (width 64, sequences <= ~44 tokens), applied under the method's own
 * defaults whenever a run uses a registry mini backbone; an experiment file or --set still wins. The method defaults
 * themselves follow the LST/UniPT scripts at base scale (e.g. 100 prompt tokens for 128-token inputs, LST r = 8 on
 * width 768): at width 64 those would make prompt tuning cost more than full fine-tuning and leave LST a side network
 * 8 wide.
 */
export const METHOD_MINI_CONFIG: Record<string, Record<string, unknown>> = {
  prompt: { tokens: 10 },
  lst: { r: 4 },
  lora: { r: 8, alpha: 8 },
  adapter: { reduction_factor: 8 },
};

/**
 * Per-method training overrides on mini backbones, by backbone family, applied on top of a task's mini defaults (a
 * task's own `miniTrainByMethod`, then an experiment file or --set, win over these).
 */
export const METHOD_MINI_TRAIN: Partial<Record<BackboneFamily | 'default', Record<string, Partial<TrainConfig>>>> = {
  /** Families without an entry of their own (learning rates in the reference scripts' ratios). */
  default: {
    full: { lr: 3e-4 },
    bitfit: { lr: 3e-3 },
    adapter: { lr: 1e-3 },
    lora: { lr: 1e-3 },
    prompt: { lr: 3e-2 },
    lst: { lr: 3e-3 },
    unipt: { lr: 1e-3 },
  },
  /** The mini T5 in text-to-text form (GLUE only): src/tasks/glue-t5/mini-train.ts. */
  t5: T5_GLUE_MINI_TRAIN,
  'text-encoder': {
    // full fine-tuning at 1e-3 (tried until session 6) left mini CoLA and QNLI at the constant prediction even over
    // 10 epochs; at 3e-4 (the reference scripts' ratio to the side networks' 3e-3) CoLA reaches MCC 48 and QNLI 59.5
    full: { lr: 3e-4 },
    bitfit: { lr: 1e-2 },
    adapter: { lr: 3e-3 },
    lora: { lr: 3e-3 },
    prompt: { lr: 3e-2 },
    lst: { lr: 3e-3 },
    unipt: { lr: 3e-3 },
  },
};
