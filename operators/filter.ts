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
import { selectInto } from './kernels.js';
import type { Operator, OperatorContext } from './operator.js';
import type { Batch, Vec } from './vector.js';
import { isScalar } from './scalar.js';
import { gatherAll, gatherColumn, selectRows, takeBatch } from './vector.js';

/** A compiled conjunction: the selection of rows where every conjunct holds (null = all rows). */
export type Conjunction = (b: Batch) => Int32Array | null;

export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

/**
 * With `reuse`, the selection returned is written into buffers the conjunction keeps: valid only
 * until its next call (HashAggregate's fused filter reads it within the batch; a full-length
 * selection per batch was Q1's largest allocation after the scan's columns, ~21 MB a run).
 */
export function compileConjunction(
  preds: readonly Expr[],
  schema: Schema,
  udfs?: UdfTable,
  reuse = false,
): Conjunction {
  const parts = preds.flatMap(conjuncts).map((e) => ({
    evaluate: compileExpr(e, schema, udfs) as Evaluator,
    columns: [...referencedColumns(e)].map((c) => resolveColumn(schema, c).index),
  }));
  // With `reuse`, two buffers: the rows still selected live in one, the next conjunct's rows go
  // to the other (composed there in place), which then holds the selection.
  const bufs = [new Int32Array(0), new Int32Array(0)];
  return (b) => {
    let sel: Int32Array | null = null;
    let cur = 0;
    for (const p of parts) {
      // Rows still selected, with just this conjunct's columns gathered.
      let view = b;
      if (sel) {
        // Only this conjunct's columns (gathered once, from their source if b is deferred).
        const cols = new Array<Vec>(b.columns.length);
        for (const i of p.columns) cols[i] = gatherColumn(b, i, sel);
        view = { schema: b.schema, columns: cols, length: sel.length };
      }
      const n = view.length;
      const pred = p.evaluate(view);
      if (isScalar(pred)) {
        if (pred.value === 1) continue;
        return new Int32Array(0);
      }
      let into: Int32Array;
      if (reuse) {
        cur = 1 - cur;
        if (bufs[cur]!.length < n) bufs[cur] = new Int32Array(Math.max(n, 2 * bufs[cur]!.length));
        into = bufs[cur]!;
      } else into = new Int32Array(n);
      const k = selectInto(pred as Extract<Vec, { type: 'bool' }>, n, into);
      if (k === n) {
        if (reuse) cur = 1 - cur; // the buffer was not taken
        continue;
      }
      if (sel) for (let j = 0; j < k; j++) into[j] = sel[into[j]!]!;
      sel = into.subarray(0, k);
      if (k === 0) break;
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
