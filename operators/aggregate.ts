/**
 * HashAggregate in three modes: partial (raw rows → accumulator states), final (states →
 * values) and single (raw rows → values). Groups are found with the typed-array GroupTable.
 */
import { exprToString, type Expr } from '../planner/expr.js';
import { stateFields } from '../planner/aggstate.js';
import type { AggCall } from '../planner/stages.js';
import type { Schema } from '../planner/types.js';
import { makeAccumulator, noteGroups, type Accumulator } from './accumulators.js';
import { compileExpr, type Evaluator } from './eval.js';
import { GroupTable } from './hash.js';
import type { Operator, OperatorContext } from './operator.js';
import { materialize } from './scalar.js';
import type { Batch, Vec } from './vector.js';

export class HashAggregateOperator implements Operator {
  readonly name = 'HashAggregate';
  private readonly keyEvals: Evaluator[];
  private readonly argEvals: (Evaluator | null)[];
  /** For final mode: the column index of each call's first state column. */
  private readonly stateAt: number[] = [];

  constructor(
    readonly mode: 'partial' | 'final' | 'single',
    readonly keys: readonly Expr[],
    readonly aggs: readonly AggCall[],
    readonly inputSchema: Schema,
    readonly schema: Schema,
    ctx: OperatorContext,
  ) {
    this.keyEvals = keys.map((k) => compileExpr(k, inputSchema, ctx.udfs));
    this.argEvals = mode === 'final' ? [] : aggs.map((a) => (a.arg ? compileExpr(a.arg, inputSchema, ctx.udfs) : null));
    if (mode === 'final') {
      let at = keys.length;
      for (const a of aggs) {
        this.stateAt.push(at);
        at += stateFields(a).length;
      }
    }
  }

  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const table = new GroupTable(this.keys.map((_, i) => this.schema[i]!.type));
    const accs: Accumulator[] = this.aggs.map((a) => makeAccumulator(a.fn, a.argType, a.outType));
    let ids = new Int32Array(0);
    for await (const b of input) {
      const n = b.length;
      if (ids.length < n) ids = new Int32Array(n);
      const keyCols = this.keyEvals.map((k) => materialize(k(b), n));
      const groups = table.groupIds(keyCols, n, ids);
      noteGroups(groups, n, table.size - 1);
      accs.forEach((acc, i) => {
        if (this.mode === 'final') {
          const at = this.stateAt[i]!;
          const width = stateFields(this.aggs[i]!).length;
          acc.merge(groups, b.columns.slice(at, at + width), n);
        } else {
          const ev = this.argEvals[i];
          acc.update(groups, ev ? materialize(ev(b), n) : null, n);
        }
      });
    }
    // A global aggregate over no rows still yields one row (count 0, sum null), except in
    // partial mode where an empty state is simply absent.
    if (table.size === 0 && this.keys.length === 0 && this.mode !== 'partial') table.size = 1;
    const g = table.size;
    if (g === 0) return;
    const cols: Vec[] = [...table.keyColumns()];
    for (const acc of accs) {
      if (this.mode === 'partial') cols.push(...acc.state(g));
      else cols.push(acc.evaluate(g));
    }
    yield { schema: this.schema, columns: cols, length: g };
  }

  display(): string {
    const aggs = this.aggs.map((a) => `${a.fn}(${a.arg ? exprToString(a.arg) : '*'}) AS ${a.name}`);
    return `HashAggregate: mode=${this.mode} keys=[${this.keys.map(exprToString).join(', ')}] aggs=[${aggs.join(', ')}]`;
  }
}
