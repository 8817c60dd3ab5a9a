/**
 * Charts for the cost-model report: one Vega-Lite spec per chart (the data inline), rendered to
 * SVG headless by the job report's `toSvg` (src/cli/report/charts.ts) — no browser, no network.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { TimelineBar } from './analysis.js';
import { PLATFORM_LABELS, type Prediction } from './model.js';

const LOG = { type: 'log' } as const;

function rows(preds: readonly Prediction[]) {
  return preds.map((p) => ({
    query: `Q${p.query}`,
    sf: p.sf,
    rate: p.rate,
    line: p.line,
    platform: PLATFORM_LABELS[p.platform],
    seconds: p.seconds,
    dollars: p.dollars,
  }));
}

/** Time (or cost) per job against SF, one panel per query, one line per platform. */
export function bySfChart(preds: readonly Prediction[], metric: 'seconds' | 'dollars', title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows(preds) },
    facet: { column: { field: 'query', type: 'nominal', title: null } },
    spec: {
      width: 150,
      height: 190,
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'sf', type: 'quantitative', scale: LOG, title: 'TPC-H SF' },
        y: {
          field: metric,
          type: 'quantitative',
          scale: LOG,
          title: metric === 'seconds' ? 'seconds per job' : 'USD per job',
        },
        color: { field: 'platform', type: 'nominal', title: 'platform' },
        strokeDash: { field: 'line', type: 'nominal', title: 'engine speed' },
      },
    },
  };
}

/** Cost per job against jobs per hour (the crossover chart), one panel per query. */
export function byRateChart(preds: readonly Prediction[], title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: { values: rows(preds) },
    facet: { column: { field: 'query', type: 'nominal', title: null } },
    spec: {
      width: 150,
      height: 190,
      mark: { type: 'line', point: false },
      encoding: {
        x: { field: 'rate', type: 'quantitative', scale: LOG, title: 'jobs per hour' },
        y: { field: 'dollars', type: 'quantitative', scale: LOG, title: 'USD per job' },
        color: { field: 'platform', type: 'nominal', title: 'platform' },
      },
    },
  };
}

/** Modelled executors of each Stratus job on Lambda over time: one bar per executor per stage. */
export function timelineChart(bars: readonly TimelineBar[], title: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    data: {
      values: bars.map((b) => ({ ...b, query: `Q${b.query}`, stage: `stage ${b.stage}`, top: b.executor + 0.8 })),
    },
    facet: { row: { field: 'query', type: 'nominal', title: null } },
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: 560,
      height: 90,
      mark: { type: 'rect' },
      encoding: {
        x: { field: 'start', type: 'quantitative', title: 'seconds' },
        x2: { field: 'end' },
        y: { field: 'executor', type: 'quantitative', title: 'executor' },
        y2: { field: 'top' },
        color: { field: 'stage', type: 'nominal', title: 'stage' },
      },
    },
  };
}
