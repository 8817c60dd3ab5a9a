/**
 * SQL expressions (node-sql-parser AST) → Columns, through the Column API and the functions of
 * src/api/functions.ts: the same expression nodes the DSL builds. Column references, scalar
 * subqueries and aggregates are the caller's (a scope resolves names; the query translator
 * plans subqueries as joins).
 */
import { PlanError } from '../../planner/errors.js';
import * as E from '../../planner/expr.js';
import type { Column } from '../api/column.js';
import * as F from '../api/functions.js';
import { interval } from '../api/interval.js';
import {
  cume_dist,
  dense_rank,
  first_value,
  lag,
  last_value,
  lead,
  nth_value,
  ntile,
  percent_rank,
  rank,
  row_number,
  Window,
  type WindowSpec,
} from '../api/window.js';
import { isSqlAggregateName, sqlAggregate } from './aggregates.js';
import { type Ast, at, positionOf, unsupported } from './parse.js';

export interface ExprContext {
  /** A column reference: `table` is the qualifier or null. */
  column(table: string | null, name: string, node: Ast): Column;
  /** A scalar subquery used as a value; absent where subqueries are not allowed. */
  scalarSubquery?(sub: Ast, node: Ast): Column;
  /** Whether aggregates may appear here (select list, HAVING, ORDER BY of a grouped query). */
  readonly aggregates: boolean;
}

/** The identifier text of a column_ref's column (plain or quoted). */
export function columnName(node: Ast): string {
  const c = node.column;
  if (typeof c === 'string') return c;
  return String(c?.expr?.value ?? c?.value);
}

/** A parenthesized subquery node, or null. */
export function subqueryOf(node: Ast): Ast | null {
  if (node?.ast && node.ast.type === 'select') return node.ast;
  if (node?.type === 'expr_list' && node.value?.length === 1 && node.value[0]?.ast?.type === 'select')
    return node.value[0].ast;
  return null;
}

/** A function call's name, lower case (qualified names joined with dots). */
export const functionName = (node: Ast): string =>
  String(node.name?.name?.map((p: Ast) => p.value).join('.') ?? node.name).toLowerCase();

/**
 * A number literal, typed as Spark types it: integers int32 (int64, then decimal, past their
 * range), decimals exactly as decimal(p,s) from their digits (`0.0001` is decimal(4,4)),
 * exponent forms float64.
 */
function numberLiteral(v: number | string, node: Ast): Column {
  const text = String(v);
  if (/^-?\d+$/.test(text)) {
    const b = BigInt(text);
    if (b >= -(2n ** 31n) && b < 2n ** 31n) return F.lit(Number(b));
    if (BigInt.asIntN(64, b) === b) return F.lit(b);
  }
  const m = /^-?(\d*)(?:\.(\d*))?$/.exec(text);
  if (m) {
    const int = m[1]!.replace(/^0+/, '');
    const frac = m[2] ?? '';
    const scale = frac.length;
    const precision = Math.max(int.length + scale, scale, 1);
    if (precision > 38)
      throw new PlanError('SQL_BAD_LITERAL', `SQL: number '${text}' has more than 38 digits${at(positionOf(node))}`);
    return F.lit(text).cast(`decimal(${precision},${scale})` as never);
  }
  const x = Number(text);
  if (!Number.isFinite(x)) throw new PlanError('SQL_BAD_LITERAL', `SQL: bad number '${text}'${at(positionOf(node))}`);
  return F.lit(x);
}

const INTERVAL_UNITS: Readonly<
  Record<string, 'years' | 'months' | 'days' | 'weeks' | 'hours' | 'minutes' | 'seconds'>
> = {
  year: 'years',
  years: 'years',
  month: 'months',
  months: 'months',
  day: 'days',
  days: 'days',
  week: 'weeks',
  weeks: 'weeks',
  hour: 'hours',
  hours: 'hours',
  minute: 'minutes',
  minutes: 'minutes',
  second: 'seconds',
  seconds: 'seconds',
};

function intervalOf(node: Ast) {
  const unit = INTERVAL_UNITS[String(node.unit).toLowerCase()];
  const n = Number(node.expr?.value);
  if (!unit || !Number.isInteger(n)) throw unsupported(`INTERVAL '${node.expr?.value}' ${node.unit}`, node);
  return interval({ [unit]: n });
}

