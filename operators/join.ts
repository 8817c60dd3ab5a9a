/**
 * HashJoin: indexes the build side's keys (operators/joinIndex.ts), then streams the probe side
 * through the index. Null keys never match.
 * Types (from the probe side's view): inner, left, full, left_semi, left_anti; with no keys it
 * is a nested-loop (cross) join. A residual condition is applied to candidate pairs.
 */
import type { Expr } from '../planner/expr.js';
import type { BuildSide } from '../planner/stages.js';
import type { Schema } from '../planner/types.js';
import { compileExpr, type Evaluator, type UdfTable } from './eval.js';
import { BuildRows } from './buildRows.js';
import { joinIndex, type JoinIndex } from './joinIndex.js';
import { selectionOf } from './kernels.js';
import type { Operator, OperatorContext } from './operator.js';
import { releaseColumns } from './ownedColumns.js';
import type { FilteredBuildSide, KeyFilter } from './runtimeFilter.js';
import { materialize } from './scalar.js';
import type { Batch } from './vector.js';
import { deferredBatch, emptyBatch, gatherAll, pendingRows, selectRows, takeBatch } from './vector.js';

type JoinType = 'inner' | 'left' | 'full' | 'left_semi' | 'left_anti';

export interface BuiltTable {
  /** The build rows, in the batches read (a column concatenated only when read whole). */
  readonly rows: BuildRows;
  readonly index: JoinIndex;
}

function buildTable(parts: readonly Batch[], schema: Schema, keys: readonly Evaluator[]): BuiltTable {
  const rows = new BuildRows(schema, parts);
  const n = rows.length;
  return {
    rows,
    index: joinIndex(
      keys.map((k) => materialize(k(rows.batch), n)),
      n,
    ),
  };
}

const builtCache = new WeakMap<readonly Batch[], Map<string, BuiltTable>>();

/** What a build side's filters are, for the cache of its indexes. */
const filtersText = (filters: readonly KeyFilter[]): string =>
  JSON.stringify(
    filters.map((f) => [
      f.probeKeys,
      f.buildKeys,
      f.build.kind,
      f.build.stage,
      filtersText((f.build as FilteredBuildSide).filters ?? []),
    ]),
  );

/**
 * The index of a build side read whole (the same batches for every task of an executor), built
 * once per key list and shared: by the joins on it and by the scans that look their keys up in
 * it first (rule runtime_filter, operators/runtimeFilter.ts). Read-only once built. With
 * `filters` (runtimeFilter.ts withBuildFilters), only the rows whose filter keys each filter's
 * index has (`narrowing`, in order) are indexed.
 */
export function sharedBuild(
  parts: readonly Batch[],
  schema: Schema,
  keys: readonly Expr[],
  udfs?: UdfTable,
  filters: readonly KeyFilter[] = [],
  narrowing: readonly BuiltTable[] = [],
): BuiltTable {
  let byKeys = builtCache.get(parts);
  if (!byKeys) {
    byKeys = new Map();
    builtCache.set(parts, byKeys);
  }
  const text = filters.length ? `${JSON.stringify(keys)}|${filtersText(filters)}` : JSON.stringify(keys);
  let built = byKeys.get(text);
  if (!built) {
    const rows = filters.length ? narrowed(parts, schema, filters, narrowing, udfs) : parts;
    built = buildTable(
      rows,
      schema,
      keys.map((k) => compileExpr(k, schema, udfs)),
    );
    byKeys.set(text, built);
  }
  return built;
}

/** The rows of `parts` whose keys of every filter its index (`narrowing`) has. */
function narrowed(
  parts: readonly Batch[],
  schema: Schema,
  filters: readonly KeyFilter[],
  narrowing: readonly BuiltTable[],
  udfs?: UdfTable,
): Batch[] {
  const out: Batch[] = [];
  const keys = filters.map((f) => f.probeKeys.map((k) => compileExpr(k, schema, udfs)));
  for (let b of parts) {
    for (let f = 0; f < filters.length && b.length; f++) {
      const n = b.length;
      const kept = narrowing[f]!.index.has(
        keys[f]!.map((k) => materialize(k(b), n)),
        n,
      );
      if (kept.length < n) b = takeBatch(b, kept);
    }
    if (b.length) out.push(b);
  }
  return out;
}

/** The shared index of a build side read whole, with its filters' indexes built (or reused) first. */
export async function sharedBuildOf(side: BuildSide, keys: readonly Expr[], ctx: OperatorContext): Promise<BuiltTable> {
  if (!ctx.readBuildSide) throw new Error('a shared build side needs a build-side reader in its context');
  const parts = await ctx.readBuildSide(side);
  const filters = (side as FilteredBuildSide).filters ?? [];
  const narrowing: BuiltTable[] = [];
  for (const f of filters) narrowing.push(await sharedBuildOf(f.build, f.buildKeys, ctx));
  return sharedBuild(parts, side.schema, keys, ctx.udfs, filters, narrowing);
}

