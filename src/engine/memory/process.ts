// Process-level memory figures: VmHWM/VmRSS from /proc (Linux) and the wasm heap size (monotone).
import { readFileSync } from 'node:fs';
import { tf } from '../tf.js';

export function procStatusBytes(): { vmHWM: number | null; vmRSS: number | null } {
  try {
    const s = readFileSync('/proc/self/status', 'utf8');
    const get = (k: string) => { const m = s.match(new RegExp(`${k}:\\s+(\\d+) kB`)); return m ? Number(m[1]) * 1024 : null; };
    return { vmHWM: get('VmHWM'), vmRSS: get('VmRSS') };
  } catch {
    return { vmHWM: null, vmRSS: null };
  }
}

export function wasmHeapBytes(): number | null {
  if (tf.getBackend() !== 'wasm') return null;
  const b = tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } };
  return b.wasm.HEAPU8.buffer.byteLength;
}
