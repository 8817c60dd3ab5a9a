/**
 * HashAggregate in three modes: partial (raw rows → accumulator states), final (states →
 * values) and single (raw rows → values). Groups are found with the typed-array GroupTable.
 * A partial aggregate whose table passes a bound flushes its states and starts again
 * (operators/partialFlush.ts).
 */
import type { Expr } from '../planner/expr.js';
import { stateFields } from '../planner/aggstate.js';
import { resolveColumn } from '../planner/columns.js';
import type { AggCall } from '../planner/stages.js';
import type { Schema } from '../planner/types.js';
import { isDecimal } from '../planner/types.js';
import { type Accumulator, accumulatorsOf } from './accumulators.js';
import { EXACT_CHUNK, ExactArgs } from './accumulators/exactArgs.js';
import { compileExpr, type Evaluator } from './eval.js';
import { GroupTable } from './hash.js';
import { compileConjunction, type Conjunction } from './filter.js';
import type { Operator, OperatorContext } from './operator.js';
import { PartialFlush } from './partialFlush.js';
import { RADIX_COMPACT, RADIX_TABLE_ROWS, RadixPartitions, radixGroups } from './radixPartitions.js';
import { releaseColumns } from './ownedColumns.js';
import { materialize } from './scalar.js';
import type { Batch, Vec } from './vector.js';
import { takeBatch } from './vector.js';

/** Calls whose accumulators copy what they read (numbers; min and max strings as JS strings): none keeps a batch's vector. */
const COPYING: ReadonlySet<string> = new Set(['count', 'sum', 'avg', 'min', 'max']);

export class HashAggregateOperator implements Operator {
  readonly name = 'HashAggregate';
  private readonly keyEvals: Evaluator[];
  private readonly argEvals: (Evaluator | null)[];
  /** Each call's further argument evaluators (corr's second, a UDAF's others). */
  private readonly moreEvals: Evaluator[][];
  private readonly udafs: OperatorContext['udafs'];
  /** For final mode: the column index of each call's first state column. */
  private readonly stateAt: number[] = [];
  /** The scan's filters, when they were fused into this aggregate. */
  private readonly filter: Conjunction | null;
  /** Decimal sums' arithmetic arguments, computed into reused buffers (partial and single modes). */
  private readonly exact: ExactArgs | null;
  /**
   * A final aggregate whose input rows are its keys then its calls' states, so that its own groups'
   * states can join them: it may radix-partition a large input (operators/radixPartitions.ts).
   */
  private readonly radixable: boolean;
  /**
   * Whether each input batch's columns are handed back once folded in (operators/ownedColumns.ts):
   * the aggregate reads its stage's scan directly (`ownInput`) and keeps nothing of a batch — its
   * group keys are copied into the table and these calls' states are numbers (strings as JS strings).
   */
  private readonly releasesInput: boolean;

  constructor(
    readonly mode: 'partial' | 'final' | 'single',
    readonly keys: readonly Expr[],
    readonly aggs: readonly AggCall[],
    readonly inputSchema: Schema,
    readonly schema: Schema,
    ctx: OperatorContext,
    filter?: readonly Expr[],
    /** The input is the stage's source, which nothing else reads (operators/pipeline.ts). */
    ownInput = false,
  ) {
    this.keyEvals = keys.map((k) => compileExpr(k, inputSchema, ctx.udfs));
    this.argEvals = mode === 'final' ? [] : aggs.map((a) => (a.arg ? compileExpr(a.arg, inputSchema, ctx.udfs) : null));
    this.moreEvals =
      mode === 'final' ? [] : aggs.map((a) => (a.more ?? []).map((m) => compileExpr(m, inputSchema, ctx.udfs)));
    // The decimal sum and avg read their input at once, so theirs may live in reused buffers.
    const reads = aggs.map((a) => (a.fn === 'sum' || a.fn === 'avg') && isDecimal(a.outType) && !a.more?.length);
    this.exact =
      mode === 'final'
        ? null
        : new ExactArgs(
            aggs.map((a) => a.arg),
            reads,
            inputSchema,
            ctx.udfs,
          );
    this.udafs = ctx.udafs;
    // Its selection is read within the batch only (consume): written into reused buffers.
    this.filter = filter?.length ? compileConjunction(filter, inputSchema, ctx.udfs, true) : null;
    if (mode === 'final') {
      let at = keys.length;
      for (const a of aggs) {
        this.stateAt.push(at);
        at += stateFields(a).length;
      }
    }
    this.releasesInput = ownInput && mode !== 'final' && aggs.every((a) => COPYING.has(a.fn) && !a.more?.length);
    this.radixable =
      mode === 'final' &&
      keys.length > 0 &&
      inputSchema.length === this.stateAt.reduce((n, _, i) => n + stateFields(aggs[i]!).length, keys.length) &&
      keys.every((k, i) => k.kind === 'col' && resolveColumn(inputSchema, k.name, k.index).index === i);
  }

