/**
 * Build sides narrowed to a scan task's key range. A join marked `scanFilter` (rule
 * runtime_filter) probes with a column of its stage's scan, unchanged; when the task's row groups
 * bound that column to a narrow slice (ScanInput.ranges: TPC-H lineitem and orders are both
 * stored in order-key order), no build row outside the slice can match one of the task's rows,
 * so the task indexes only the build rows within it. Each task then builds its own slice of the
 * table instead of every executor building all of it: at two executors, half the build work and
 * half the index in cache. Exact: only inner and semi joins, which drop unmatched build rows.
 */
import type { BuildSide, Stage } from './stages.js';
import type { DataType } from './types.js';

/** A join of a scan stage whose build side can be narrowed by the task's bounds of `probe`. */
export interface RangedJoin {
  /** The scan column the join probes with. */
  readonly probe: string;
  /** The build side's stage (broadcast or inlined scan). */
  readonly stage: number;
  /** The build side's key column, of the probe column's type. */
  readonly build: string;
  readonly type: DataType;
}

const RANGED_TYPES: ReadonlySet<DataType> = new Set<DataType>(['int32', 'int64', 'date']);

/**
 * The joins of `stage` (as its tasks run it) whose build sides a task may narrow: one key, a
 * column on each side of the same integer or date type, the build side read whole, an inner or
 * semi join whose probe key comes from the scan unchanged (`scanFilter`). A build stage joined
 * twice in the stage is left whole (its one index serves both joins).
 * @example rangedJoins(stage) // [{ probe: 'l_orderkey', stage: 1, build: 'o_orderkey', type: 'int64' }]
 */
export function rangedJoins(stage: Stage): RangedJoin[] {
  if (stage.source.kind !== 'scan') return [];
  const scan = stage.source.schema;
  const uses = new Map<number, number>();
  const out: RangedJoin[] = [];
  for (const op of stage.ops) {
    if (op.op !== 'HashJoin') continue;
    uses.set(op.build.stage, (uses.get(op.build.stage) ?? 0) + 1);
    const [p, b] = [op.probeKeys[0], op.buildKeys[0]];
    if (!op.scanFilter || (op.type !== 'inner' && op.type !== 'left_semi') || op.build.kind === 'partitioned') continue;
    if (op.probeKeys.length !== 1 || p?.kind !== 'col' || b?.kind !== 'col') continue;
    const type = scan.find((f) => f.name === p.name)?.type;
    if (!type || !RANGED_TYPES.has(type) || op.build.schema.find((f) => f.name === b.name)?.type !== type) continue;
    out.push({ probe: p.name, stage: op.build.stage, build: b.name, type });
  }
  return out.filter((j) => uses.get(j.stage) === 1);
}

/** The ranged join whose build side `side` is, if any. */
export function rangedJoinOf(joins: readonly RangedJoin[], side: BuildSide): RangedJoin | undefined {
  return side.kind === 'partitioned' ? undefined : joins.find((j) => j.stage === side.stage);
}
