// The capability matrix, method x backbone family: "supported" (it runs here now), "not-applicable" (the method
// cannot serve any part of that backbone by design) or "not-yet-implemented" (it applies, but the backbone family or
// a task family using it does not exist yet). Design applicability is fixed below from what each method needs; the
// implementation status is derived from what exists, so the matrix stays true as families land.
import type { BackboneFamily, Capability } from '../petl/types.js';
import { BACKBONES } from './backbones.js';
import { TASKS } from './tasks.js';

export const BACKBONE_FAMILIES: readonly BackboneFamily[] = ['text-encoder', 't5', 'vse', 'clip', 'clip-vil', 'mdetr'];

/** What kinds of networks a backbone family is made of (reference sections 0 and 2.2). */
type Component = 'transformer' | 'cnn';
const COMPONENTS: Record<BackboneFamily, { kind: Component; name: string }[]> = {
  'text-encoder': [{ kind: 'transformer', name: 'the encoder' }],
  t5: [{ kind: 'transformer', name: 'the encoder and the decoder' }],
  vse: [{ kind: 'transformer', name: 'the BERT text tower' }, { kind: 'cnn', name: 'the ResNeXt image tower' }],
  clip: [{ kind: 'transformer', name: 'the ViT image tower and the text transformer' }],
  'clip-vil': [{ kind: 'cnn', name: 'the CLIP RN50x4 grid-feature extractor (frozen in every setup)' }, { kind: 'transformer', name: 'the cross-modal encoder' }],
  mdetr: [{ kind: 'cnn', name: 'the ResNet-101 image encoder' }, { kind: 'transformer', name: 'RoBERTa and the encoder-decoder transformer' }],
};

/** What each method needs from a network to apply to it. Methods not listed apply to any component. */
const NEEDS: Record<string, { kinds: Component[]; why: string }> = {
  prompt: { kinds: ['transformer'], why: 'prompt tokens are prepended to a token sequence, which a CNN does not have' },
  adapter: { kinds: ['transformer'], why: 'Houlsby adapters sit after the attention and feed-forward sub-layers of transformer blocks' },
  lora: { kinds: ['transformer'], why: 'LoRA (as in LST/UniPT\'s baselines) adapts the query and value projections of attention' },
};

export interface CapabilityContext {
  /** Task families that are implemented (src/tasks). */
  taskFamilies: readonly string[];
  /** Method ids that are implemented (src/petl). */
  methods: readonly string[];
  /** Mini backbones that have a pretraining recipe (src/train/pretrain); when given, a registry entry alone does not count. */
  miniRecipes?: readonly string[];
  /**
   * Whether an implemented task family really runs a method on a backbone family (its `supportsMethod`). Absent, or
   * undefined for a family: every implemented method that applies by design.
   */
  familySupports?: (taskFamily: string, method: string, backboneFamily: BackboneFamily) => boolean | undefined;
}

/** Whether the implemented task family runs the method on the backbone family (true when it does not say). */
function familyRuns(ctx: CapabilityContext, taskFamily: string, method: string, family: BackboneFamily): boolean {
  return ctx.taskFamilies.includes(taskFamily) && (ctx.familySupports?.(taskFamily, method, family) ?? true);
}

export interface CapabilityCell {
  method: string;
  backboneFamily: BackboneFamily;
  capability: Capability;
  /** Why, in words: the parts tuned, what is missing, or why the method cannot apply. */
  reason: string;
  /** For not-yet-implemented cells: what has to exist first. */
  missing?: string[];
  /** Which parts of the backbone the method tunes (or why it cannot apply). */
  design: string;
}

export function designApplicability(method: string, family: BackboneFamily): { applicable: boolean; reason: string } {
  const parts = COMPONENTS[family];
  const need = NEEDS[method];
  if (!need) return { applicable: true, reason: `applies to ${parts.map((p) => p.name).join(' and ')}` };
  const fit = parts.filter((p) => need.kinds.includes(p.kind));
  if (!fit.length) return { applicable: false, reason: need.why };
  const rest = parts.filter((p) => !need.kinds.includes(p.kind));
  return { applicable: true, reason: `applies to ${fit.map((p) => p.name).join(' and ')}${rest.length ? ` (not to ${rest.map((p) => p.name).join(' or ')}: ${need.why})` : ''}` };
}

/** Mini backbones of a family: a family counts as built once its mini checkpoint is registered (and has a recipe). */
export function miniBackbonesOf(family: BackboneFamily, recipes?: readonly string[]): string[] {
  return BACKBONES.filter((b) => b.family === family && b.kind === 'mini' && (!recipes || recipes.includes(b.id))).map((b) => b.id);
}

export function capabilityOf(method: string, family: BackboneFamily, ctx: CapabilityContext): CapabilityCell {
  const design = designApplicability(method, family);
  const cell = (capability: Capability, reason: string, missing?: string[]): CapabilityCell => ({ method, backboneFamily: family, capability, reason, design: design.reason, ...(missing ? { missing } : {}) });
  if (!design.applicable) return cell('not-applicable', design.reason);
  const missing: string[] = [];
  if (!ctx.methods.includes(method)) missing.push(`the method "${method}"`);
  if (!miniBackbonesOf(family, ctx.miniRecipes).length) missing.push(`a ${family} backbone`);
  const taskFamilies = [...new Set(TASKS.filter((t) => t.backboneFamilies.includes(family)).map((t) => t.family))];
  const implemented = taskFamilies.filter((f) => ctx.taskFamilies.includes(f));
  if (!implemented.length) missing.push(`a task family running on it (${taskFamilies.join(', ') || 'none registered'})`);
  else if (!implemented.some((f) => familyRuns(ctx, f, method, family))) missing.push(`"${method}" in the ${implemented.join(' or ')} task famil${implemented.length > 1 ? 'ies' : 'y'} on ${family}`);
  if (missing.length) return cell('not-yet-implemented', `not implemented yet: ${missing.join(', ')}; ${design.reason}`, missing);
  return cell('supported', design.reason);
}

export function capabilityMatrix(ctx: CapabilityContext, methods: readonly string[] = ctx.methods): CapabilityCell[] {
  return methods.flatMap((m) => BACKBONE_FAMILIES.map((f) => capabilityOf(m, f, ctx)));
}

/**
 * Whether a task can run with a method here, and why not: the task's family must be implemented and the method must
 * be supported on the backbone family the run uses.
 */
export function taskCapability(taskId: string, method: string, backboneFamily: BackboneFamily, ctx: CapabilityContext): CapabilityCell {
  const task = TASKS.find((t) => t.id === taskId);
  const c = capabilityOf(method, backboneFamily, ctx);
  if (c.capability !== 'supported' || !task) return c;
  if (!ctx.taskFamilies.includes(task.family)) {
    return { ...c, capability: 'not-yet-implemented', reason: `not implemented yet: the ${task.family} task family (${task.id})`, missing: [`the ${task.family} task family`] };
  }
  if (!familyRuns(ctx, task.family, method, backboneFamily)) {
    const what = `"${method}" in the ${task.family} task family on ${backboneFamily}`;
    return { ...c, capability: 'not-yet-implemented', reason: `not implemented yet: ${what} (${task.id})`, missing: [what] };
  }
  return c;
}
