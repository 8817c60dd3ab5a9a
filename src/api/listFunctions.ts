/**
 * Functions over list columns (`list<T>`: collect_list / collect_set results, Parquet LIST
 * columns of primitives), as in `org.apache.spark.sql.functions`.
 */
import * as E from '../../planner/expr.js';
import { Column, type ColumnLike, toExpr } from './column.js';

const expr = (v: string | Column) => (typeof v === 'string' ? E.col(v) : v.expr);

/** The number of elements; -1 for a NULL list (Spark's default). @example size(collect_list('x')) */
export const size = (list: string | Column) => new Column(E.call('size', [expr(list)]));

/**
 * Whether the list holds the value (NULL for a NULL list or value, or when not found and the list
 * holds a NULL). A string value is a literal here, as in Spark. @example array_contains('tags', 'red')
 */
export const array_contains = (list: string | Column, value: ColumnLike) =>
  new Column(E.call('array_contains', [expr(list), toExpr(value)]));
