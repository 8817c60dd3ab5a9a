/**
 * Subqueries in the SQL translator: EXISTS / NOT EXISTS become semi / anti joins on their
 * correlated conjuncts; IN / NOT IN (subquery) semi / anti joins (NOT IN exact with NULLs);
 * scalar subqueries a one-row cross join (uncorrelated) or a join with their aggregate grouped
 * by the correlation keys (correlated equalities). Where an expression holds scalar subqueries,
 * each stands as a placeholder column (`__pendingN`) until its join brings the value.
 */
import { PlanError } from '../../planner/errors.js';
import * as E from '../../planner/expr.js';
import { Column } from '../api/column.js';
import { broadcast, type DataFrame } from '../api/dataframe.js';
import { col, count } from '../api/functions.js';
import { subqueryOf, walkAst } from './ast.js';
import { type ExprContext, toColumn } from './expr.js';
import { type Ast, at, positionOf, unsupported } from './parse.js';
import { and, type Ctes, localColumns, resolve, type Scope, type Translator } from './scope.js';

/** A WHERE conjunct with a subquery: EXISTS / NOT EXISTS, IN / NOT IN (subquery), or scalar comparisons. */
export async function subqueryConjunct(
  t: Translator,
  c: Ast,
  df: DataFrame,
  scope: Scope,
  ctes: Ctes,
): Promise<DataFrame> {
  if (c.type === 'unary_expr' && String(c.operator).toUpperCase() === 'NOT EXISTS')
    return exists(t, subqueryOf(c.expr), df, scope, ctes, true);
  const negated = c.type === 'unary_expr' && String(c.operator).toUpperCase() === 'NOT';
  const inner = negated ? c.expr : c;
  const fname = inner.type === 'function' ? String(inner.name?.name?.[0]?.value ?? '').toLowerCase() : '';
  if (fname === 'not' && inner.args?.value?.length === 1)
    return subqueryConjunct(t, { type: 'unary_expr', operator: 'NOT', expr: inner.args.value[0] }, df, scope, ctes);
  if (fname === 'exists') {
    const sub = subqueryOf(inner.args.value[0]) ?? subqueryOf(inner.args);
    return exists(t, sub, df, scope, ctes, negated);
  }
  const op = inner.type === 'binary_expr' ? String(inner.operator).toUpperCase() : '';
  if ((op === 'IN' || op === 'NOT IN') && subqueryOf(inner.right)) {
    if (negated) throw unsupported('NOT (… IN (subquery))', c, 'write NOT IN');
    return inSubquery(t, inner, df, scope, ctes, op === 'NOT IN');
  }
  // Scalar subqueries inside the conjunct: each joins in, then the conjunct filters.
  const pending: Ast[] = [];
  const ctx: ExprContext = {
    aggregates: false,
    column: localColumns(scope, 'a correlated reference next to a scalar subquery'),
    scalarSubquery: pendingScalar(pending),
  };
  const cond = toColumn(c, ctx);
  return filterJoiningScalars(t, df, cond.expr, pending, scope, ctes);
}

/** A `scalarSubquery` callback: each subquery met is kept in `pending` and stands as a placeholder column. */
export const pendingScalar =
  (pending: Ast[]) =>
  (sub: Ast): Column => {
    pending.push(sub);
    return col(`__pending${pending.length - 1}`);
  };

/** Join each pending scalar subquery to `df` in turn, then filter by `cond`, which reads their values. */
export async function filterJoiningScalars(
  t: Translator,
  df: DataFrame,
  cond: E.Expr,
  pending: readonly Ast[],
  scope: Scope,
  ctes: Ctes,
): Promise<DataFrame> {
  let current = df;
  const names: string[] = [];
  for (const sub of pending) {
    const joined = await scalar(t, sub, current, scope, ctes);
    current = joined.df;
    names.push(joined.column);
  }
  return current.filter(new Column(replacePending(cond, names)));
}

/**
 * Correlated conjuncts of a subquery, over the outer frame and the subquery's columns: each
 * subquery column they read is exposed under a fresh name. Returns the condition and the
 * subquery columns to keep (internal → exposed).
 */
function correlate(
  t: Translator,
  conjuncts: Ast[],
  inner: Scope,
): { cond: Column[]; exposed: Map<string, string>; pairs: { inner: E.Expr; outer: E.Expr }[] } {
  const exposed = new Map<string, string>();
  const cond: Column[] = [];
  const pairs: { inner: E.Expr; outer: E.Expr }[] = [];
  for (const c of conjuncts) {
    const sides: number[] = [];
    const ctx: ExprContext = {
      aggregates: false,
      column: (table, name, n) => {
        const r = resolve(inner, table, name, n);
        if (r.depth > 1) throw unsupported('a reference to a query two levels out', n);
        sides.push(r.depth);
        if (r.depth === 1) return col(r.internal);
        if (!exposed.has(r.internal)) exposed.set(r.internal, t.fresh('sq'));
        return col(exposed.get(r.internal)!);
      },
    };
    const e = toColumn(c, ctx);
    cond.push(e);
    const isInner = (x: E.Expr) => {
      const refs = [...E.referencedColumns(x)];
      return refs.length > 0 && refs.every((r) => [...exposed.values()].includes(r));
    };
    if (e.expr.kind === 'binary' && e.expr.op === '=') {
      const { left, right } = e.expr;
      if (isInner(left) && !isInner(right)) pairs.push({ inner: left, outer: right });
      else if (isInner(right) && !isInner(left)) pairs.push({ inner: right, outer: left });
    }
  }
  return { cond, exposed, pairs };
}

