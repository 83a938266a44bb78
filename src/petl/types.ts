// Methods. A method either lets gradients flow through the backbone (full, BitFit, adapters, LoRA, prompt tuning:
// "through-backbone") or trains a separate network on hidden states the backbone computed outside the gradient
// tape (LST, UniPT: "side"). That difference is what the project measures, so it is a property of the method, and
// task families run the two kinds through different code paths.
import type { z } from 'zod';
import type { Module } from '../nn/module.js';
import type { Param } from '../nn/param.js';

export type ExecutionMode = 'through-backbone' | 'side';

export type BackboneFamily = 'text-encoder' | 't5' | 'vse' | 'clip' | 'clip-vil' | 'mdetr';

export type Capability = 'supported' | 'not-applicable' | 'not-yet-implemented';

export interface MethodDef<C = Record<string, unknown>> {
  id: string;
  /** Bumped whenever the method's behaviour changes a number (part of every run's identity). */
  version: string;
  mode: ExecutionMode;
  title: string;
  description: string;
  /** zod schema of the method's config; defaults follow the LST/UniPT scripts. */
  schema: z.ZodType<C>;
}

/**
 * What a backbone tells the through-backbone methods: which linear layers LoRA targets by default, where adapters
 * go, where prompt tokens are inserted, and which parameters are layer norms.
 */
export interface PetlHost {
  family: BackboneFamily;
  module: Module;
  /** Module-name suffixes LoRA wraps by default (e.g. ["query", "value"] for BERT, ["q", "v"] for T5). */
  loraTargets: string[];
  /** Full site ids (`<module path>:<site>`) where adapters go, with the feature width there. */
  adapterSites: { site: string; width: number }[];
  /** Where prompt tokens are prepended, the width there, and the vocabulary table to initialise them from. */
  prompt: { site: string; width: number; vocabulary: Param } | null;
  /** True for the parameters of layer-norm modules (trained alongside adapters, as in LST/Houlsby). */
  isLayerNorm(name: string, p: Param): boolean;
}

/** What applying a through-backbone method produced. */
export interface AppliedMethod {
  /** New modules the method added (adapters, LoRA branches, prompt tables), by a short name. */
  modules: Record<string, Module>;
  /** Removes every hook the method installed. */
  detach(): void;
}
