/**
 * aggregate_scan_filters: a scan whose rows go straight into an aggregation hands its filters to
 * the aggregate, which skips failing rows by group id instead of the scan gathering every
 * surviving row into new columns (filters that keep most rows made that gather a large share of
 * the work). The filters stay on the scan for row-group pruning.
 */
import type { Stage } from '../../stages.js';
import type { PhysicalRule } from '../rule.js';

function rewriteStage(stage: Stage): Stage {
  const first = stage.ops[0];
  if (
    stage.source.kind !== 'scan' ||
    !stage.source.filters.length ||
    first?.op !== 'HashAggregate' ||
    first.mode === 'final'
  )
    return stage;
  // Keys and arguments are then computed on rejected rows too: only for built-in expressions,
  // never user code (which might fail on rows the filter was meant to keep away): UDFs and UDAFs.
  const exprs = [...first.keys, ...first.aggs.flatMap((a) => (a.arg ? [a.arg, ...(a.more ?? [])] : []))];
  if (first.aggs.some((a) => a.fn === 'udaf') || exprs.some((e) => JSON.stringify(e).includes('"kind":"udf"')))
    return stage;
  const aggregate = { ...first, filter: stage.source.filters };
  return { ...stage, source: { ...stage.source, filtersInAggregate: true }, ops: [aggregate, ...stage.ops.slice(1)] };
}

export const aggregateScanFilters = {
  name: 'aggregate_scan_filters',
  phase: 'stage',
  description: "an aggregate right after a scan evaluates the scan's filters itself",
  rewriteStage,
} as const satisfies PhysicalRule;
