// Test support for the sweep and CLI tests: a tiny randomly initialised text encoder folder (the harness does not
// care about quality, and this avoids pretraining text-mini in CI), the CLI as a child process, and temp folders.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { TextEncoder } from '../../src/backbones/text/bert.js';
import { TextEncoderConfigSchema } from '../../src/backbones/text/config.js';
import { saveTextEncoder } from '../../src/backbones/text/checkpoint.js';
import { loadTokenizer, writeLanguageTokenizer } from '../../src/data/tokenizer/index.js';

export const MAIN = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  process.on('exit', () => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A 2-layer, 32-wide BERT-style encoder with the project's tokenizer, random weights, in the Hugging Face layout. */
export async function tinyBackbone(dir: string): Promise<string> {
  await initBackend('wasm');
  writeLanguageTokenizer(dir, { modelMaxLength: 64 });
  const tok = await loadTokenizer(dir);
  const config = TextEncoderConfigSchema.parse({
    model_type: 'bert', hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 64,
    max_position_embeddings: 64, type_vocab_size: 2, vocab_size: tok.vocabSize, pad_token_id: tok.specialIds.pad,
  });
  const enc = new TextEncoder(config, 7);
  saveTextEncoder(dir, enc);
  enc.dispose();
  return dir;
}

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function cli(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 240_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function cliAsync(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
}

export function writeYaml(dir: string, name: string, text: string): string {
  const p = join(dir, `${name}.yaml`);
  writeFileSync(p, text);
  return p;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
