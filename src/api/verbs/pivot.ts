/**
 * Pivot: groupBy(...).pivot(column, values?).agg(...), as Spark's. One aggregate with conditional
 * aggregation per pivot value: each aggregate function reads its argument only on the rows whose
 * pivot column equals the value (NULL matches NULL); a group without the value gets NULL, counts
 * included (Spark's PivotFirst); constant arguments stay constants. Aggregates that would see the
 * other values' rows as NULLs (first / last / any_value keeping nulls, UDAFs) go through Spark's
 * two phases instead: per (group, value), then each value's row. Without values, a job of its own
 * finds the distinct values first, sorted, refusing more than Spark's 10,000.
 */
import type * as arrow from 'apache-arrow';
import * as E from '../../../planner/expr.js';
import { PlanError } from '../../../planner/errors.js';
import type { PlanNode } from '../../../planner/plan.js';
import { aggregate, distinct, limit, project, sort } from '../../../planner/plan.js';
import { isDecimal } from '../../../planner/types.js';
import type { DataType } from '../../../planner/types.js';
import { type Column, literal } from '../column.js';
import { toJSONRows } from '../jsonRows.js';
import { exprOf } from './columns.js';

/** Aggregates whose value over no rows is not NULL. */
const COUNTS: ReadonlySet<string> = new Set(['count', 'count_distinct', 'approx_count_distinct']);

const countsRows = (e: E.Expr): boolean => {
  let found = false;
  E.walkExpr(e, (x) => {
    if (x.kind === 'agg' && COUNTS.has(x.fn)) found = true;
  });
  return found;
};

/** Spark's spark.sql.pivotMaxValues default. */
export const PIVOT_MAX_VALUES = 10_000;

/** A value a pivot column may be given: a literal of the column's type, or null. */
export type PivotValue = string | number | bigint | boolean | Date | null;

/** One pivot output group: the rows whose pivot column equals `expr` (null: is NULL), named `name`. */
export interface PivotSlot {
  readonly name: string;
  readonly expr: E.Expr | null;
}

export interface PivotSpec {
  readonly column: E.Expr;
  readonly slots: readonly PivotSlot[];
}

/** A pivot over values the user gave, named as Spark names them (`String(value)`, `null`). */
export function givenPivot(column: string | Column, values: readonly PivotValue[]): PivotSpec {
  if (!Array.isArray(values))
    throw new PlanError('BAD_ARGUMENT', `pivot() values must be an array of literals, got ${typeof values}`);
  if (values.length > PIVOT_MAX_VALUES) throw tooMany(E.exprName(exprOf(column)));
  const slots = values.map((v) => ({
    name: v === null ? 'null' : v instanceof Date ? v.toISOString() : String(v),
    expr: v === null ? null : literal(v),
  }));
  return { column: exprOf(column), slots };
}

/** The job that finds a pivot column's distinct values: sorted (NULL first), one past the limit. */
export function pivotValuesPlan(input: PlanNode, column: string | Column): PlanNode {
  const c = exprOf(column);
  const values = distinct(project(input, [E.alias(c, 'pivot')]));
  return limit(sort(values, [{ expr: E.col('pivot'), desc: false, nullsFirst: true }]), PIVOT_MAX_VALUES + 1);
}

/** The distinct values found by `pivotValuesPlan`, as literals of the column's type. */
export function foundPivot(column: string | Column, table: arrow.Table, type: DataType): PivotSpec {
  const name = E.exprName(exprOf(column));
  if (table.numRows > PIVOT_MAX_VALUES) throw tooMany(name);
  const slots = toJSONRows(table, { int64: 'string' }).map(({ pivot: v }) => {
    if (v === null || v === undefined) return { name: 'null', expr: null };
    return {
      name: type === 'float64' && Number.isInteger(v) ? `${v}.0` : String(v),
      expr: valueLiteral(v, type, name),
    };
  });
  return { column: exprOf(column), slots };
}

function valueLiteral(v: unknown, type: DataType, column: string): E.Expr {
  if (type === 'bool' || type === 'int32' || type === 'float64' || type === 'string' || type === 'date')
    return E.lit(v as string | number | boolean, type);
  if (type === 'int64') return E.lit(String(v), 'int64');
  if (isDecimal(type)) return E.cast(E.lit(String(v), 'string'), type);
  throw new PlanError(
    'PIVOT_TYPE',
    `pivot column '${column}' is ${type}: finding its values supports bool, int32, int64, float64, decimal, string and date columns; pass the values to pivot(column, values)`,
    { column, type },
  );
}

