/**
 * The aggregates SQL names as plain functions (node-sql-parser parses only COUNT/SUM/AVG/MIN/MAX
 * as aggregates): statistics, sketches, first/last, collections and registered UDAFs, with
 * Spark's argument forms — `percentile_approx(x, 0.5[, accuracy])`,
 * `percentile_approx(x, array(0.25, 0.75))`, `approx_count_distinct(x[, rsd])`,
 * `first(x[, ignoreNulls])`. Constant arguments must be literals. (OVER on these names is not
 * parsed by the SQL parser; use the DSL's `.over(…)`.)
 */
import { PlanError } from '../../planner/errors.js';
import type { Column } from '../api/column.js';
import * as F from '../api/aggregates.js';
import { Column as ColumnClass } from '../api/column.js';
import { agg } from '../../planner/expr.js';
import { registeredFunctions } from '../runtime/userFunctions.js';
import { type Ast, at, positionOf } from './parse.js';

type Convert = (a: Ast) => Column;

const bad = (name: string, node: Ast, msg: string) =>
  new PlanError('SQL_BAD_CALL', `SQL: ${name}() ${msg}${at(positionOf(node))}`, { function: name });

/** A constant number argument. */
function constNumber(name: string, a: Ast, node: Ast, what: string): number {
  const v = Number(a?.value);
  if (a?.type !== 'number' || !Number.isFinite(v)) throw bad(name, node, `takes a constant ${what}`);
  return v;
}

/** A constant array of numbers: array(…) or ARRAY[…]. */
function constNumbers(name: string, a: Ast, node: Ast): number[] | null {
  const items: Ast[] | undefined =
    a?.type === 'function' && String(a.name?.name?.[0]?.value ?? '').toLowerCase() === 'array'
      ? (a.args?.value ?? [])
      : a?.expr_list?.value;
  return items ? items.map((x) => constNumber(name, x, node, 'percentage')) : null;
}

const one = (f: (c: Column) => Column) => (name: string, args: Ast[], node: Ast, col: Convert) => {
  if (args.length !== 1) throw bad(name, node, `takes 1 argument, got ${args.length}`);
  return f(col(args[0]));
};
const two = (f: (x: Column, y: Column) => Column) => (name: string, args: Ast[], node: Ast, col: Convert) => {
  if (args.length !== 2) throw bad(name, node, `takes 2 arguments, got ${args.length}`);
  return f(col(args[0]), col(args[1]));
};
const pick =
  (f: (c: Column, ignoreNulls?: boolean) => Column) => (name: string, args: Ast[], node: Ast, col: Convert) => {
    if (args.length < 1 || args.length > 2) throw bad(name, node, `takes 1 or 2 arguments, got ${args.length}`);
    const ig = args[1];
    if (ig && ig.type !== 'bool') throw bad(name, node, 'takes a constant TRUE or FALSE as its ignoreNulls');
    return f(col(args[0]), ig ? Boolean(ig.value) : false);
  };

type SqlAggregate = (name: string, args: Ast[], node: Ast, col: Convert) => Column;

const SQL_AGGREGATES: Readonly<Record<string, SqlAggregate>> = {
  stddev: one(F.stddev),
  std: one(F.stddev),
  stddev_samp: one(F.stddev_samp),
  stddev_pop: one(F.stddev_pop),
  variance: one(F.variance),
  var_samp: one(F.var_samp),
  var_pop: one(F.var_pop),
  corr: two(F.corr),
  covar_samp: two(F.covar_samp),
  covar_pop: two(F.covar_pop),
  median: one(F.median),
  collect_list: one(F.collect_list),
  array_agg: one(F.collect_list),
  collect_set: one(F.collect_set),
  first: pick(F.first),
  first_value: pick(F.first),
  last: pick(F.last),
  last_value: pick(F.last),
  any_value: pick(F.any_value),
  approx_count_distinct: (name, args, node, col) => {
    if (args.length < 1 || args.length > 2) throw bad(name, node, `takes 1 or 2 arguments, got ${args.length}`);
    return F.approx_count_distinct(col(args[0]), args[1] ? constNumber(name, args[1], node, 'rsd') : undefined);
  },
  percentile_approx: (name, args, node, col) => {
    if (args.length < 2 || args.length > 3) throw bad(name, node, `takes 2 or 3 arguments, got ${args.length}`);
    const ps = constNumbers(name, args[1], node) ?? constNumber(name, args[1], node, 'percentage');
    const accuracy = args[2] ? constNumber(name, args[2], node, 'accuracy') : undefined;
    return F.percentile_approx(col(args[0]), ps, accuracy);
  },
};
const ALIASES: Readonly<Record<string, string>> = { approx_percentile: 'percentile_approx' };

/**
 * The aggregate a SQL function call names (built-in or a registered UDAF), or null when the name
 * is not an aggregate. `col` converts an argument (aggregates are not allowed inside).
 */
export function sqlAggregate(name: string, args: Ast[], node: Ast, col: Convert): Column | null {
  const key = ALIASES[name] ?? name;
  const f = SQL_AGGREGATES[key];
  if (f) return f(key, args, node, col);
  const r = registeredFunctions().get(name);
  if (r?.kind !== 'udaf') return null;
  if (!args.length) throw bad(name, node, 'takes at least one column argument');
  const [first, ...more] = args.map((a) => col(a).expr);
  return new ColumnClass(agg('udaf', first!, more, { udaf: name, returns: r.returns }));
}

/** Whether a SQL function name is an aggregate (for telling grouped queries apart). */
export const isSqlAggregateName = (name: string): boolean =>
  Object.hasOwn(SQL_AGGREGATES, ALIASES[name] ?? name) || registeredFunctions().get(name)?.kind === 'udaf';
