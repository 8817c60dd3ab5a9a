/**
 * Expand: each input batch once per projection (Spark's Expand, which plans grouping sets: one
 * copy of every row per set, its rolled-up keys NULL and its grouping id a constant).
 */
import type { Expr } from '../planner/expr.js';
import type { Schema } from '../planner/types.js';
import { compileExpr } from './eval.js';
import type { Operator, OperatorContext } from './operator.js';
import { materialize } from './scalar.js';
import type { Batch } from './vector.js';

export class ExpandOperator implements Operator {
  readonly name = 'Expand';
  private readonly evals;
  constructor(
    readonly projections: readonly (readonly Expr[])[],
    inputSchema: Schema,
    readonly schema: Schema,
    ctx: OperatorContext,
  ) {
    this.evals = projections.map((exprs) => exprs.map((e) => compileExpr(e, inputSchema, ctx.udfs)));
  }
  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    for await (const b of input) {
      if (!b.length) continue;
      for (const evals of this.evals)
        yield { schema: this.schema, length: b.length, columns: evals.map((ev) => materialize(ev(b), b.length)) };
    }
  }
}
