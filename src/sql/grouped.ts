/**
 * Grouped selects for the SQL translator: GROUP BY items (positions and select aliases), and the
 * aggregate step — keys, each distinct aggregate of the select list and HAVING computed once
 * (also for ROLLUP / CUBE / GROUPING SETS), HAVING's scalar subqueries joined in, then the select
 * items read the aggregate's output.
 */
import { PlanError } from '../../planner/errors.js';
import * as E from '../../planner/expr.js';
import { Column } from '../api/column.js';
import type { DataFrame } from '../api/dataframe.js';
import { GroupedData } from '../api/groupedData.js';
import { col } from '../api/functions.js';
import { columnName } from './ast.js';
import { type ExprContext, toColumn } from './expr.js';
import { type Ast, at, positionOf, unsupported } from './parse.js';
import {
  type AggregateOptions,
  allRels,
  type Ctes,
  type GroupKey,
  localColumns,
  lower,
  type Projection,
  type Scope,
  type Translator,
} from './scope.js';
import { selectItems } from './select.js';
import { filterJoiningScalars, pendingScalar } from './subqueries.js';

/**
 * A GROUP BY item: a position (`group by 1`) or a select alias that names no column in scope
 * stands for that select item's expression.
 */
export function groupKey(g: Ast, ast: Ast, scope: Scope): Ast {
  const items: Ast[] = ast.columns ?? [];
  if (g?.type === 'number') {
    const i = Number(g.value);
    if (!Number.isInteger(i) || i < 1 || i > items.length)
      throw new PlanError(
        'SQL_BAD_GROUP',
        `SQL: GROUP BY position ${g.value} is not in 1..${items.length}${at(positionOf(g))}`,
      );
    const item = items[i - 1];
    if (!item?.expr || item.expr.type === 'aggr_func')
      throw unsupported(`GROUP BY position ${i} (an aggregate or *)`, g);
    return item.expr;
  }
  if (g?.type === 'column_ref' && !g.table) {
    const name = columnName(g);
    const inScope = allRels(scope).some((r) => r.cols.some((c) => lower(c.name) === lower(name)));
    const item = items.find((it) => it.as && lower(String(it.as)) === lower(name));
    if (!inScope && item) return item.expr;
  }
  return g;
}

/**
 * A grouped select: keys (named or not), aggregates found in the select list and HAVING each
 * computed once; the select items and HAVING then read the aggregate's output.
 */
export async function aggregate(
  t: Translator,
  ast: Ast,
  df: DataFrame,
  scope: Scope,
  keys: readonly GroupKey[],
  ctes: Ctes,
  { keepKeys = false, extra = [], sets = null }: AggregateOptions = {},
): Promise<Projection> {
  const keyOut = keys.map((k) => k.name ?? (k.column.expr.kind === 'col' ? k.column.expr.name : t.fresh('key')));
  const keyJson = new Map(keys.map((k, i) => [JSON.stringify(k.column.expr), keyOut[i]!]));
  const aggs = new Map<string, { expr: E.Expr; name: string }>();
  const ctx: ExprContext = {
    aggregates: true,
    column: localColumns(scope, 'an outer reference here'),
  };
  const post = (c: Column, node: Ast): E.Expr => {
    const rewrite = (e: E.Expr): E.Expr => {
      const k = keyJson.get(JSON.stringify(e));
      if (k !== undefined) return E.col(k);
      if (e.kind === 'agg' || (e.kind === 'call' && (e.fn === 'grouping' || e.fn === 'grouping_id'))) {
        const json = JSON.stringify(e);
        if (!aggs.has(json)) aggs.set(json, { expr: e, name: t.fresh('agg') });
        return E.col(aggs.get(json)!.name);
      }
      if (e.kind === 'col' && !e.name.startsWith('__pending'))
        throw new PlanError(
          'SQL_NOT_GROUPED',
          `SQL: column '${e.name}' must appear in GROUP BY or inside an aggregate${at(positionOf(node))}`,
          { column: e.name },
        );
      return rebuild(e, rewrite);
    };
    return rewrite(c.expr);
  };
  const items = selectItems(t, ast, scope, extra);
  if (items.some((it) => !it.node)) throw unsupported('SELECT * with GROUP BY', ast);
  const exprs = items.map((it) => post(toColumn(it.node, ctx), it.node));
  const names = items.map((it) => it.name || E.exprName(toColumn(it.node, ctx).expr));
  let having: E.Expr | null = null;
  const havingSubs: Ast[] = [];
  if (ast.having) {
    const hctx: ExprContext = { ...ctx, scalarSubquery: pendingScalar(havingSubs) };
    having = post(toColumn(ast.having, hctx), ast.having);
  }
  const keyCols = keys.map((k, i) =>
    k.column.expr.kind === 'col' && k.column.expr.name === keyOut[i] ? k.column : k.column.alias(keyOut[i]!),
  );
  let out = (sets ? new GroupedData(df, keyCols, { kind: 'sets', sets }) : df.groupBy(...keyCols)).agg(
    ...[...aggs.values()].map((a) => new Column(a.expr).alias(a.name)),
  );
  // Scalar subqueries of HAVING join the aggregate's rows, then HAVING filters.
  if (having) out = await filterJoiningScalars(t, out, having, havingSubs, scope, ctes);
  const kept = keepKeys ? keyOut.map((k) => col(k)) : [];
  return { df: out.select(...kept, ...exprs.map((e, i) => new Column(e).alias(names[i]!))), names, exprs };
}

/** Rebuild an expression with each child mapped (for top-down rewrites). */
function rebuild(e: E.Expr, f: (x: E.Expr) => E.Expr): E.Expr {
  const kids = E.exprChildren(e);
  return kids.length ? E.withChildren(e, kids.map(f)) : e;
}
