/**
 * runtime_filter, a physical rule applied to every planned stage: a scan stage's inner or semi
 * hash join against a build side read whole (broadcast or read inside the task) whose probe keys
 * are computed from the scan's own columns, reaching the join unchanged, gets `scanFilter`: at run
 * time the scan looks the keys up in the join's index (the same one the join probes,
 * operators/join.ts) right after decoding the key columns, and decodes the other columns only for
 * rows whose keys the build side has (operators/scanLate.ts). Exact: such a row can produce no
 * output through the join (a null key matches nothing), whatever the operators between the scan
 * and the join do, as long as they keep each row's key columns (filters, projections passing them
 * through, other joins); an operator that counts or orders rows (limits, samples, sorts,
 * aggregates, windows) or computes the key column ends the chain. Outer and anti joins keep
 * unmatched rows and are left alone.
 */
import { type Expr, referencedColumns, walkExpr } from '../../expr.js';
import type { PhysicalOp, Stage } from '../../stages.js';
import type { PhysicalRule } from '../rule.js';

/** Names used exactly once in a schema (a join key resolved by name must find one column). */
export function uniqueNames(names: readonly string[]): Set<string> {
  const seen = new Map<string, number>();
  for (const n of names) seen.set(n, (seen.get(n) ?? 0) + 1);
  return new Set([...seen].filter(([, k]) => k === 1).map(([n]) => n));
}

/** Whether evaluating `e` on a row gives the same value wherever in the pipeline it runs. */
export function pure(e: Expr): boolean {
  let ok = true;
  walkExpr(e, (x) => {
    if (x.kind === 'udf' || x.kind === 'agg' || x.kind === 'window') ok = false;
  });
  return ok;
}

/**
 * The names after `op` whose values are still the scan's columns of those names (each row out
 * of `op` holding the values of a row of the scan), given those before it.
 */
export function through(op: PhysicalOp, live: ReadonlySet<string>): Set<string> {
  const out = uniqueNames(op.schema.map((f) => f.name));
  switch (op.op) {
    case 'Filter':
      return pure(op.predicate) ? new Set([...live].filter((n) => out.has(n))) : new Set();
    case 'HashJoin': {
      const build = new Set(op.build.schema.map((f) => f.name));
      return new Set([...live].filter((n) => out.has(n) && !build.has(n)));
    }
    case 'Project':
      return new Set(
        op.schema.flatMap((f, i) => {
          const e = op.exprs[i]!;
          return e.kind === 'col' && e.name === f.name && live.has(e.name) && out.has(f.name) ? [f.name] : [];
        }),
      );
    default:
      return new Set();
  }
}

/** The stage with `scanFilter` on each join whose keys the scan can look up itself. */
export function withRuntimeFilters(stage: Stage): Stage {
  const src = stage.source;
  if (src.kind !== 'scan' || src.arrow || src.text) return stage;
  const partition = new Set(src.partitionColumns ?? []);
  let live = uniqueNames(src.schema.map((f) => f.name));
  for (const p of partition) live.delete(p);
  let changed = false;
  const ops = stage.ops.map((op) => {
    const before = live;
    live = through(op, live);
    if (
      op.op !== 'HashJoin' ||
      (op.type !== 'inner' && op.type !== 'left_semi') ||
      op.build.kind === 'partitioned' ||
      !op.probeKeys.length ||
      !op.probeKeys.every((k) => pure(k) && [...referencedColumns(k)].every((c) => before.has(c)))
    )
      return op;
    changed = true;
    return { ...op, scanFilter: true };
  });
  return changed ? { ...stage, ops } : stage;
}

export const runtimeFilter = {
  name: 'runtime_filter',
  phase: 'stage',
  description: 'a scan drops rows whose join keys a broadcast build side lacks before decoding their other columns',
  rewriteStage: withRuntimeFilters,
} as const satisfies PhysicalRule;
