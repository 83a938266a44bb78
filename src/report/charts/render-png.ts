// Draws a chart spec to PNG with Chart.js on @napi-rs/canvas (no native build, no DOM): fixed size, no animation,
// device pixel ratio 1, a white background.
import { createCanvas } from '@napi-rs/canvas';
import { Chart, registerables, type ChartConfiguration, type ChartItem } from 'chart.js';
import { FORMATTERS, LEGEND_HOOKS, tooltipLabel, whiteBackground } from './formatters.js';
import type { ChartSpec } from './spec.js';

let registered = false;

/** The spec's configuration with the formatter functions attached (a fresh copy; the spec stays JSON). */
export function liveConfig(spec: ChartSpec): ChartConfiguration {
  const config = structuredClone(spec.config) as ChartConfiguration & { options: Record<string, any> };
  const scales = (config.options.scales ?? {}) as Record<string, { ticks?: Record<string, unknown> }>;
  for (const [axis, name] of Object.entries(spec.ticks ?? {})) {
    if (!scales[axis]) continue;
    scales[axis].ticks = { ...(scales[axis].ticks ?? {}), callback: FORMATTERS[name] };
  }
  const plugins = (config.options.plugins ??= {});
  plugins.tooltip = { ...(plugins.tooltip ?? {}), callbacks: { label: tooltipLabel } };
  if (spec.pairedLegend) {
    const legend = (plugins.legend ??= {});
    legend.labels = { ...(legend.labels ?? {}), filter: LEGEND_HOOKS.legendFilter as never };
    legend.onClick = LEGEND_HOOKS.legendPairClick as never;
  }
  return config;
}

export async function renderPng(spec: ChartSpec): Promise<Buffer> {
  if (!registered) { Chart.register(...registerables); registered = true; }
  const canvas = createCanvas(spec.width, spec.height);
  const config = liveConfig(spec);
  config.plugins = [...(config.plugins ?? []), whiteBackground as never];
  const chart = new Chart(canvas.getContext('2d') as unknown as ChartItem, config);
  try {
    chart.draw();
    return await canvas.encode('png');
  } finally {
    chart.destroy();
  }
}
