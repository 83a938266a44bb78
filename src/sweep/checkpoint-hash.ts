// The checkpoint part of a run's identity: a sha256 over the files a backbone folder's loader reads (weights,
// config, tokenizer), by relative path and content. Logs or notes next to them do not change it.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { InputError } from '../util/errors.js';

const CHECKPOINT_FILE = /(\.safetensors|\.bin|\.pt|\.pth|\.npz|\.onnx)$|^(config|generation_config|tokenizer|tokenizer_config|special_tokens_map|added_tokens|preprocessor_config|vocab)\.json$|^(vocab\.txt|merges\.txt|spiece\.model|sentencepiece\.bpe\.model)$/;

function listFiles(dir: string, depth: number): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory() && depth > 0) out.push(...listFiles(p, depth - 1));
    else if (e.isFile() && CHECKPOINT_FILE.test(e.name)) out.push(p);
  }
  return out;
}

function fileSha256(path: string): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally { closeSync(fd); }
  return h.digest('hex');
}

const memo = new Map<string, string>();

/** sha256 (hex) of a checkpoint folder's loader files; throws InputError when there are none. */
export function checkpointHash(dir: string): string {
  const files = listFiles(dir, 2).sort();
  if (!files.length) throw new InputError(`the checkpoint folder ${dir} has no weight/config files (expected config.json and *.safetensors)`);
  const h = createHash('sha256');
  for (const f of files) {
    const st = statSync(f);
    const key = `${f}\0${st.size}\0${st.mtimeMs}`;
    let digest = memo.get(key);
    if (!digest) { digest = fileSha256(f); memo.set(key, digest); }
    h.update(`${relative(dir, f).split('\\').join('/')}\0${digest}\n`);
  }
  return h.digest('hex');
}