const CAST_TYPES: Readonly<Record<string, string>> = {
  int: 'int32',
  integer: 'int32',
  tinyint: 'int8',
  byte: 'int8',
  smallint: 'int16',
  short: 'int16',
  bigint: 'int64',
  long: 'int64',
  double: 'float64',
  'double precision': 'float64',
  float: 'float32',
  real: 'float32',
  varchar: 'string',
  text: 'string',
  char: 'string',
  string: 'string',
  date: 'date',
  boolean: 'bool',
  bool: 'bool',
  timestamp: 'timestamp',
};

function castOf(node: Ast, ctx: ExprContext): Column {
  const target = Array.isArray(node.target) ? node.target[0] : node.target;
  const name = String(target?.dataType ?? '').toLowerCase();
  const input = toColumn(node.expr, ctx);
  if (name === 'decimal' || name === 'numeric') {
    const p = Number(target.length ?? 38);
    const s = Number(target.scale ?? 0);
    return input.cast(`decimal(${p},${s})` as never);
  }
  const to = CAST_TYPES[name];
  if (!to) throw unsupported(`CAST to ${name || 'an unknown type'}`, node);
  return input.cast(to as never);
}

type Scalar = (args: Column[], node: Ast) => Column;
const arity =
  (n: number, f: (...a: Column[]) => Column): Scalar =>
  (args, node) => {
    if (args.length !== n)
      throw new PlanError(
        'SQL_BAD_CALL',
        `SQL: ${functionName(node)}() takes ${n} argument(s), got ${args.length}${at(positionOf(node))}`,
        { function: functionName(node) },
      );
    return f(...args);
  };

/** A function of `min`..`max` arguments (the rest take the DSL function's defaults). */
const arities =
  (min: number, max: number, f: (...a: Column[]) => Column): Scalar =>
  (args, node) => {
    if (args.length < min || args.length > max)
      throw new PlanError(
        'SQL_BAD_CALL',
        `SQL: ${functionName(node)}() takes ${min} to ${max} arguments, got ${args.length}${at(positionOf(node))}`,
        { function: functionName(node) },
      );
    return f(...args);
  };

/** Scalar functions by SQL name. */
const SCALARS: Readonly<Record<string, Scalar>> = {
  substring: (a, node) => {
    if (a.length !== 2 && a.length !== 3)
      throw new PlanError('SQL_BAD_CALL', `SQL: substring() takes 2 or 3 arguments${at(positionOf(node))}`);
    return a[0]!.substr(a[1]!, a[2] ?? F.lit(2 ** 31 - 1));
  },
  substr: (a, node) => SCALARS.substring!(a, node),
  size: arity(1, F.size),
  cardinality: arity(1, F.size),
  array_contains: arity(2, F.array_contains),
  upper: arity(1, F.upper),
  lower: arity(1, F.lower),
  trim: arity(1, F.trim),
  length: arity(1, F.length),
  char_length: arity(1, F.length),
  abs: arity(1, F.abs),
  year: arity(1, F.year),
  month: arity(1, F.month),
  day: arity(1, F.dayofmonth),
  round: (a, node) => {
    const scale = a[1]?.expr;
    if (a.length === 1) return F.round(a[0]!);
    if (a.length === 2 && scale?.kind === 'lit' && typeof scale.value === 'number') return F.round(a[0]!, scale.value);
    throw new PlanError('SQL_BAD_CALL', `SQL: round() takes a value and a constant scale${at(positionOf(node))}`);
  },
  regexp_extract: arities(2, 3, (s, p, i) => F.regexp_extract(s!, p!, i)),
  regexp_extract_all: arities(2, 3, (s, p, i) => F.regexp_extract_all(s!, p!, i)),
  regexp_replace: arities(3, 4, (s, p, r, i) => F.regexp_replace(s!, p!, r!, i)),
  split: arities(2, 3, (s, p, n) => F.split(s!, p!, n)),
  rlike: arity(2, F.rlike),
  regexp_like: arity(2, F.rlike),
  regexp: arity(2, F.rlike),
  replace: arities(2, 3, (s, a, b) => F.replace(s!, a!, b)),
  lpad: arities(2, 3, (s, n, p) => F.lpad(s!, n!, p)),
  rpad: arities(2, 3, (s, n, p) => F.rpad(s!, n!, p)),
  instr: arity(2, F.instr),
  locate: arities(2, 3, (a, s, p) => F.locate(a!, s!, p)),
  initcap: arity(1, F.initcap),
  translate: arity(3, F.translate),
  coalesce: (a) => F.coalesce(...a),
  concat: (a) => F.concat(...a),
  greatest: (a) => F.greatest(...a),
  least: (a) => F.least(...a),
  grouping: arity(1, F.grouping),
  grouping_id: (a) => F.grouping_id(...a),
};

