// The HTML report in a real browser: Debian's Chromium, driven by playwright-core (never a downloaded browser), with
// the network unused. Checks: no console errors, every canvas drawn, the tables present; saves a screenshot to the
// OS temp dir. Skipped (and says why) where /usr/bin/chromium is missing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { catalogFromRegistry } from '../../src/report/catalog.js';
import { writeReport } from '../../src/report/write.js';
import { fixtureRuns } from './support/fixture-runs.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM} (install Debian's package: apt-get install -y chromium); browser test skipped`;
if (skip) console.log(skip);

test('HTML report: opens offline in headless Chromium, no console errors, every chart drawn, tables present', { skip, timeout: 120_000 }, async () => {
  const { chromium } = await import('playwright-core');
  const work = mkdtempSync(join(tmpdir(), 'unipt-report-browser-'));
  const profile = mkdtempSync(join(tmpdir(), 'unipt-chromium-profile-'));
  try {
    const written = await writeReport({ experiment: 'browser-test', runs: fixtureRuns(), generatedAt: new Date().toISOString() }, catalogFromRegistry(), { formats: ['html'], outDir: work });
    const html = written.files.find((f) => f.endsWith('report.html'))!;
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1400, height: 1000 },
    });
    try {
      const page = context.pages()[0] ?? await context.newPage();
      const errors: string[] = [];
      const remote: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => { if (!/^(file|data|blob):/.test(r.url())) remote.push(r.url()); });
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      // Page-side code: the project compiles without DOM types, so the document is reached through globalThis.
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('canvas').length > 0 && (globalThis as any).Chart !== undefined);
      const canvases = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('canvas')].map((c: any) => {
        const ctx = c.getContext('2d');
        const { data } = ctx.getImageData(0, 0, c.width, c.height);
        let ink = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235)) ink++;
        return { id: c.id, ink: ink / (c.width * c.height), drawn: (globalThis as any).Chart.getChart(c) !== undefined };
      }));
      const tables: { id: string; rows: number; text: string }[] = await page.evaluate(() => [...(globalThis as any).document.querySelectorAll('table.results')].map((t: any) => ({ id: t.id, rows: t.querySelectorAll('tbody tr').length, text: t.textContent ?? '' })));
      const header = await page.textContent('header');
      const shot = join(tmpdir(), 'unipt-report-browser-test.png');
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`screenshot of the HTML report: ${shot}`);

      assert.deepEqual(errors, [], 'console errors');
      assert.deepEqual(remote, [], 'the report must not touch the network');
      assert.ok(canvases.length >= 5, `${canvases.length} canvases`);
      for (const c of canvases as { id: string; ink: number; drawn: boolean }[]) {
        assert.ok(c.drawn, `${c.id}: no Chart.js chart attached`);
        assert.ok(c.ink > 0.01, `${c.id}: only ${(100 * c.ink).toFixed(2)}% of its pixels drawn`);
      }
      assert.ok(tables.some((t) => t.id === 'table-main' && t.rows >= 7), JSON.stringify(tables.map((t) => [t.id, t.rows])));
      assert.ok(tables.some((t) => t.id.startsWith('table-ablation-')), 'the ablation table');
      assert.match(tables[0].text, /±/);
      assert.match(header ?? '', /browser-test/);
      assert.match(header ?? '', /backend/);
      assert.match(header ?? '', /commit/);
    } finally {
      await context.close();
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  }
});
