/**
 * MapRows: registered user code over rows or batches. `map` turns each row (a plain object)
 * into one row, `flatMap` into any number; both are built back into columns of the declared
 * schema. `batches` hands whole Arrow record batches to the function (the fast path).
 */
import * as arrow from 'apache-arrow';
import { ExecutionError } from '../planner/errors.js';
import type { Schema } from '../planner/types.js';
import { batchesFromArrow, batchesToArrow } from './arrow.js';
import type { Operator, OperatorContext } from './operator.js';
import type { Batch } from './vector.js';
import { batchRows, vecFromValues } from './vector.js';

export type RowFn = (row: Record<string, unknown>) => Record<string, unknown> | readonly Record<string, unknown>[];
export type BatchFn = (batch: arrow.RecordBatch) => arrow.RecordBatch | arrow.Table;

function rowsToBatch(schema: Schema, rows: readonly Record<string, unknown>[], fn: string): Batch {
  for (const r of rows.slice(0, 1)) {
    const missing = schema.filter((f) => !(f.name in r)).map((f) => f.name);
    if (missing.length)
      throw new ExecutionError(
        'USER_FUNCTION_OUTPUT',
        `function '${fn}' returned a row without ${missing.join(', ')} (declared schema: ${schema.map((f) => f.name).join(', ')})`,
        { function: fn },
      );
  }
  const columns = schema.map((f) =>
    vecFromValues(
      f.type,
      rows.map((r) => {
        const v = r[f.name];
        return f.type === 'date' && typeof v === 'string'
          ? Math.round(Date.parse(v) / 86_400_000)
          : v instanceof Date
            ? Math.round(v.getTime() / 86_400_000)
            : v;
      }),
    ),
  );
  return { schema, columns, length: rows.length };
}

export class MapRowsOperator implements Operator {
  readonly name = 'MapRows';
  constructor(
    readonly fnName: string,
    readonly mode: 'map' | 'flatMap' | 'batches',
    readonly inputSchema: Schema,
    readonly schema: Schema,
    private readonly ctx: OperatorContext,
  ) {}

  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const f = this.ctx.functions?.get(this.fnName);
    if (!f || (this.mode === 'batches' ? f.kind !== 'batches' : f.kind !== this.mode)) {
      throw new ExecutionError(
        'FUNCTION_NOT_IN_BUNDLE',
        `${this.mode} function '${this.fnName}' is not registered in this job's bundle`,
        { function: this.fnName },
      );
    }
    for await (const b of input) {
      const out = this.mode === 'batches' ? this.applyBatch(f.fn as BatchFn, b) : this.applyRows(f.fn as RowFn, b);
      if (out.length > 0) yield out;
    }
  }

  private applyRows(fn: RowFn, b: Batch): Batch {
    const out: Record<string, unknown>[] = [];
    for (const row of batchRows(b)) {
      const r = fn(row);
      if (this.mode === 'flatMap') {
        if (!Array.isArray(r))
          throw new ExecutionError(
            'USER_FUNCTION_OUTPUT',
            `flatMap function '${this.fnName}' must return an array of rows`,
            { function: this.fnName },
          );
        out.push(...r);
      } else out.push(r as Record<string, unknown>);
    }
    return rowsToBatch(this.schema, out, this.fnName);
  }

  private applyBatch(fn: BatchFn, b: Batch): Batch {
    const table = batchesToArrow(this.inputSchema, [b]);
    const result = fn(table.batches[0] ?? new arrow.RecordBatch(table.schema));
    const t = result instanceof arrow.Table ? result : new arrow.Table([result]);
    const batches = batchesFromArrow(t, this.schema);
    return batches.length === 1
      ? batches[0]!
      : { schema: this.schema, length: 0, columns: this.schema.map((f) => vecFromValues(f.type, [])) };
  }
}
