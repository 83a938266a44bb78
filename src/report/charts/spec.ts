// A chart as data: a JSON-serialisable Chart.js configuration plus the names of the formatters to attach, so the
// same chart renders to PNG in Node and interactively in the HTML report.
import type { ChartConfiguration } from 'chart.js';
import type { FormatterName } from './formatters.js';

export type ChartKind = 'memory-vs-metric' | 'memory-breakdown' | 'trainable-params' | 'ablation' | 'training-curves';

export interface ChartSpec {
  /** File-safe id, unique within a report (the PNG's file name). */
  id: string;
  kind: ChartKind;
  title: string;
  width: number;
  height: number;
  config: ChartConfiguration;
  /** Tick formatters by scale id. */
  ticks?: Record<string, FormatterName>;
  /** Datasets with `uniptPairOf: i` are hidden from the legend and toggled together with dataset i. */
  pairedLegend?: boolean;
}

export const FONT = { family: "'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif" };

/** Options every chart shares: fixed size, no animation, readable fonts, the title and an optional subtitle. */
export function baseOptions(title: string, subtitle?: string | string[]): Record<string, unknown> {
  return {
    responsive: false,
    animation: false,
    devicePixelRatio: 1,
    layout: { padding: { top: 4, right: 16, bottom: 4, left: 4 } },
    plugins: {
      title: { display: true, text: title, font: { ...FONT, size: 16, weight: 'bold' }, color: '#111' },
      ...(subtitle ? { subtitle: { display: true, text: subtitle, font: { ...FONT, size: 11 }, color: '#444', padding: { bottom: 8 } } } : {}),
      legend: { labels: { font: { ...FONT, size: 12 }, color: '#222', usePointStyle: true, boxWidth: 10, boxHeight: 10 } },
      tooltip: { enabled: true },
    },
  };
}

export function axisTitle(text: string): Record<string, unknown> {
  return { display: true, text, font: { ...FONT, size: 12 }, color: '#222' };
}

export function ticks(): Record<string, unknown> {
  return { font: { ...FONT, size: 11 }, color: '#333' };
}

export function fileId(...parts: string[]): string {
  return parts.join('-').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 120);
}
