/**
 * HashAggregate in three modes: partial (raw rows → accumulator states), final (states →
 * values) and single (raw rows → values). Groups are found with the typed-array GroupTable.
 * A partial aggregate whose table passes a bound flushes its states and starts again
 * (operators/partialFlush.ts).
 */
import type { Expr } from '../planner/expr.js';
import { stateFields } from '../planner/aggstate.js';
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
import { materialize } from './scalar.js';
import type { Batch, Vec } from './vector.js';
import { takeBatch } from './vector.js';

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

  constructor(
    readonly mode: 'partial' | 'final' | 'single',
    readonly keys: readonly Expr[],
    readonly aggs: readonly AggCall[],
    readonly inputSchema: Schema,
    readonly schema: Schema,
    ctx: OperatorContext,
    filter?: readonly Expr[],
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
    this.filter = filter?.length ? compileConjunction(filter, inputSchema, ctx.udfs) : null;
    if (mode === 'final') {
      let at = keys.length;
      for (const a of aggs) {
        this.stateAt.push(at);
        at += stateFields(a).length;
      }
    }
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
    let ids = new Int32Array(0);
    for await (const batch of input) {
      let b = batch;
      let sel = this.filter ? this.filter(b) : null;
      if (sel && sel.length === 0) continue;
      if (sel && sel.length * 2 < b.length) {
        // A selective filter: gathering the few surviving rows is cheaper than computing on all.
        b = takeBatch(b, sel);
        sel = null;
      }
      const n = b.length;
      if (ids.length < n) ids = new Int32Array(n);
      const keyCols = this.keyEvals.map((k) => materialize(k(b), n));
      // With a selection, only the selected rows' keys enter the table; the others go to a scratch
      // group just past the real ones, which every accumulator forgets after this batch.
      const groups = table.groupIds(keyCols, n, ids, sel);
      const scratch = sel ? table.size : -1;
      if (sel) for (let i = 0; i < n; i++) if (groups[i]! < 0) groups[i] = scratch;
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
      if (flush?.due(table.size)) {
        const out = this.result(table, accs);
        flush.flushed(out.columns.slice(0, this.keys.length), out.length);
        yield out;
        table.clear();
        accs = this.newAccumulators();
      }
    }
    // A global aggregate over no rows still yields one row (count 0, sum null), except in
    // partial mode where an empty state is simply absent.
    if (table.size === 0 && this.keys.length === 0 && this.mode !== 'partial') table.size = 1;
    const out = table.size === 0 ? null : this.result(table, accs);
    table.release();
    if (out) yield out;
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
