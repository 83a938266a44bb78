import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';

const WRITER = fileURLToPath(new URL('./load-writer.js', import.meta.url));

test('8 processes writing runs concurrently: no SQLITE_BUSY, no lost row, integrity ok', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-load-'));
  const db = join(dir, 'unipt.sqlite');
  try {
    const WRITERS = 8, RUNS = 25;
    // the processes also race to create and migrate the store
    const exits = await Promise.all(Array.from({ length: WRITERS }, (_, w) => new Promise<{ code: number | null; err: string }>((res) => {
      const p = spawn(process.execPath, [WRITER, db, String(w + 1), String(RUNS)], { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d) => { err += d; });
      p.on('exit', (code) => res({ code, err }));
    })));
    for (const e of exits) assert.equal(e.code, 0, e.err);
    const s = openStore(db);
    try {
      assert.equal(s.countRows('runs'), WRITERS * RUNS);
      assert.equal(s.listRuns({ status: 'succeeded', withResult: false }).length, WRITERS * RUNS);
      assert.equal(s.countRows('epochs'), WRITERS * RUNS * 2);
      assert.equal(s.countRows('final_metrics'), WRITERS * RUNS * 2);
      assert.equal(s.countRows('param_modules'), WRITERS * RUNS * 3);
      assert.equal(s.countRows('experiment_runs'), WRITERS * RUNS);
      assert.deepEqual(s.integrityCheck(), ['ok']);
    } finally { s.close(); }
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
