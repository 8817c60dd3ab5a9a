/**
 * Runtime join filters in the scan (rule runtime_filter): a join marked `scanFilter` hands its
 * probe keys and build side to its stage's scan, which looks each row's keys up in the join's own
 * index (join.ts sharedBuild: built once, shared with the join) right after decoding the key
 * columns, and decodes the other columns only for the rows whose keys the build side has
 * (scanLate.ts). The build side is read through the task's reader, as the join reads it.
 */
import { type Expr, referencedColumns, transformExpr } from '../planner/expr.js';
import type { BuildSide, Stage } from '../planner/stages.js';
import { resolveColumn } from '../planner/columns.js';
import type { Schema } from '../planner/types.js';
import { compileExpr } from './eval.js';
import { sharedBuild } from './join.js';
import type { OperatorContext } from './operator.js';
import { materialize } from './scalar.js';
import type { Batch } from './vector.js';

/** A join's keys, for the scan of its stage to look up. */
export interface KeyFilter {
  readonly probeKeys: readonly Expr[];
  readonly build: BuildSide;
  readonly buildKeys: readonly Expr[];
}

/** A key lookup ready to run on the scan's batches: the rows whose keys the build side has. */
export interface KeyLookup {
  /** Indexes (in the scan schema) of the columns the keys read. */
  readonly columns: readonly number[];
  /** The rows of `b` (its columns at `columns` filled) that can match; null when all can. */
  select(b: Batch): Int32Array | null;
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
  const read = ctx.readBuildSide;
  if (!read) return [];
  const names = new Set(schema.map((f) => f.name));
  const out: KeyLookup[] = [];
  for (const f of filters) {
    const refs = f.probeKeys.flatMap((k) => [...referencedColumns(k)]);
    if (!refs.every((c) => names.has(c))) continue;
    const built = sharedBuild(await read(f.build), f.build.schema, f.buildKeys, ctx.udfs);
    const keys = f.probeKeys.map((k) => compileExpr(byName(k), schema, ctx.udfs));
    out.push({
      columns: [...new Set(refs)].map((c) => resolveColumn(schema, c).index),
      select(b) {
        const n = b.length;
        const kept = built.index.has(
          keys.map((k) => materialize(k(b), n)),
          n,
        );
        return kept.length === n ? null : kept;
      },
    });
  }
  return out;
}
