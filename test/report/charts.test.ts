// Charts: every chart type renders from fixture data to a PNG of the configured size that is not blank and shows the
// methods' colours; marker areas are proportional to trainable parameters; the Pareto front is the non-dominated set.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { buildModel } from '../../src/report/model.js';
import { catalogFromRegistry } from '../../src/report/catalog.js';
import { ablations } from '../../src/report/tables/ablation.js';
import { reportCharts } from '../../src/report/charts/index.js';
import { renderPng } from '../../src/report/charts/render-png.js';
import { paretoFront, radiusScale, R_MAX, R_MIN } from '../../src/report/charts/memory-vs-metric.js';
import { methodColor, rowColors } from '../../src/report/charts/palette.js';
import type { ChartKind } from '../../src/report/charts/spec.js';
import type { ReportRun } from '../../src/report/types.js';
import { fixtureRuns } from './support/fixture-runs.js';

async function pixels(png: Buffer): Promise<{ width: number; height: number; data: Uint8ClampedArray }> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return { width: img.width, height: img.height, data: ctx.getImageData(0, 0, img.width, img.height).data };
}

function hasColor(data: Uint8ClampedArray, hex: string, tol = 6): boolean {
  const n = parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  for (let i = 0; i < data.length; i += 4) {
    if (Math.abs(data[i] - r) <= tol && Math.abs(data[i + 1] - g) <= tol && Math.abs(data[i + 2] - b) <= tol) return true;
  }
  return false;
}

test('radius scale: marker area proportional to trainable parameters, largest at R_MAX, floor at R_MIN', () => {
  const { r, k } = radiusScale([400, 100, 0]);
  assert.equal(r(400), R_MAX);
  assert.ok(Math.abs(r(100) ** 2 / r(400) ** 2 - 100 / 400) < 1e-12, 'area ratio equals parameter ratio');
  assert.ok(Math.abs(k - R_MAX / 20) < 1e-12);
  assert.equal(r(0), R_MIN);
  assert.equal(r(null), R_MIN);
});

test('Pareto front: points no other point beats on both memory and metric, by memory', () => {
  // (memory, accuracy): A(1,50) B(2,70) C(3,60: dominated by B) D(4,80) E(4,75: dominated by D)
  const pts = [{ x: 1, y: 50 }, { x: 2, y: 70 }, { x: 3, y: 60 }, { x: 4, y: 80 }, { x: 4, y: 75 }];
  assert.deepEqual(paretoFront(pts, 'max'), [0, 1, 3]);
  // Lower-is-better metric: A(1,5) B(2,3) C(3,4: dominated by B) D(4,1)
  assert.deepEqual(paretoFront([{ x: 1, y: 5 }, { x: 2, y: 3 }, { x: 3, y: 4 }, { x: 4, y: 1 }], 'min'), [0, 1, 3]);
});

test('one colour per method in every chart; variants of one method are shades of it', () => {
  const rows = [{ id: 'lora', method: 'lora' }, { id: 'u1', method: 'unipt' }, { id: 'u2', method: 'unipt' }];
  const c = rowColors(rows);
  assert.equal(c.get('lora'), methodColor('lora'));
  assert.notEqual(c.get('u1'), c.get('u2'));
  assert.equal(methodColor('some-new-method'), methodColor('some-new-method'), 'stable for unknown ids');
});

test('every chart type renders from fixture data: right size, not blank, methods visible', async () => {
  const runs: ReportRun[] = fixtureRuns();
  const model = buildModel({ experiment: 'fixture', runs, generatedAt: '2025-01-01T00:00:00.000Z' }, catalogFromRegistry());
  const charts = reportCharts(model, ablations(model));
  const kinds = new Set<ChartKind>(charts.map((c) => c.kind));
  assert.deepEqual([...kinds].sort(), ['ablation', 'memory-breakdown', 'memory-vs-metric', 'trainable-params', 'training-curves']);
  assert.equal(new Set(charts.map((c) => c.id)).size, charts.length, 'chart ids (file names) are unique');
  // One of each kind (rendering all of them is the same code; keep the test fast).
  for (const kind of kinds) {
    const spec = charts.find((c) => c.kind === kind)!;
    const png = await renderPng(spec);
    assert.deepEqual([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join(''), 'PNG');
    const { width, height, data } = await pixels(png);
    assert.equal(width, spec.width, `${spec.id} width`);
    assert.equal(height, spec.height, `${spec.id} height`);
    let ink = 0;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] !== 255) assert.fail(`${spec.id}: transparent pixel (background not filled)`);
      if (data[i] < 235 || data[i + 1] < 235 || data[i + 2] < 235) ink++;
      colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    }
    const frac = ink / (width * height);
    assert.ok(frac > 0.01, `${spec.id}: only ${(100 * frac).toFixed(2)}% of the pixels are drawn`);
    assert.ok(colours.size > 20, `${spec.id}: ${colours.size} colours`);
    if (kind === 'memory-vs-metric' || kind === 'training-curves') {
      for (const m of ['full', 'lst']) assert.ok(hasColor(data, methodColor(m)), `${spec.id}: ${m}'s colour ${methodColor(m)} is not drawn`);
    }
  }
});
