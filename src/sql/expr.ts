/**
 * SQL expressions (node-sql-parser AST) → Columns, through the Column API and the functions of
 * src/api/functions.ts: the same expression nodes the DSL builds. Column references, scalar
 * subqueries and aggregates are the caller's (a scope resolves names; the query translator
 * plans subqueries as joins).
 */
import type { Column } from '../api/column.js';
import * as F from '../api/functions.js';
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
import { columnName, functionName, subqueryOf } from './ast.js';
import { castType, intervalOf, numberLiteral } from './literals.js';
import { type Ast, unsupported } from './parse.js';
import { SCALARS } from './scalars.js';

export interface ExprContext {
  /** A column reference: `table` is the qualifier or null. */
  column(table: string | null, name: string, node: Ast): Column;
  /** A scalar subquery used as a value; absent where subqueries are not allowed. */
  scalarSubquery?(sub: Ast, node: Ast): Column;
  /** Whether aggregates may appear here (select list, HAVING, ORDER BY of a grouped query). */
  readonly aggregates: boolean;
}

const AGGREGATES: Readonly<Record<string, (c: Column) => Column>> = {
  sum: F.sum,
  avg: F.avg,
  mean: F.avg,
  min: F.min,
  max: F.max,
  count: F.count,
};

/** ASC / DESC and NULLS FIRST / LAST of an ORDER BY item on a column (SQL's defaults, as Spark's). */
export function sortKey(o: Ast, c: Column): Column {
  const desc = String(o.type ?? 'ASC').toUpperCase() === 'DESC';
  const nulls = String(o.nulls ?? '').toUpperCase();
  if (nulls.includes('FIRST')) return desc ? c.descNullsFirst() : c.ascNullsFirst();
  if (nulls.includes('LAST')) return desc ? c.descNullsLast() : c.ascNullsLast();
  return desc ? c.desc() : c.asc();
}

/** The window of an OVER clause (PARTITION BY, ORDER BY; frames are not translated). */
function windowOf(over: Ast, ctx: ExprContext): WindowSpec {
  const spec = over?.as_window_specification?.window_specification;
  if (!spec) throw unsupported('a named window (OVER w)', over);
  if (spec.window_frame_clause) throw unsupported('a window frame clause (ROWS / RANGE BETWEEN) in SQL', over);
  const plain: ExprContext = { ...ctx, aggregates: false, scalarSubquery: undefined };
  let w = Window.partitionBy(...(spec.partitionby ?? []).map((p: Ast) => toColumn(p.expr ?? p, plain)));
  const order = (spec.orderby ?? []).map((o: Ast) => sortKey(o, toColumn(o.expr, plain)));
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
      return toColumn(node.expr, ctx).cast(castType(node) as never);
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