const AGGREGATES: Readonly<Record<string, (c: Column) => Column>> = {
  sum: F.sum,
  avg: F.avg,
  mean: F.avg,
  min: F.min,
  max: F.max,
  count: F.count,
};

/** The window of an OVER clause (PARTITION BY, ORDER BY; frames are not translated). */
function windowOf(over: Ast, ctx: ExprContext): WindowSpec {
  const spec = over?.as_window_specification?.window_specification;
  if (!spec) throw unsupported('a named window (OVER w)', over);
  if (spec.window_frame_clause) throw unsupported('a window frame clause (ROWS / RANGE BETWEEN) in SQL', over);
  const plain: ExprContext = { ...ctx, aggregates: false, scalarSubquery: undefined };
  let w = Window.partitionBy(...(spec.partitionby ?? []).map((p: Ast) => toColumn(p.expr ?? p, plain)));
  const order = (spec.orderby ?? []).map((o: Ast) => {
    const c = toColumn(o.expr, plain);
    const desc = String(o.type ?? 'ASC').toUpperCase() === 'DESC';
    const nulls = String(o.nulls ?? '').toUpperCase();
    if (nulls.includes('FIRST')) return desc ? c.descNullsFirst() : c.ascNullsFirst();
    if (nulls.includes('LAST')) return desc ? c.descNullsLast() : c.ascNullsLast();
    return desc ? c.desc() : c.asc();
  });
  if (order.length) w = w.orderBy(...order);
  return w;
}

const constantInt = (node: Ast, what: string): number => {
  const v = Number(node?.value);
  if (node?.type !== 'number' || !Number.isInteger(v)) throw unsupported(`a non-constant ${what}`, node);
  return v;
};

const RANKING = { row_number, rank, dense_rank, percent_rank, cume_dist } as const;

/** Ranking and offset window functions by SQL name. */
function windowFunctionOf(node: Ast, ctx: ExprContext): Column {
  const name = String(node.name).toLowerCase();
  const args: Ast[] = node.args?.value ?? [];
  const plain: ExprContext = { ...ctx, aggregates: false };
  const arg = (i: number) => toColumn(args[i], plain);
  let f: Column;
  switch (name) {
    case 'row_number':
    case 'rank':
    case 'dense_rank':
    case 'percent_rank':
    case 'cume_dist':
      f = RANKING[name]();
      break;
    case 'ntile':
      f = ntile(constantInt(args[0], 'NTILE bucket count'));
      break;
    case 'lag':
    case 'lead': {
      const offset = args[1] ? constantInt(args[1], `${name.toUpperCase()} offset`) : 1;
      f = (name === 'lag' ? lag : lead)(arg(0), offset, args[2] ? arg(2) : null);
      break;
    }
    case 'first_value':
    case 'last_value':
      f = (name === 'first_value' ? first_value : last_value)(arg(0));
      break;
    case 'nth_value':
      f = nth_value(arg(0), constantInt(args[1], 'NTH_VALUE position'));
      break;
    default:
      throw unsupported(`window function ${name}()`, node);
  }
  if (!node.over) throw unsupported(`${name}() without OVER`, node);
  return f.over(windowOf(node.over, ctx));
}

function aggregateOf(node: Ast, ctx: ExprContext): Column {
  const name = String(node.name).toLowerCase();
  if (node.over)
    return aggregateOf({ ...node, over: null }, { ...ctx, aggregates: true }).over(windowOf(node.over, ctx));
  if (!ctx.aggregates)
    throw unsupported(`aggregate ${name.toUpperCase()}() here (only in SELECT, HAVING, ORDER BY)`, node);
  const arg = node.args?.expr;
  const distinct = String(node.args?.distinct ?? '').toUpperCase() === 'DISTINCT';
  const inner: ExprContext = { ...ctx, aggregates: false };
  if (name === 'count' && arg?.type === 'star') {
    if (distinct) throw unsupported('COUNT(DISTINCT *)', node);
    return F.count();
  }
  const fn = AGGREGATES[name];
  if (!fn) throw unsupported(`aggregate ${name.toUpperCase()}()`, node);
  const c = toColumn(arg, inner);
  if (distinct) {
    if (name !== 'count') throw unsupported(`${name.toUpperCase()}(DISTINCT …)`, node);
    return F.countDistinct(c);
  }
  return fn(c);
}

