/**
 * Runtime join filters in the scan (rule runtime_filter): a join marked `scanFilter` hands its
 * probe keys and build side to its stage's scan, which looks each row's keys up in the join's own
 * index (join.ts sharedBuild: built once, shared with the join) right after decoding the key
 * columns, and decodes the other columns only for the rows whose keys the build side has
 * (scanLate.ts). The build side is read through the task's reader, as the join reads it.
 */
import { type Expr, referencedColumns, transformExpr } from '../planner/expr.js';
import type { BuildSide, PhysicalOp, Stage } from '../planner/stages.js';
import { resolveColumn } from '../planner/columns.js';
import { pure, through, uniqueNames } from '../planner/optimizer/rules/runtime_filter.js';
import type { Schema } from '../planner/types.js';
import { compileExpr } from './eval.js';
import { sharedBuildOf } from './join.js';
import type { OperatorContext } from './operator.js';
import { materialize } from './scalar.js';
import { recycle, spareArray } from './spareArrays.js';
import type { Batch } from './vector.js';

/** A join's keys, for the scan of its stage to look up. */
export interface KeyFilter {
  readonly probeKeys: readonly Expr[];
  readonly build: BuildSide;
  readonly buildKeys: readonly Expr[];
}

/**
 * A build side read whole (broadcast or inlined) as a task runs it: with `filters`, only its rows
 * whose keys a later join of the stage has (withBuildFilters) are indexed.
 */
export interface FilteredBuildSide extends BuildSide {
  readonly filters?: readonly KeyFilter[];
}

/** A key lookup ready to run on the scan's batches: the rows whose keys the build side has. */
export interface KeyLookup {
  /** Indexes (in the scan schema) of the columns the keys read. */
  readonly columns: readonly number[];
  /**
   * The rows of `b` (its columns at `columns` filled) that can match; null when all can. The
   * selection is on a buffer of the lookup's own: read it before the next call.
   */
  select(b: Batch): Int32Array | null;
  /** The scan is done: the lookup's buffer goes back to the spare arrays (no selection may be read after). */
  release(): void;
}

/**
 * The stage as its tasks run it: a scan source carries the key filters of its joins marked
 * `scanFilter` (with their build sides as the task reads them: broadcast, or inlined scans).
 */
export function withKeyFilters(stage: Stage): Stage {
  if (stage.source.kind !== 'scan') return stage;
  const keyFilters: KeyFilter[] = stage.ops.flatMap((op) =>
    op.op === 'HashJoin' && op.scanFilter
      ? [{ probeKeys: op.probeKeys, build: op.build, buildKeys: op.buildKeys }]
      : [],
  );
  if (!keyFilters.length) return stage;
  return { ...stage, source: { ...stage.source, keyFilters } as Stage['source'] };
}

/**
 * The stage with each inner join's shared build side narrowed by the later inner or semi joins
 * of the stage whose probe keys are that build side's own columns, reaching them unchanged
 * (TPC-H Q5: lineitem ⋈ orders, then ⋈ customer on o_custkey): an orders row whose customer the
 * customer side lacks can produce no output, so it is never indexed, and the scan's runtime
 * filter on the orders keys (withKeyFilters) drops its lineitem rows before decoding them.
 * Exact for the same reasons as rule runtime_filter: those rows would meet an inner or semi join
 * that drops them, through operators that keep their key columns.
 */
export function withBuildFilters(stage: Stage): Stage {
  const ops = [...stage.ops];
  let changed = false;
  // From the last join back: a later join's build side carries its own filters when copied.
  for (let a = ops.length - 2; a >= 0; a--) {
    const op = ops[a]!;
    if (op.op !== 'HashJoin' || op.type !== 'inner' || op.build.kind === 'partitioned') continue;
    const outNames = uniqueNames(op.schema.map((f) => f.name));
    let live = new Set(op.build.schema.map((f) => f.name).filter((n) => outNames.has(n)));
    const filters: KeyFilter[] = [];
    for (let b = a + 1; b < ops.length && live.size; b++) {
      const next: PhysicalOp = ops[b]!;
      if (
        next.op === 'HashJoin' &&
        (next.type === 'inner' || next.type === 'left_semi') &&
        next.build.kind !== 'partitioned' &&
        next.probeKeys.length &&
        next.probeKeys.every((k) => pure(k) && [...referencedColumns(k)].every((c) => live.has(c)))
      )
        filters.push({ probeKeys: next.probeKeys.map(byName), build: next.build, buildKeys: next.buildKeys });
      live = through(next, live);
    }
    if (!filters.length) continue;
    ops[a] = { ...op, build: { ...op.build, filters } as FilteredBuildSide };
    changed = true;
  }
  return changed ? { ...stage, ops } : stage;
}

/** Keys compiled against the scan's schema (by name: a join's column positions are its input's). */
const byName = (e: Expr): Expr => transformExpr(e, (x) => (x.kind === 'col' ? { kind: 'col', name: x.name } : x));

/**
 * The lookups of the key filters whose columns the scan reads (reading each build side and
 * building or reusing its index); none when the context cannot read build sides.
 */
export async function keyLookups(
  filters: readonly KeyFilter[],
  schema: Schema,
  ctx: OperatorContext,
): Promise<KeyLookup[]> {
  if (!ctx.readBuildSide) return [];
  const names = new Set(schema.map((f) => f.name));
  const out: KeyLookup[] = [];
  for (const f of filters) {
    const refs = f.probeKeys.flatMap((k) => [...referencedColumns(k)]);
    if (!refs.every((c) => names.has(c))) continue;
    const built = await sharedBuildOf(f.build, f.buildKeys, ctx);
    const keys = f.probeKeys.map((k) => compileExpr(byName(k), schema, ctx.udfs));
    // A row group's selection, reused by the next (a fresh one a row group: Q18 ~30 MB a run).
    let room: Int32Array | null = null;
    out.push({
      columns: [...new Set(refs)].map((c) => resolveColumn(schema, c).index),
      select(b) {
        const n = b.length;
        if (!room || room.length < n) {
          recycle(room);
          room = spareArray(Int32Array, n, null);
        }
        const kept = built.index.has(
          keys.map((k) => materialize(k(b), n)),
          n,
          room,
        );
        return kept.length === n ? null : kept;
      },
      release() {
        recycle(room);
        room = null;
      },
    });
  }
  return out;
}
