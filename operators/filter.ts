/**
 * Filter: evaluates a predicate per batch and keeps the rows where it is true (a selection
 * vector; null counts as false). A conjunction is evaluated one conjunct at a time, each only
 * on the rows still selected and gathering only the columns it reads; the whole batch is
 * gathered once, at the end.
 */
import { resolveColumn } from '../planner/columns.js';
import { referencedColumns, type Expr } from '../planner/expr.js';
import type { Schema } from '../planner/types.js';
import { compileExpr, type Evaluator, type UdfTable } from './eval.js';
import { selectionOf } from './kernels.js';
import type { Operator, OperatorContext } from './operator.js';
import type { Batch, Vec } from './vector.js';
import { gatherAll, gatherColumn, selectRows, takeBatch } from './vector.js';

/** A compiled conjunction: the selection of rows where every conjunct holds (null = all rows). */
export type Conjunction = (b: Batch) => Int32Array | null;

export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

export function compileConjunction(preds: readonly Expr[], schema: Schema, udfs?: UdfTable): Conjunction {
  const parts = preds.flatMap(conjuncts).map((e) => ({
    evaluate: compileExpr(e, schema, udfs) as Evaluator,
    columns: [...referencedColumns(e)].map((c) => resolveColumn(schema, c).index),
  }));
  return (b) => {
    let sel: Int32Array | null = null;
    for (const p of parts) {
      // Rows still selected, with just this conjunct's columns gathered.
      let view = b;
      if (sel) {
        // Only this conjunct's columns (gathered once, from their source if b is deferred).
        const cols = new Array<Vec>(b.columns.length);
        for (const i of p.columns) cols[i] = gatherColumn(b, i, sel);
        view = { schema: b.schema, columns: cols, length: sel.length };
      }
      const s = selectionOf(p.evaluate(view), view.length);
      if (s === null) continue;
      if (sel) {
        const composed = new Int32Array(s.length);
        for (let k = 0; k < s.length; k++) composed[k] = sel[s[k]!]!;
        sel = composed;
      } else sel = s;
      if (sel.length === 0) break;
    }
    return sel;
  };
}

/** Keep the rows where a compiled conjunction holds. */
export function filterBatch(b: Batch, conj: Conjunction): Batch {
  const sel = conj(b);
  return sel === null ? b : takeBatch(b, sel);
}

export class FilterOperator implements Operator {
  readonly name = 'Filter';
  private readonly conj: Conjunction;
  constructor(
    readonly predicate: Expr,
    readonly schema: Schema,
    ctx: OperatorContext,
    /** Whether kept rows may stay deferred (the next operator streams: operators/pipeline.ts). */
    private readonly lazyOutput = false,
  ) {
    this.conj = compileConjunction([predicate], schema, ctx.udfs);
  }
  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    for await (const b of input) {
      const sel = this.conj(b);
      if (sel !== null && sel.length === 0) continue;
      if (this.lazyOutput) yield sel === null ? b : selectRows(b, sel);
      else yield sel === null ? gatherAll(b) : takeBatch(b, sel);
    }
  }
}