function caseOf(node: Ast, ctx: ExprContext): Column {
  const subject = node.expr ? toColumn(node.expr, ctx) : null;
  let builder: F.CaseBuilder | null = null;
  let otherwise: Column | null = null;
  for (const arm of node.args ?? []) {
    if (arm.type === 'else') {
      otherwise = toColumn(arm.result, ctx);
      continue;
    }
    const cond = subject ? subject.equalTo(toColumn(arm.cond, ctx)) : toColumn(arm.cond, ctx);
    const value = toColumn(arm.result, ctx);
    builder = builder ? builder.when(cond, value) : F.when(cond, value);
  }
  if (!builder) throw unsupported('CASE without WHEN', node);
  return otherwise ? builder.otherwise(otherwise) : builder;
}

function binaryOf(node: Ast, ctx: ExprContext): Column {
  const op = String(node.operator).toUpperCase();
  const left = () => toColumn(node.left, ctx);
  switch (op) {
    case 'AND':
      return left().and(toColumn(node.right, ctx));
    case 'OR':
      return left().or(toColumn(node.right, ctx));
    case 'BETWEEN':
    case 'NOT BETWEEN': {
      const [lo, hi] = node.right.value;
      const c = left().between(toColumn(lo, ctx), toColumn(hi, ctx));
      return op === 'BETWEEN' ? c : c.not();
    }
    case 'IN':
    case 'NOT IN': {
      if (subqueryOf(node.right))
        throw unsupported(`${op} (subquery) inside an expression`, node, 'use it as a WHERE conjunct');
      const c = left().isin(...node.right.value.map((v: Ast) => toColumn(v, ctx)));
      return op === 'IN' ? c : c.not();
    }
    case 'LIKE':
    case 'NOT LIKE': {
      if (node.right?.type !== 'single_quote_string' && node.right?.type !== 'string')
        throw unsupported(`${op} with a non-constant pattern`, node);
      const c = left().like(String(node.right.value));
      return op === 'LIKE' ? c : c.not();
    }
    case 'IS':
    case 'IS NOT': {
      if (node.right?.type !== 'null') throw unsupported(`${op} ${node.right?.type}`, node);
      return op === 'IS' ? left().isNull() : left().isNotNull();
    }
    case '+':
    case '-': {
      if (node.right?.type === 'interval') {
        const i = intervalOf(node.right);
        return op === '+' ? left().plus(i) : left().minus(i);
      }
      const r = toColumn(node.right, ctx);
      return op === '+' ? left().plus(r) : left().minus(r);
    }
    case '*':
      return left().multiply(toColumn(node.right, ctx));
    case '/':
      return left().divide(toColumn(node.right, ctx));
    case '%':
      return left().mod(toColumn(node.right, ctx));
    case '=':
      return left().equalTo(toColumn(node.right, ctx));
    case '<>':
    case '!=':
      return left().notEqual(toColumn(node.right, ctx));
    case '<':
      return left().lt(toColumn(node.right, ctx));
    case '<=':
      return left().leq(toColumn(node.right, ctx));
    case '>':
      return left().gt(toColumn(node.right, ctx));
    case '>=':
      return left().geq(toColumn(node.right, ctx));
    case '||':
      return F.concat(left(), toColumn(node.right, ctx));
    case '~':
      return left().rlike(toColumn(node.right, ctx));
    case '!~':
      return left().rlike(toColumn(node.right, ctx)).not();
    default:
      throw unsupported(`operator ${op}`, node);
  }
}

