/**
 * HashJoin: builds a hash table over the build side's keys (typed-array open addressing, rows
 * chained per key in CSR form), then streams the probe side through it. Null keys never match.
 * Types (from the probe side's view): inner, left, full, left_semi, left_anti; with no keys it
 * is a nested-loop (cross) join. A residual condition is applied to candidate pairs.
 */
import type { Expr } from '../planner/expr.js';
import type { BuildSide } from '../planner/stages.js';
import type { DataType, Schema } from '../planner/types.js';
import { compileExpr, type Evaluator } from './eval.js';
import { GroupTable } from './hash.js';
import { selectionOf } from './kernels.js';
import type { Operator, OperatorContext } from './operator.js';
import { materialize } from './scalar.js';
import type { Batch, Vec } from './vector.js';
import { concatBatches, emptyBatch, isValid, takeOrNull } from './vector.js';

type JoinType = 'inner' | 'left' | 'full' | 'left_semi' | 'left_anti';

interface BuiltTable {
  readonly batch: Batch;
  readonly table: GroupTable;
  /** rows of group g are rows[start[g] .. start[g+1]) */
  readonly start: Int32Array;
  readonly rows: Int32Array;
}

function anyNull(cols: readonly Vec[], i: number): boolean {
  for (const c of cols) if (!isValid(c.validity, i)) return true;
  return false;
}

function buildTable(batch: Batch, keys: readonly Evaluator[]): BuiltTable {
  const n = batch.length;
  const cols = keys.map((k) => materialize(k(batch), n));
  const table = new GroupTable(cols.map((c) => c.type));
  const ids = table.groupIds(cols, n);
  for (let i = 0; i < n; i++) if (anyNull(cols, i)) ids[i] = -1;
  const start = new Int32Array(table.size + 1);
  for (let i = 0; i < n; i++) if (ids[i]! >= 0) start[ids[i]! + 1]!++;
  for (let g = 0; g < table.size; g++) start[g + 1]! += start[g]!;
  const fill = start.slice(0, table.size);
  const rows = new Int32Array(start[table.size]!);
  for (let i = 0; i < n; i++) if (ids[i]! >= 0) rows[fill[ids[i]!]!++] = i;
  return { batch, table, start, rows };
}

const builtCache = new WeakMap<readonly Batch[], Map<string, BuiltTable>>();

