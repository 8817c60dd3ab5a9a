/**
 * Filter: evaluates a predicate per batch and keeps the rows where it is true (a selection
 * vector; null counts as false).
 */
import { exprToString, type Expr } from '../planner/expr.js';
import type { Schema } from '../planner/types.js';
import { compileExpr } from './eval.js';
import { selectionOf } from './kernels.js';
import type { Operator, OperatorContext } from './operator.js';
import type { Batch } from './vector.js';
import { takeBatch } from './vector.js';

/** Apply a compiled predicate to one batch. */
export function filterBatch(b: Batch, pred: (b: Batch) => ReturnType<ReturnType<typeof compileExpr>>): Batch {
  const sel = selectionOf(pred(b), b.length);
  return sel === null ? b : takeBatch(b, sel);
}

export class FilterOperator implements Operator {
  readonly name = 'Filter';
  private readonly pred;
  constructor(
    readonly predicate: Expr,
    readonly schema: Schema,
    ctx: OperatorContext,
  ) {
    this.pred = compileExpr(predicate, schema, ctx.udfs);
  }
  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    for await (const b of input) {
      const out = filterBatch(b, this.pred);
      if (out.length > 0) yield out;
    }
  }
  display(): string {
    return `Filter: predicate=${exprToString(this.predicate)}`;
  }
}