/** Translate one SQL expression. */
export function toColumn(node: Ast, ctx: ExprContext): Column {
  if (node === null || node === undefined) throw unsupported('an empty expression');
  const sub = subqueryOf(node);
  if (sub) {
    if (!ctx.scalarSubquery) throw unsupported('a subquery here', node);
    return ctx.scalarSubquery(sub, node);
  }
  switch (node.type) {
    case 'column_ref':
      if (node.column === '*' || node.column?.expr?.value === '*') throw unsupported('* inside an expression', node);
      return ctx.column(node.table ?? null, columnName(node), node);
    case 'number':
    case 'bigint':
      return numberLiteral(node.value, node);
    case 'single_quote_string':
    case 'string':
    case 'double_quote_string':
      return F.lit(String(node.value));
    case 'bool':
    case 'boolean':
      return F.lit(Boolean(node.value));
    case 'null':
      return F.lit(null);
    case 'date':
      return F.date(String(node.value));
    case 'timestamp':
      return F.lit(String(node.value)).cast('timestamp');
    case 'binary_expr':
      return binaryOf(node, ctx);
    case 'unary_expr': {
      const op = String(node.operator).toUpperCase();
      if (op === 'NOT') return toColumn(node.expr, ctx).not();
      if (op === '-') return toColumn(node.expr, ctx).negate();
      if (op === '+') return toColumn(node.expr, ctx);
      throw unsupported(`unary ${op}`, node);
    }
    case 'case':
      return caseOf(node, ctx);
    case 'cast':
      return castOf(node, ctx);
    case 'extract': {
      const field = String(node.args?.field).toLowerCase();
      const f = SCALARS[field];
      if (!f || !['year', 'month', 'day'].includes(field)) throw unsupported(`EXTRACT(${field.toUpperCase()} …)`, node);
      return f([toColumn(node.args.source, ctx)], node);
    }
    case 'aggr_func':
      return aggregateOf(node, ctx);
    case 'window_func':
      return windowFunctionOf(node, ctx);
    case 'function': {
      const name = functionName(node);
      const args: Ast[] = node.args?.value ?? [];
      if (name === 'not' && args.length === 1) return toColumn(args[0], ctx).not();
      if (name === 'exists') throw unsupported('EXISTS inside an expression', node, 'use it as a WHERE conjunct');
      if (AGGREGATES[name]) return aggregateOf({ ...node, name, args: { expr: args[0] } }, ctx);
      if (isSqlAggregateName(name)) {
        if (!ctx.aggregates)
          throw unsupported(`aggregate ${name.toUpperCase()}() here (only in SELECT, HAVING, ORDER BY)`, node);
        const inner: ExprContext = { ...ctx, aggregates: false };
        return sqlAggregate(name, args, node, (a) => toColumn(a, inner))!;
      }
      const f = SCALARS[name];
      if (!f) throw unsupported(`function ${name}()`, node);
      return f(
        args.map((a) => toColumn(a, ctx)),
        node,
      );
    }
    case 'interval':
      throw unsupported('an INTERVAL outside date ± interval', node);
    case 'expr_list':
      if (node.value?.length === 1) return toColumn(node.value[0], ctx);
      throw unsupported('a row value (a, b, …)', node);
    default:
      throw unsupported(`expression type '${node.type}'`, node);
  }
}

/** Split a predicate AST into its top-level AND conjuncts. */
export function conjunctsOf(node: Ast): Ast[] {
  if (node?.type === 'binary_expr' && String(node.operator).toUpperCase() === 'AND')
    return [...conjunctsOf(node.left), ...conjunctsOf(node.right)];
  return [node];
}

/** Split an expression into its top-level AND conjuncts. */
export function exprConjuncts(e: E.Expr): E.Expr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...exprConjuncts(e.left), ...exprConjuncts(e.right)] : [e];
}

/**
 * (A and B) or (A and C) → A, (B or C): conjuncts common to every disjunct are factored out,
 * so a join key repeated in each branch (TPC-H Q19) becomes a join key.
 */
export function factorOr(e: E.Expr): E.Expr[] {
  if (!(e.kind === 'binary' && e.op === 'or')) return [e];
  const disjuncts = (x: E.Expr): E.Expr[] =>
    x.kind === 'binary' && x.op === 'or' ? [...disjuncts(x.left), ...disjuncts(x.right)] : [x];
  const branches = disjuncts(e).map(exprConjuncts);
  const key = (x: E.Expr) => JSON.stringify(x);
  const common = branches[0]!.filter((c) => branches.every((b) => b.some((d) => key(d) === key(c))));
  if (!common.length) return [e];
  const commonKeys = new Set(common.map(key));
  const rest = branches.map((b) => b.filter((c) => !commonKeys.has(key(c))));
  if (rest.some((b) => !b.length)) return common;
  const and = (xs: E.Expr[]) => xs.reduce((a, b) => E.binary('and', a, b));
  return [...common, rest.map(and).reduce((a, b) => E.binary('or', a, b))];
}
