/**
 * Project: evaluates a list of expressions per batch into the output columns.
 */
import type { Expr } from '../planner/expr.js';
import type { Schema } from '../planner/types.js';
import { compileExpr } from './eval.js';
import type { Operator, OperatorContext } from './operator.js';
import { materialize } from './scalar.js';
import type { Batch } from './vector.js';

export class ProjectOperator implements Operator {
  readonly name = 'Project';
  private readonly evals;
  constructor(
    readonly exprs: readonly Expr[],
    inputSchema: Schema,
    readonly schema: Schema,
    ctx: OperatorContext,
  ) {
    this.evals = exprs.map((e) => compileExpr(e, inputSchema, ctx.udfs));
  }
  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    for await (const b of input) {
      yield { schema: this.schema, length: b.length, columns: this.evals.map((ev) => materialize(ev(b), b.length)) };
    }
  }
}
