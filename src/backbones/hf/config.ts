// Checkpoint folders in the Hugging Face layout: reading config.json against a caller's zod schema, finding the
// files a folder must hold (with errors that say which folder, which file and what to do), and the content hash of
// the weight files that goes into a run's identity.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';

export class CheckpointError extends Error {
  constructor(message: string) { super(message); this.name = 'CheckpointError'; }
}

export const DEFAULT_CHECKPOINT_HINT = 'point --backbone at a folder with config.json, model.safetensors and tokenizer.json';

/**
 * The path of `name` inside `folder`; throws naming the folder, the file and `what` it is for, plus `hint` (what
 * to do about it) when it is missing.
 */
export function requireFile(folder: string, name: string, what: string, hint = DEFAULT_CHECKPOINT_HINT): string {
  if (!existsSync(folder)) throw new CheckpointError(`checkpoint folder ${folder} does not exist (looking for ${name}, ${what}): ${hint}`);
  if (!statSync(folder).isDirectory()) throw new CheckpointError(`${folder} is not a folder (looking for ${name}, ${what} inside it): ${hint}`);
  const p = join(folder, name);
  if (!existsSync(p)) throw new CheckpointError(`no ${name} in ${folder} (${what}): ${hint}`);
  if (!statSync(p).isFile()) throw new CheckpointError(`${p} is not a file (expected ${what})`);
  return p;
}

/** 1-based line and column of a character offset. */
function lineCol(text: string, pos: number): string {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return `line ${line}, column ${pos - before.lastIndexOf('\n')}`;
}

/** Parses JSON text, reporting syntax errors with the file's line and column. */
export function parseJsonFile(text: string, file: string): unknown {
  try { return JSON.parse(text); } catch (err) {
    const msg = (err as Error).message;
    const m = /position (\d+)/.exec(msg);
    const where = m ? ` at ${lineCol(text, Number(m[1]))}` : '';
    throw new CheckpointError(`${file} is not valid JSON${where}: ${msg}; fix the syntax (a missing comma or quote is typical)`);
  }
}

/** Turns zod issues into one line per key: `key "a.b": <problem>`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => {
    const key = i.path.length ? i.path.map(String).join('.') : '(top level)';
    return `key "${key}": ${i.message}`;
  }).join('; ');
}

/**
 * Reads and validates `config.json` (or `file`) in a checkpoint folder. Errors name the file, each offending key
 * and what the key must hold.
 */
export function readConfigJson<S extends z.ZodType>(folder: string, schema: S, opts: { file?: string; hint?: string } = {}): z.output<S> {
  const name = opts.file ?? 'config.json';
  const path = requireFile(folder, name, 'the model configuration', opts.hint);
  const raw = parseJsonFile(readFileSync(path, 'utf8'), path);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new CheckpointError(`${path} must hold a JSON object of configuration keys`);
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new CheckpointError(`${path} is not a valid configuration: ${describeIssues(r.error.issues)}. Fix those keys in ${path}`);
  }
  return r.data;
}

/** Weight files of a checkpoint folder, sorted: every `*.safetensors` (shards included). */
export function weightFiles(folder: string): string[] {
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new CheckpointError(`checkpoint folder ${folder} does not exist`);
  return readdirSync(folder).filter((f) => f.endsWith('.safetensors') && statSync(join(folder, f)).isFile()).sort();
}

/**
 * sha256 (hex) over a folder's weight files, for run identity: for each file in name order, its name, its size and
 * its bytes. `alsoInclude` adds other files (e.g. config.json) when the caller wants them in the identity too.
 */
export function checkpointHash(folder: string, alsoInclude: readonly string[] = []): string {
  const files = [...new Set([...weightFiles(folder), ...alsoInclude])].sort();
  if (!weightFiles(folder).length) throw new CheckpointError(`no *.safetensors weight files in ${folder}: ${DEFAULT_CHECKPOINT_HINT}`);
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const f of files) {
    const p = requireFile(folder, f, 'a file named for the checkpoint hash');
    h.update(`${f}\0${statSync(p).size}\0`);
    const fd = openSync(p, 'r');
    try {
      // streamed, so a multi-GB checkpoint is never held in memory at once
      for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) h.update(buf.subarray(0, n));
    } finally { closeSync(fd); }
  }
  return h.digest('hex');
}
