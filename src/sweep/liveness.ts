// Is a run marked `running` still held by a live process? On this host: its worker or its sweep process exists.
// Elsewhere: its heartbeat is recent.
import { hostname } from 'node:os';
import type { RunRow } from '../store/types.js';

export function pidAlive(pid: number | null): boolean {
  if (!pid || pid <= 0) return false;
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

export const THIS_HOST = hostname();

export function heldElsewhere(row: RunRow, staleAfterSeconds: number, self = process.pid): boolean {
  if (row.status !== 'running') return false;
  if (row.host === THIS_HOST || row.host === null) {
    const worker = row.pid !== null && row.pid !== self && pidAlive(row.pid);
    const owner = row.ownerPid !== null && row.ownerPid !== self && pidAlive(row.ownerPid);
    return worker || owner;
  }
  const beat = row.heartbeatAt ? Date.parse(row.heartbeatAt) : 0;
  return Date.now() - beat < staleAfterSeconds * 1000;
}
