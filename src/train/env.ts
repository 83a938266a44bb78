// The environment part of a RunResult: git commit, host, platform. Cached per process.
import { execFileSync } from 'node:child_process';
import { hostname, platform, release, arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root (two levels above dist/src/train or src/train). */
export function projectRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return here.includes(`${join('dist', 'src')}`) ? join(here, '..', '..', '..') : join(here, '..', '..');
}

let commit: string | null | undefined;

/** The checked-out commit, with "+dirty" when tracked files differ from it; null outside a git checkout. */
export function gitCommit(): string | null {
  if (commit !== undefined) return commit;
  try {
    const root = projectRoot();
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    commit = dirty ? `${head}+dirty` : head;
  } catch {
    commit = null;
  }
  return commit;
}

export function hostInfo(): { host: string; platform: string } {
  return { host: hostname(), platform: `${platform()} ${release()} ${arch()}` };
}