const tooMany = (column: string) =>
  new PlanError(
    'PIVOT_TOO_MANY_VALUES',
    `the pivot column '${column}' has more than ${PIVOT_MAX_VALUES} distinct values, which could indicate an error; pass the values you want to pivot(column, values)`,
    { column, limit: PIVOT_MAX_VALUES },
  );

/**
 * One aggregate: the keys, then per pivot value each item with its aggregate functions reading only
 * that value's rows. One item: columns named by value; several: `value_item`.
 * @example pivotAgg(plan, ['year'], givenPivot('course', ['dotNET', 'Java']), [sum('earnings')])
 */
export function pivotAgg(
  input: PlanNode,
  keys: readonly (string | Column)[],
  pivot: PivotSpec,
  items: readonly Column[],
): PlanNode {
  for (const it of items)
    if (!E.containsAgg(it.expr))
      throw new PlanError(
        'PIVOT_NOT_AGGREGATE',
        `pivot aggregates must be aggregate functions, got ${E.exprToString(it.expr)}`,
        { expression: E.exprToString(it.expr) },
      );
  const name = (slot: PivotSlot, it: Column) =>
    items.length === 1 ? slot.name : `${slot.name}_${E.exprName(it.expr)}`;
  if (items.some((it) => readsOtherRows(it.expr))) return twoPhase(input, keys, pivot, items, name);
  const aggs = pivot.slots.flatMap((slot) => {
    const when = slot.expr === null ? E.isNull(pivot.column) : E.binary('=', pivot.column, slot.expr);
    // Column arguments read only the value's rows; constant ones (and literal options:
    // percentages, rsd, ignoreNulls) stay as they are.
    const only = (x: E.Expr) => E.caseWhen([{ when, then: x }], null);
    return items.map((it) => {
      const e = E.transformExpr(it.expr, (x) =>
        x.kind === 'agg'
          ? E.agg(
              x.fn,
              only(x.arg ?? E.lit(1)),
              (x.more ?? []).map((m) => (m.kind === 'lit' ? m : only(m))),
              x.options,
            )
          : x,
      );
      // As Spark's pivot (first per value of a per-(group, value) aggregate): a group without the
      // value gets NULL, also from counts, whose conditional form would give 0.
      const present = E.binary('>', E.agg('count', only(E.lit(1))), E.lit(0));
      const out = countsRows(it.expr) ? E.caseWhen([{ when: present, then: e }], null) : e;
      return E.alias(out, name(slot, it));
    });
  });
  return aggregate(input, keys.map(exprOf), aggs);
}

/**
 * Aggregates that would see the other values' rows as NULLs if their arguments were made
 * conditional: first / last / any_value that keep nulls, and UDAFs (their update sees every row).
 */
const readsOtherRows = (e: E.Expr): boolean => {
  let found = false;
  E.walkExpr(e, (x) => {
    if (x.kind === 'agg' && (x.fn === 'udaf' || (FIRSTS.has(x.fn) && !x.options?.ignoreNulls))) found = true;
  });
  return found;
};
const FIRSTS: ReadonlySet<string> = new Set(['first', 'last', 'any_value']);

const PIVOT_COLUMN = '__pivot_value';

/**
 * Spark's two phases (PivotFirst): each item aggregated per (group, pivot value), then per group
 * each value's result (the one row of that value, NULL when the group has none).
 */
function twoPhase(
  input: PlanNode,
  keys: readonly (string | Column)[],
  pivot: PivotSpec,
  items: readonly Column[],
  name: (slot: PivotSlot, it: Column) => string,
): PlanNode {
  const keyExprs = keys.map(exprOf);
  const item = (j: number) => `__pivot_item${j}`;
  const perValue = aggregate(
    input,
    [...keyExprs, E.alias(pivot.column, PIVOT_COLUMN)],
    items.map((it, j) => E.alias(it.expr, item(j))),
  );
  const value = E.col(PIVOT_COLUMN);
  const aggs = pivot.slots.flatMap((slot) => {
    const when = slot.expr === null ? E.isNull(value) : E.binary('=', value, slot.expr);
    return items.map((it, j) =>
      E.alias(
        E.agg('first', E.caseWhen([{ when, then: E.col(item(j)) }], null), [], { ignoreNulls: true }),
        name(slot, it),
      ),
    );
  });
  return aggregate(
    perValue,
    keyExprs.map((k) => E.col(E.exprName(k))),
    aggs,
  );
}
