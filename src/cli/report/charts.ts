/**
 * The report's charts: Vega-Lite specifications compiled with vega-lite and rendered to SVG by
 * vega headless (no browser, no canvas, no network), so the HTML report needs no script.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ReportData, TaskBar } from './data.js';

/** Render a Vega-Lite spec to an SVG string. */
export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const WIDTH = 720;

/** Task attempts by executor invocation over time, coloured by stage; stragglers and failures outlined. */
export function timelineSpec(
  bars: readonly TaskBar[],
  title = 'Task timeline by executor (seconds from job start)',
): TopLevelSpec {
  const values = bars.map((b) => ({
    ...b,
    start: b.start / 1000,
    end: Math.max(b.end, b.start + 1) / 1000,
    stageName: `stage ${b.stage}`,
    mark: !b.ok ? 'failed' : b.straggler ? 'straggler' : 'ok',
  }));
  const lanes = new Set(bars.map((b) => b.lane)).size;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: WIDTH,
    height: Math.max(60, Math.min(900, lanes * 18)),
    data: { values },
    mark: { type: 'bar', cornerRadius: 2, opacity: 0.85 },
    encoding: {
      y: { field: 'lane', type: 'nominal', title: 'executor · invocation', axis: { labelLimit: 320 } },
      x: { field: 'start', type: 'quantitative', title: 'seconds' },
      x2: { field: 'end' },
      color: { field: 'stageName', type: 'nominal', title: 'stage' },
      stroke: {
        field: 'mark',
        type: 'nominal',
        title: 'task',
        scale: { domain: ['ok', 'straggler', 'failed'], range: ['transparent', '#d62728', '#000000'] },
      },
      strokeWidth: { value: 2 },
      tooltip: [
        { field: 'stage' },
        { field: 'task' },
        { field: 'attempt' },
        { field: 'millis', title: 'ms' },
        { field: 'executor' },
      ],
    },
  } as TopLevelSpec;
}

/** Milliseconds by phase, stacked per stage (summed over the stage's task attempts). */
export function phasesSpec(d: ReportData): TopLevelSpec {
  const values = d.stages.flatMap((s) =>
    Object.entries(s.phases).map(([phase, ms]) => ({ stage: `stage ${s.id}`, phase, seconds: ms / 1000 })),
  );
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Where task time went, by stage and phase (task-seconds)',
    width: WIDTH,
    height: Math.max(60, d.stages.length * 24),
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'stage', type: 'nominal', title: null },
      x: { field: 'seconds', type: 'quantitative', aggregate: 'sum', title: 'task-seconds' },
      color: { field: 'phase', type: 'nominal' },
    },
  } as TopLevelSpec;
}

/** Bytes read and written per stage. */
export function bytesSpec(d: ReportData): TopLevelSpec {
  const values = d.stages.flatMap((s) => [
    { stage: `stage ${s.id}`, direction: 'read', mib: (s.stats.bytesIn ?? 0) / 2 ** 20 },
    { stage: `stage ${s.id}`, direction: 'written', mib: (s.stats.bytesOut ?? 0) / 2 ** 20 },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Bytes read and written per stage (MiB)',
    width: WIDTH,
    height: Math.max(60, d.stages.length * 30),
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'stage', type: 'nominal', title: null },
      yOffset: { field: 'direction' },
      x: { field: 'mib', type: 'quantitative', title: 'MiB' },
      color: { field: 'direction', type: 'nominal' },
    },
  } as TopLevelSpec;
}
