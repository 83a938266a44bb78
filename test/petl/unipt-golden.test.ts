// Golden test: every `*.json` in the golden directory (../shared/golden from the project root, or the folder named
// by $UNIPT_GOLDEN_DIR) is one forward + backward pass of an official UniPT module in float64; the project's module
// must reproduce output, loss and every gradient within 1e-4 relative error (definition and file format:
// src/petl/unipt/golden.ts). A file whose variant the project does not know fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initBackend } from '../../src/engine/backend.js';
import { goldenFiles, runGoldenFile, formatReport, reportFailures, type Golden } from '../../src/petl/unipt/golden.js';

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const GOLDEN_DIR = process.env.UNIPT_GOLDEN_DIR ? resolve(process.env.UNIPT_GOLDEN_DIR) : resolve(PROJECT_ROOT, '../shared/golden');

await initBackend('wasm');

let files: string[] = [];
let listError: Error | null = null;
try { files = goldenFiles(GOLDEN_DIR); } catch (e) { listError = e as Error; }

test(`the golden directory (${GOLDEN_DIR}) holds golden files`, () => {
  if (listError) throw listError;
  assert.ok(files.length > 0);
});

for (const f of files) {
  test(`golden ${basename(f)} matches the official module`, () => {
    const r = runGoldenFile(f);
    console.log(`golden ${formatReport(r)}`);
    assert.deepEqual(reportFailures(r), []);
  });
}

test('a golden file with an unknown variant fails (temporary directory; the real golden dir is untouched)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-golden-bogus-'));
  try {
    assert.ok(files.length > 0, 'needs one real golden file to copy');
    const bogus: Golden = { ...(JSON.parse(readFileSync(files[0], 'utf8')) as Golden), variant: 'not-a-unipt-variant' };
    writeFileSync(join(dir, 'unipt-bogus.json'), JSON.stringify(bogus));
    const listed = goldenFiles(dir);
    assert.equal(listed.length, 1);
    assert.throws(() => runGoldenFile(listed[0]), /unknown variant "not-a-unipt-variant"/);
    // an empty directory is an error too, not a silent pass
    rmSync(join(dir, 'unipt-bogus.json'));
    assert.throws(() => goldenFiles(dir), /holds no \*\.json files/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a perturbed golden file is caught (the comparison can fail)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unipt-golden-perturbed-'));
  try {
    const g = JSON.parse(readFileSync(files[0], 'utf8')) as Golden;
    const name = Object.keys(g.grads)[0];
    g.grads[name].data = g.grads[name].data.map((v, i) => (i === 0 ? v + 1e-2 * Math.max(1, Math.abs(v)) : v));
    g.output.data = g.output.data.map((v, i) => (i === 0 ? v * 1.01 + 1e-3 : v));
    const p = join(dir, basename(files[0]));
    writeFileSync(p, JSON.stringify(g));
    const failures = reportFailures(runGoldenFile(p));
    assert.ok(failures.some((m) => m.includes('output')), failures.join('; '));
    assert.ok(failures.some((m) => m.includes(`gradient ${name}`)), failures.join('; '));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