/**
 * `head`, then the rest of `it`. A module-level generator, not a closure per join: a closure's
 * generators have a map of their own, and code optimized for one task's map is thrown away when
 * that task's closure dies (task.ts scanParts).
 */
async function* prepend(head: readonly Batch[], it: AsyncIterator<Batch>): AsyncIterable<Batch> {
  yield* head;
  for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
}

export class HashJoinOperator implements Operator {
  readonly name = 'HashJoin';
  private readonly probeKeys: Evaluator[];
  private readonly buildKeys: Evaluator[];
  private readonly residual: Evaluator | null;

  constructor(
    readonly type: JoinType,
    probeKeys: readonly Expr[],
    buildKeys: readonly Expr[],
    residual: Expr | null,
    readonly build: BuildSide,
    readonly probeSchema: Schema,
    readonly schema: Schema,
    private readonly ctx: OperatorContext,
    /** Output build columns before probe columns. */
    private readonly buildFirst = false,
    /** Whether output batches may stay deferred (the next operator streams: operators/pipeline.ts). */
    private readonly lazyOutput = false,
    /**
     * Whether each probe batch's columns are handed back once its output is consumed
     * (operators/ownedColumns.ts): only projections precede the join in its stage, so nothing but
     * it reads the source's batch (or its columns, passed on by reference). Its output never hands a
     * probe array on: every output column is
     * gathered (copied) from the probe's, at once or, deferred, when a later operator reads it
     * before asking for the next batch (streaming operators keep no batch; others get gathered
     * ones: operators/pipeline.ts).
     */
    private readonly releasesProbe = false,
  ) {
    this.probeKeys = probeKeys.map((k) => compileExpr(k, probeSchema, ctx.udfs));
    this.buildKeys = buildKeys.map((k) => compileExpr(k, build.schema, ctx.udfs));
    this.residual = residual ? compileExpr(residual, [...probeSchema, ...build.schema], ctx.udfs) : null;
    this.buildKeyExprs = buildKeys;
  }
  private readonly buildKeyExprs: readonly Expr[];

  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    if (!this.ctx.readBuildSide) throw new Error('HashJoin needs a build-side reader in its context');
    const parts = await this.ctx.readBuildSide(this.build);
    if (this.type === 'inner' && this.build.kind === 'partitioned') {
      // Both sides of a shuffled inner join are this task's partitions: build the hash table
      // on whichever turns out smaller (read the probe side only up to the build side's size).
      const buildRows = parts.reduce((a, b) => a + b.length, 0);
      const it = input[Symbol.asyncIterator]();
      const head: Batch[] = [];
      let rows = 0;
      let done = false;
      while (rows <= buildRows) {
        const r = await it.next();
        if (r.done) {
          done = true;
          break;
        }
        head.push(gatherAll(r.value)); // held: no deferred batch keeps its sources alive
        rows += r.value.length;
      }
      if (done && rows < buildRows) {
        yield* this.buildOnProbeSide(head, parts);
        return;
      }
      input = prepend(head, it);
    }
    // A broadcast side is the same batches for every task of an executor: its (read-only) index
    // is built once and shared. A partitioned side is this task's own: its index is released
    // once probed.
    const own = this.build.kind === 'partitioned';
    const built = own
      ? buildTable(parts, this.build.schema, this.buildKeys)
      : await sharedBuildOf(this.build, this.buildKeyExprs, this.ctx);
    const matchedBuild = this.type === 'full' ? new Uint8Array(built.rows.length) : null;
    try {
      for await (const probe of input) {
        const out = this.probe(probe, built, matchedBuild);
        if (out && out.length > 0) yield out;
        // Resumed: the consumer asked for the next batch, done with this one's (deferred) rows.
        if (this.releasesProbe) releaseColumns(probe.columns);
      }
    } finally {
      if (own) built.index.release();
    }
    if (matchedBuild) {
      // Full outer: build rows no probe row matched, with nulls on the probe side.
      const rest: number[] = [];
      for (let i = 0; i < matchedBuild.length; i++) if (!matchedBuild[i]) rest.push(i);
      if (rest.length) {
        const bsel = Int32Array.from(rest);
        const psel = new Int32Array(rest.length).fill(-1);
        yield this.assemble(emptyBatch(this.probeSchema), psel, built.rows, bsel);
      }
    }
  }

  /** Inner join with the roles swapped: hash the (smaller) probe rows, stream the build side. */
  private *buildOnProbeSide(probeBatches: Batch[], buildBatches: readonly Batch[]): Iterable<Batch> {
    if (!probeBatches.length) return;
    const small = buildTable(probeBatches, this.probeSchema, this.probeKeys);
    try {
      yield* this.probeSwapped(small, buildBatches);
    } finally {
      small.index.release();
    }
  }

  private *probeSwapped(small: BuiltTable, buildBatches: readonly Batch[]): Iterable<Batch> {
    const probe = small.rows.batch;
    for (const b of buildBatches) {
      const n = b.length;
      const rows = new BuildRows(this.build.schema, [b]);
      const m = small.index.matches(
        this.buildKeys.map((k) => materialize(k(b), n)),
        n,
      );
      // Pairs found from the build side's rows: the small (probe) side's rows are m.bsel.
      let psel = m.bsel;
      let bsel = m.psel;
      const count = psel.length;
      if (this.residual && count > 0) {
        const keep = selectionOf(this.residual(this.assemble(probe, psel, rows, bsel, true)), count);
        if (keep) {
          psel = keep.map((x) => psel[x]!);
          bsel = keep.map((x) => bsel[x]!);
        }
      }
      if (psel.length) yield this.assemble(probe, psel, rows, bsel);
    }
  }

  private probe(probe: Batch, built: BuiltTable, matchedBuild: Uint8Array | null): Batch | null {
    const n = probe.length;
    // Without a residual, a semi or anti join asks only whether a probe row has a match.
    const firstOnly = !this.residual && (this.type === 'left_semi' || this.type === 'left_anti');
    const m = built.index.matches(
      this.probeKeys.map((k) => materialize(k(probe), n)),
      n,
      firstOnly,
    );
    let psel = m.psel;
    let bsel = m.bsel;
    const count = psel.length;
    if (this.residual && count > 0) {
      const pairs = this.assemble(probe, psel, built.rows, bsel, true);
      const keep = selectionOf(this.residual(pairs), pairs.length);
      if (keep) {
        psel = keep.map((x) => psel[x]!);
        bsel = keep.map((x) => bsel[x]!);
      }
    }
    if (matchedBuild) for (let x = 0; x < bsel.length; x++) matchedBuild[bsel[x]!] = 1;
    switch (this.type) {
      case 'inner':
        return psel.length ? this.assemble(probe, psel, built.rows, bsel) : null;
      case 'left_semi':
      case 'left_anti': {
        const hit = new Uint8Array(n);
        let hits = 0;
        for (let x = 0; x < psel.length; x++) {
          const p = psel[x]!;
          if (hit[p] === 0) {
            hit[p] = 1;
            hits++;
          }
        }
        const want = this.type === 'left_semi' ? 1 : 0;
        const sel = new Int32Array(want ? hits : n - hits);
        for (let i = 0, k = 0; i < n; i++) if (hit[i] === want) sel[k++] = i;
        return this.output(selectRows(probe, sel));
      }
      case 'left':
      case 'full': {
        const hit = new Uint8Array(n);
        for (let x = 0; x < psel.length; x++) hit[psel[x]!] = 1;
        let misses = 0;
        for (let i = 0; i < n; i++) if (!hit[i]) misses++;
        if (misses === 0) return this.assemble(probe, psel, built.rows, bsel);
        const p2 = new Int32Array(psel.length + misses);
        const b2 = new Int32Array(psel.length + misses);
        p2.set(psel);
        b2.set(bsel);
        let at = psel.length;
        for (let i = 0; i < n; i++)
          if (!hit[i]) {
            p2[at] = i;
            b2[at++] = -1;
          }
        return this.assemble(probe, p2, built.rows, b2);
      }
    }
  }

  /**
   * The joined rows: probe rows psel beside build rows bsel (-1: nulls), deferred (each column
   * gathered once, when read). For the residual, in the probe ++ build order it is compiled for.
   */
  private assemble(probe: Batch, psel: Int32Array, build: BuildRows, bsel: Int32Array, forResidual = false): Batch {
    const cache = new Map<Int32Array, Int32Array>();
    const p = probe.schema.map((_, i) => pendingRows(probe, i, psel, cache));
    const b = this.build.schema.map((_, i) => build.rows(i, bsel, cache));
    if (forResidual) return deferredBatch([...this.probeSchema, ...this.build.schema], psel.length, [...p, ...b]);
    return this.output(deferredBatch(this.schema, psel.length, this.buildFirst ? [...b, ...p] : [...p, ...b]));
  }

  /** An output batch: left deferred when the next operator reads only what it needs, else gathered. */
  private output(b: Batch): Batch {
    return this.lazyOutput ? b : gatherAll(b);
  }
}