async function exists(
  t: Translator,
  sub: Ast,
  df: DataFrame,
  scope: Scope,
  ctes: Ctes,
  negated: boolean,
): Promise<DataFrame> {
  if (sub.groupby || sub.having) throw unsupported('EXISTS over a grouped subquery', sub);
  const core = await t.core(sub, scope, ctes);
  if (!core.correlated.length)
    throw unsupported('an uncorrelated EXISTS', sub, 'EXISTS needs a condition on the outer query');
  const { cond, exposed } = correlate(t, core.correlated, core.scope);
  const right = core.df.select(...[...exposed].map(([from, to]) => col(from).alias(to)));
  return df.join(right, and(cond), negated ? 'left_anti' : 'left_semi');
}

async function inSubquery(
  t: Translator,
  node: Ast,
  df: DataFrame,
  scope: Scope,
  ctes: Ctes,
  negated: boolean,
): Promise<DataFrame> {
  const sub = subqueryOf(node.right);
  const rel = await t.query(sub, scope, ctes);
  if (rel.names.length !== 1)
    throw new PlanError(
      'SQL_BAD_SUBQUERY',
      `SQL: an IN subquery must return one column, this one returns ${rel.names.length}${at(positionOf(node))}`,
    );
  const ctx: ExprContext = {
    aggregates: false,
    column: localColumns(scope, 'a correlated reference left of IN (subquery)'),
  };
  const value = toColumn(node.left, ctx);
  const name = t.fresh('in');
  const right = rel.df.select(col(rel.names[0]!).alias(name));
  const matched = df.join(right, value.equalTo(col(name)), negated ? 'left_anti' : 'left_semi');
  if (!negated) return matched;
  // NOT IN is NULL (drops the row) when the value is NULL or the subquery holds a NULL, unless
  // the subquery is empty: one row of counts decides, joined to every unmatched row.
  const rows = t.fresh('inrows');
  const nulls = t.fresh('innulls');
  const counts = right.agg(count().alias(rows), count(name).alias(nulls));
  return matched
    .crossJoin(broadcast(counts))
    .filter(
      col(rows)
        .equalTo(0)
        .or(value.isNotNull().and(col(rows).equalTo(col(nulls)))),
    )
    .drop(rows, nulls);
}

/** A scalar subquery joined to `df`: its value is the returned column. */
async function scalar(
  t: Translator,
  sub: Ast,
  df: DataFrame,
  scope: Scope,
  ctes: Ctes,
): Promise<{ df: DataFrame; column: string }> {
  const name = t.fresh('scalar');
  if ((sub.columns ?? []).length !== 1)
    throw new PlanError('SQL_BAD_SUBQUERY', `SQL: a scalar subquery must select one value${at(positionOf(sub))}`);
  const core = await t.core(sub, scope, ctes);
  if (!core.correlated.length) {
    const rel = await t.finishRelation(sub, core.df, core.scope, ctes);
    return { df: df.crossJoin(broadcast(rel.df.select(col(rel.names[0]!).alias(name)))), column: name };
  }
  if (sub.groupby || sub.having) throw unsupported('a correlated scalar subquery with GROUP BY or HAVING', sub);
  if (walkAst(sub.columns, (n) => n.type === 'aggr_func' && String(n.name).toUpperCase() === 'COUNT'))
    throw unsupported(
      'COUNT in a correlated scalar subquery',
      sub,
      'groups without rows would need 0, not a missing row',
    );
  const { cond, exposed, pairs } = correlate(t, core.correlated, core.scope);
  if (pairs.length !== cond.length)
    throw unsupported('a correlated scalar subquery whose correlation is not inner = outer equalities', sub);
  // Group the subquery by its correlation columns; join the outer rows on them.
  const reverse = new Map([...exposed].map(([from, to]) => [to, from]));
  const keys = pairs.map((p) => {
    const refs = [...E.referencedColumns(p.inner)];
    if (!refs.every((r) => reverse.has(r)))
      throw unsupported(
        'a correlated equality whose left side reads the outer query',
        sub,
        'write subquery column = outer column',
      );
    return new Column(
      E.transformExpr(p.inner, (e) => (e.kind === 'col' && reverse.has(e.name) ? E.col(reverse.get(e.name)!) : e)),
    );
  });
  const keyNames = keys.map(() => t.fresh('sqk'));
  const agg = await t.aggregate(
    sub,
    core.df,
    core.scope,
    keys.map((k, i) => ({ column: k, name: keyNames[i]! })),
    ctes,
    { keepKeys: true },
  );
  const right = agg.df.select(...keyNames.map((k) => col(k)), col(agg.names[0]!).alias(name));
  const on = and(pairs.map((p, i) => new Column(p.outer).equalTo(col(keyNames[i]!))));
  return { df: df.join(right, on), column: name };
}

/** Swap the placeholders of scalar subqueries (`__pendingN`) for the columns that hold their values. */
function replacePending(e: E.Expr, names: readonly string[]): E.Expr {
  return E.transformExpr(e, (x) =>
    x.kind === 'col' && x.name.startsWith('__pending') ? E.col(names[Number(x.name.slice(9))]!) : x,
  );
}
