// The weights of a checkpoint folder as one name -> tensor source: `model.safetensors`, or the shards listed by
// `model.safetensors.index.json` (its `weight_map` names the shard holding each tensor).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSafetensors, type DecodedTensor, type SafetensorsFile, type TensorEntry } from './safetensors.js';
import { CheckpointError, parseJsonFile, requireFile, DEFAULT_CHECKPOINT_HINT } from './config.js';

export class CheckpointWeights {
  private readonly where = new Map<string, SafetensorsFile>();

  constructor(readonly folder: string, readonly files: readonly SafetensorsFile[]) {
    for (const f of files) {
      for (const n of f.names) {
        const prev = this.where.get(n);
        if (prev) throw new CheckpointError(`tensor "${n}" is in both ${prev.source} and ${f.source}; a checkpoint must hold each tensor once`);
        this.where.set(n, f);
      }
    }
  }

  get names(): string[] { return [...this.where.keys()].sort(); }
  has(name: string): boolean { return this.where.has(name); }
  /** The file holding a tensor (for error messages). */
  source(name: string): string { return this.file(name).source; }
  entry(name: string): TensorEntry { return this.file(name).entry(name); }
  get(name: string): DecodedTensor { return this.file(name).get(name); }
  getFloat(name: string): Float32Array { return this.file(name).getFloat(name); }

  private file(name: string): SafetensorsFile {
    const f = this.where.get(name);
    if (!f) throw new CheckpointError(`no tensor "${name}" in the checkpoint at ${this.folder}`);
    return f;
  }
}

const INDEX = 'model.safetensors.index.json';

/** Opens `model.safetensors`, or the shards of `model.safetensors.index.json` when only the index is there. */
export function openCheckpointWeights(folder: string, hint = DEFAULT_CHECKPOINT_HINT): CheckpointWeights {
  const single = join(folder, 'model.safetensors');
  const index = join(folder, INDEX);
  if (!existsSync(single) && existsSync(index)) {
    const raw = parseJsonFile(readFileSync(index, 'utf8'), index) as { weight_map?: unknown };
    const map = raw?.weight_map;
    if (!map || typeof map !== 'object' || Array.isArray(map)) throw new CheckpointError(`${index}: key "weight_map" must be an object of tensor name -> shard file`);
    const shards = [...new Set(Object.values(map as Record<string, unknown>))];
    for (const s of shards) if (typeof s !== 'string') throw new CheckpointError(`${index}: key "weight_map" has a non-string shard name ${JSON.stringify(s)}`);
    const files = (shards as string[]).sort().map((s) => readSafetensors(requireFile(folder, s, `a weight shard listed in ${INDEX}`, hint)));
    const w = new CheckpointWeights(folder, files);
    for (const [name, shard] of Object.entries(map as Record<string, string>)) {
      if (!w.has(name)) throw new CheckpointError(`${index}: tensor "${name}" is mapped to ${shard} but that file does not hold it`);
    }
    return w;
  }
  return new CheckpointWeights(folder, [readSafetensors(requireFile(folder, 'model.safetensors', 'the model weights', hint))]);
}
