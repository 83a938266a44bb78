// What exists in this checkout, for the capability matrix: the implemented task families, methods and mini
// backbone recipes. Kept apart from index.ts because it imports the task families and the pretraining recipes,
// which themselves import the registry.
import { getFamily, implementedFamilies } from '../tasks/index.js';
import { miniRecipeIds } from '../train/pretrain.js';
import { METHODS } from './methods.js';
import type { CapabilityContext } from './capability.js';

export function currentCapabilityContext(): CapabilityContext {
  return {
    taskFamilies: implementedFamilies(),
    methods: METHODS.map((m) => m.id),
    miniRecipes: miniRecipeIds(),
    familySupports: (taskFamily, method, backboneFamily) => getFamily(taskFamily).supportsMethod?.(method, backboneFamily),
  };
}
