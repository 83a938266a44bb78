// A task family turns a RunSpec into a TaskRun: it loads the backbone checkpoint, the data (mini or real), applies
// the method, and builds the head, loss and evaluator.
import type { Rng } from '../engine/rng.js';
import type { BackboneFamily } from '../petl/types.js';
import type { RunSpec } from '../train/spec.js';
import type { TaskRun } from './types.js';

export interface FamilyBuildArgs {
  spec: RunSpec;
  /** Folder of the backbone checkpoint (Hugging Face layout). */
  backboneDir: string;
  rng: Rng;
}

export interface TaskFamily {
  id: string;
  /** Task ids this family implements. */
  tasks: readonly string[];
  build(args: FamilyBuildArgs): Promise<TaskRun>;
  /**
   * A cheap fingerprint of the data a spec would use, computed without loading it (mini: generator version, seed and
   * sizes; real: a hash of the split/annotation files). Part of every run's identity.
   */
  dataFingerprint(spec: RunSpec): string;
  /**
   * Whether this family really runs `method` on a backbone of `backboneFamily` (build would not refuse it). The
   * capability matrix (`unipt list matrix`, `unipt plan`) reads it, so a method the family rejects is never shown as
   * "supported". Absent: every registered method that applies to the backbone by design (src/registry/capability.ts).
   */
  supportsMethod?(method: string, backboneFamily: BackboneFamily): boolean;
}