  private newTable(): GroupTable {
    return new GroupTable(this.keys.map((_, i) => this.schema[i]!.type));
  }

  private newAccumulators(): Accumulator[] {
    return accumulatorsOf(this.aggs, (a) => ({
      moreTypes: a.moreTypes ?? [],
      options: a.options ?? {},
      ...(this.udafs ? { udafs: this.udafs } : {}),
    }));
  }

  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const table = this.newTable();
    let accs = this.newAccumulators();
    const flush = this.mode === 'partial' ? new PartialFlush() : null;
    /** Set once a final aggregate's table passed the radix bound: rows go to partitions from then on. */
    let radix: RadixPartitions | null = null;
    const bound = this.radixable ? radixGroups() : Infinity;
    /** Rows the partitions may hold before they are compacted (they grow with the groups found). */
    let compactAt = RADIX_COMPACT * bound;
    let ids: Int32Array = new Int32Array(0);
    for await (const batch of input) {
      if (radix) {
        radix.add(batch, this.keyColumnsOf(batch));
        if (radix.held > compactAt) {
          // Rows repeating keys pile up: each partition's rows become its groups' states.
          radix = this.compact(radix, table);
          compactAt = Math.max(compactAt, RADIX_COMPACT * radix.held);
        }
        continue;
      }
      ids = this.consume(table, accs, batch, ids);
      if (this.releasesInput) releaseColumns(batch.columns);
      if (flush?.due(table.size)) {
        const out = this.result(table, accs);
        flush.flushed(out.columns.slice(0, this.keys.length), out.length);
        yield out;
        table.clear();
        accs = this.newAccumulators();
      } else if (table.size > bound && table.hashedNumberKeys) {
        // The table outgrew the cache: its groups' states go to the partitions as the first rows.
        // Only tables of one hashed number key: keys in a direct array (order keys of a narrow
        // range arriving in order) are found without hashing, the array walked in order; several
        // keys or strings cost more to copy into partitions than their smaller tables save.
        // (Measured: Q18's final aggregate at SF10 vs SF1; two int32 keys, 940 K groups.)
        radix = new RadixPartitions(this.inputSchema);
        const states = this.states(table, accs);
        radix.add(states, states.columns.slice(0, this.keys.length));
        table.clear();
        accs = this.newAccumulators();
      }
    }
    if (radix) {
      // Each partition aggregated on its own; small ones share a table (fewer, larger output batches).
      for (let p = 0; p < radix.count; p++) {
        const rows = radix.rows[p]!;
        if (rows === 0) continue;
        if (table.size > 0 && table.size + rows > Math.min(RADIX_TABLE_ROWS, bound)) {
          yield this.result(table, accs);
          table.clear();
          accs = this.newAccumulators();
        }
        ids = this.consume(table, accs, radix.take(p)!, ids);
      }
    }
    // A global aggregate over no rows still yields one row (count 0, sum null), except in
    // partial mode where an empty state is simply absent.
    if (table.size === 0 && this.keys.length === 0 && this.mode !== 'partial') table.size = 1;
    const out = table.size === 0 ? null : this.result(table, accs);
    table.release();
    if (out) yield out;
  }

  /** The key columns of an input batch. */
  private keyColumnsOf(b: Batch): Vec[] {
    return this.keyEvals.map((k) => materialize(k(b), b.length));
  }

  /** Folds one input batch into the table's groups; returns the group-id buffer (grown when needed). */
  private consume(table: GroupTable, accs: readonly Accumulator[], batch: Batch, buffer: Int32Array): Int32Array {
    let ids = buffer;
    let b = batch;
    let sel = this.filter ? this.filter(b) : null;
    if (sel && sel.length === 0) return ids;
    if (sel && sel.length * 2 < b.length) {
      // A selective filter: gathering the few surviving rows is cheaper than computing on all.
      b = takeBatch(b, sel);
      sel = null;
    }
    const n = b.length;
    if (ids.length < n) ids = new Int32Array(n);
    const keyCols = this.keyColumnsOf(b);
    // With a selection, only the selected rows' keys enter the table; the others go to a scratch
    // group just past the real ones, which every accumulator forgets after this batch.
    const groups = table.groupIds(keyCols, n, ids, sel);
    const scratch = sel ? table.size : -1;
    if (sel) unselectedTo(groups, n, scratch);
    /** Group ids of this batch are below `size`. */
    const size = sel ? scratch + 1 : table.size;
    // Decimal sums' arithmetic arguments proven exact: computed and summed chunk by chunk below.
    const chunked = this.exact?.prepare(b, n) ?? [];
    accs.forEach((acc, i) => {
      if (acc.twin || chunked.includes(i)) return;
      if (this.mode === 'final') {
        const at = this.stateAt[i]!;
        const width = stateFields(this.aggs[i]!).length;
        acc.merge(groups, size, b.columns.slice(at, at + width), n);
      } else {
        const ev = this.argEvals[i];
        const more = this.moreEvals[i]!.map((m) => materialize(m(b), n));
        acc.update(groups, size, ev ? materialize(ev(b), n) : null, n, more);
      }
    });
    for (let from = 0; chunked.length && from < n; from += EXACT_CHUNK) {
      const to = Math.min(n, from + EXACT_CHUNK);
      this.exact!.chunk(from, to);
      const chunkGroups = groups.subarray(from, to);
      for (const i of chunked) accs[i]!.update(chunkGroups, size, this.exact!.value(i), to - from);
    }
    if (scratch >= 0) for (const acc of accs) acc.reset(scratch);
    return ids;
  }

  /** Partitions holding each partition's groups once (as states) instead of their rows; `table` is left empty. */
  private compact(radix: RadixPartitions, table: GroupTable): RadixPartitions {
    const next = new RadixPartitions(this.inputSchema);
    let ids: Int32Array = new Int32Array(0);
    for (let p = 0; p < radix.count; p++) {
      const rows = radix.take(p);
      if (!rows) continue;
      table.clear();
      const accs = this.newAccumulators();
      ids = this.consume(table, accs, rows, ids);
      const states = this.states(table, accs);
      next.add(states, states.columns.slice(0, this.keys.length));
    }
    table.clear();
    return next;
  }

  /** A final aggregate's groups as rows of its input (keys, then each call's state); the accumulators are released. */
  private states(table: GroupTable, accs: readonly Accumulator[]): Batch {
    const g = table.size;
    const cols: Vec[] = [...table.keyColumns()];
    for (const acc of accs) cols.push(...acc.state(g));
    for (const acc of accs) acc.release?.();
    return { schema: this.inputSchema, columns: cols, length: g };
  }

  /** The groups' keys and states (partial) or values, as one batch; the accumulators are released. */
  private result(table: GroupTable, accs: readonly Accumulator[]): Batch {
    const g = table.size;
    const cols: Vec[] = [...table.keyColumns()];
    for (const acc of accs) {
      if (this.mode === 'partial') cols.push(...acc.state(g));
      else cols.push(acc.evaluate(g));
    }
    // Every result is a copy: the states' arrays go to the next aggregate, the table's too once released.
    for (const acc of accs) acc.release?.();
    return { schema: this.schema, columns: cols, length: g };
  }
}

/**
 * Rows outside the selection (id -1) go to the scratch group. Its own function: as a loop inside
 * `consume` it made V8 compile `consume` on stack (OSR) before the code after the loop had ever
 * run, and that cached code deoptimized on every later batch (Q1: ~25 deopts a run).
 */
function unselectedTo(groups: Int32Array, n: number, scratch: number): void {
  for (let i = 0; i < n; i++) if (groups[i]! < 0) groups[i] = scratch;
}
