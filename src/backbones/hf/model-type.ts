// Which architecture a Hugging Face checkpoint folder holds, from config.json's model_type.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../util/errors.js';

export function readModelType(folder: string): string {
  const p = join(folder, 'config.json');
  if (!existsSync(p)) throw new InputError(`no config.json in ${folder}: a backbone folder needs config.json, model.safetensors and tokenizer.json`);
  let cfg: unknown;
  try { cfg = JSON.parse(readFileSync(p, 'utf8')); } catch (e) { throw new InputError(`${p} is not valid JSON: ${(e as Error).message}`); }
  const t = (cfg as { model_type?: unknown }).model_type;
  if (typeof t !== 'string') throw new InputError(`${p} has no "model_type" (expected e.g. "bert", "roberta", "t5")`);
  return t;
}