export class HashJoinOperator implements Operator {
  readonly name = 'HashJoin';
  private readonly probeKeys: Evaluator[];
  private readonly buildKeys: Evaluator[];
  private readonly residual: Evaluator | null;
  private readonly buildWidth: number;

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
  ) {
    this.probeKeys = probeKeys.map((k) => compileExpr(k, probeSchema, ctx.udfs));
    this.buildKeys = buildKeys.map((k) => compileExpr(k, build.schema, ctx.udfs));
    this.residual = residual ? compileExpr(residual, [...probeSchema, ...build.schema], ctx.udfs) : null;
    this.buildWidth = build.schema.length;
    this.keysText = JSON.stringify(buildKeys);
  }
  private readonly keysText: string;

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
        head.push(r.value);
        rows += r.value.length;
      }
      if (done && rows < buildRows) {
        yield* this.buildOnProbeSide(head, parts);
        return;
      }
      input = (async function* () {
        yield* head;
        for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
      })();
    }
    // A broadcast side is the same batches for every task of an executor: build its (read-only)
    // hash table once and share it.
    let byKeys = builtCache.get(parts);
    if (!byKeys) {
      byKeys = new Map();
      builtCache.set(parts, byKeys);
    }
    let built = byKeys.get(this.keysText);
    if (!built) {
      built = buildTable(
        parts.length ? concatBatches(this.build.schema, parts) : emptyBatch(this.build.schema),
        this.buildKeys,
      );
      byKeys.set(this.keysText, built);
    }
    const matchedBuild = this.type === 'full' ? new Uint8Array(built.batch.length) : null;
    for await (const probe of input) {
      const out = this.probe(probe, built, matchedBuild);
      if (out && out.length > 0) yield out;
    }
    if (matchedBuild) {
      // Full outer: build rows no probe row matched, with nulls on the probe side.
      const rest: number[] = [];
      for (let i = 0; i < matchedBuild.length; i++) if (!matchedBuild[i]) rest.push(i);
      if (rest.length) {
        const bsel = Int32Array.from(rest);
        const psel = new Int32Array(rest.length).fill(-1);
        const probeCols = this.probeSchema.map((f) => emptyVecLike(f.type));
        yield this.assemble(probeCols, psel, built.batch.columns, bsel);
      }
    }
  }

  /** Inner join with the roles swapped: hash the (smaller) probe rows, stream the build side. */
  private *buildOnProbeSide(probeBatches: Batch[], buildBatches: readonly Batch[]): Iterable<Batch> {
    if (!probeBatches.length) return;
    const small = buildTable(concatBatches(this.probeSchema, probeBatches), this.probeKeys);
    for (const b of buildBatches) {
      const n = b.length;
      const cols = this.buildKeys.map((k) => materialize(k(b), n));
      const groups = small.table.lookup(cols, n);
      let count = 0;
      for (let i = 0; i < n; i++)
        if (groups[i]! >= 0 && !anyNull(cols, i)) count += small.start[groups[i]! + 1]! - small.start[groups[i]!]!;
      let psel = new Int32Array(count);
      let bsel = new Int32Array(count);
      let k = 0;
      for (let i = 0; i < n; i++) {
        const g = groups[i]!;
        if (g < 0 || anyNull(cols, i)) continue;
        for (let j = small.start[g]!; j < small.start[g + 1]!; j++) {
          psel[k] = small.rows[j]!;
          bsel[k++] = i;
        }
      }
      if (this.residual && count > 0) {
        const keep = selectionOf(this.residual(this.assemble(small.batch.columns, psel, b.columns, bsel, true)), count);
        if (keep) {
          psel = keep.map((x) => psel[x]!);
          bsel = keep.map((x) => bsel[x]!);
        }
      }
      if (psel.length) yield this.assemble(small.batch.columns, psel, b.columns, bsel);
    }
  }

  private probe(probe: Batch, built: BuiltTable, matchedBuild: Uint8Array | null): Batch | null {
    const n = probe.length;
    const cols = this.probeKeys.map((k) => materialize(k(probe), n));
    const groups = built.table.lookup(cols, n);
    if (cols.length) for (let i = 0; i < n; i++) if (groups[i]! >= 0 && anyNull(cols, i)) groups[i] = -1;
    // Candidate pairs.
    let count = 0;
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      if (g >= 0) count += built.start[g + 1]! - built.start[g]!;
    }
    let psel = new Int32Array(count);
    let bsel = new Int32Array(count);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      if (g < 0) continue;
      for (let j = built.start[g]!; j < built.start[g + 1]!; j++) {
        psel[k] = i;
        bsel[k++] = built.rows[j]!;
      }
    }
    if (this.residual && count > 0) {
      const pairs = this.assemble(probe.columns, psel, built.batch.columns, bsel, true);
      const keep = selectionOf(this.residual(pairs), pairs.length);
      if (keep) {
        psel = keep.map((x) => psel[x]!);
        bsel = keep.map((x) => bsel[x]!);
      }
    }
    if (matchedBuild) for (let x = 0; x < bsel.length; x++) matchedBuild[bsel[x]!] = 1;
    switch (this.type) {
      case 'inner':
        return psel.length ? this.assemble(probe.columns, psel, built.batch.columns, bsel) : null;
      case 'left_semi':
      case 'left_anti': {
        const hit = new Uint8Array(n);
        for (let x = 0; x < psel.length; x++) hit[psel[x]!] = 1;
        const want = this.type === 'left_semi' ? 1 : 0;
        const rows: number[] = [];
        for (let i = 0; i < n; i++) if (hit[i] === want) rows.push(i);
        const sel = Int32Array.from(rows);
        return { schema: this.schema, length: sel.length, columns: probe.columns.map((c) => takeOrNull(c, sel)) };
      }
      case 'left':
      case 'full': {
        const hit = new Uint8Array(n);
        for (let x = 0; x < psel.length; x++) hit[psel[x]!] = 1;
        let misses = 0;
        for (let i = 0; i < n; i++) if (!hit[i]) misses++;
        if (misses === 0) return this.assemble(probe.columns, psel, built.batch.columns, bsel);
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
        return this.assemble(probe.columns, p2, built.batch.columns, b2);
      }
    }
  }

  private assemble(
    probeCols: readonly Vec[],
    psel: Int32Array,
    buildCols: readonly Vec[],
    bsel: Int32Array,
    forResidual = false,
  ): Batch {
    const probe = probeCols.map((c) => takeOrNull(c, psel));
    const build = buildCols.slice(0, this.buildWidth).map((c) => takeOrNull(c, bsel));
    if (forResidual)
      return {
        schema: [...this.probeSchema, ...this.build.schema],
        length: psel.length,
        columns: [...probe, ...build],
      };
    return {
      schema: this.schema,
      length: psel.length,
      columns: this.buildFirst ? [...build, ...probe] : [...probe, ...build],
    };
  }
}

function emptyVecLike(type: DataType): Vec {
  return emptyBatch([{ name: 'x', type, nullable: true }]).columns[0]!;
}
