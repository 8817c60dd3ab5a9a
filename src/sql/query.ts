/**
 * SELECT statements → DataFrames, through the DataFrame API (the DSL's verbs and plan nodes), so
 * SQL and the DSL share the analyzer, optimizer and stages. This file holds the statement's
 * translator: WITH, FROM + WHERE (the core: joins in from.ts, subquery conjuncts in
 * subqueries.ts), then the select list (select.ts, grouped.ts), DISTINCT, ORDER BY and LIMIT.
 */
import * as E from '../../planner/expr.js';
import { PlanError } from '../../planner/errors.js';
import type { DataFrame } from '../api/dataframe.js';
import { col } from '../api/functions.js';
import { columnName, conjunctsOf, hasAggregate, hasSubquery } from './ast.js';
import { type ExprContext, sortKey, toColumn } from './expr.js';
import { exprConjuncts, factorOr, fromItem, joinAll, renameAll } from './from.js';
import { aggregate, groupKey } from './grouped.js';
import { groupingSetsOf } from './groupingSets.js';
import { type Ast, at, parseSelect, positionOf, unsupported } from './parse.js';
import {
  type Core,
  type Ctes,
  lower,
  type Projection,
  type Rel,
  type Relation,
  resolve,
  type Scope,
  type SqlCatalog,
  type Translator,
} from './scope.js';
import { plainColumn, project } from './select.js';
import { subqueryConjunct } from './subqueries.js';

export type { SqlCatalog } from './scope.js';

/** Translates one statement; `fresh` numbers the internal names it introduces. */
class StatementTranslator implements Translator {
  private n = 0;
  constructor(readonly catalog: SqlCatalog) {}

  fresh(prefix: string): string {
    return `__${prefix}${this.n++}`;
  }

  /** A whole query (WITH, SELECT) with visible CTEs. */
  async query(ast: Ast, parent: Scope | null, ctes: Ctes): Promise<Relation> {
    let visible = ctes;
    for (const w of ast.with ?? []) {
      const name = String(w.name?.value ?? w.name);
      const rel = await this.query(w.stmt?.ast ?? w.stmt, null, visible);
      const names: string[] = (w.columns ?? []).map((c: Ast) => columnName(c));
      const next = new Map(visible);
      next.set(lower(name), names.length ? renameAll(rel, names, w) : rel);
      visible = next;
    }
    if (ast._next || ast.set_op) throw unsupported(`set operation ${String(ast.set_op ?? 'UNION').toUpperCase()}`, ast);
    const core = await this.core(ast, parent, visible);
    if (core.correlated.length)
      throw unsupported(
        'a correlated reference here',
        core.correlated[0],
        'correlated subqueries are supported in WHERE conjuncts (EXISTS, scalar comparisons)',
      );
    return this.finishRelation(ast, core.df, core.scope, visible);
  }

  /** FROM and WHERE: the joined, filtered frame, its scope, and the conjuncts that reference an outer query. */
  async core(ast: Ast, parent: Scope | null, ctes: Ctes): Promise<Core> {
    const items: Ast[] = ast.from ?? [];
    if (!items.length) throw unsupported('SELECT without FROM', ast);
    const rels: Rel[] = [];
    const frames: DataFrame[] = [];
    const used = new Set<string>();
    for (const item of items) {
      const { qual, rel } = await fromItem(this, item, ctes);
      let df = rel.df;
      const cols = rel.names.map((name) => {
        let internal = name;
        if (used.has(internal)) internal = `${qual}_${name}`;
        while (used.has(internal)) internal = this.fresh(`${qual}_${name}_`);
        used.add(internal);
        return { name, internal };
      });
      if (cols.some((c, i) => c.internal !== rel.names[i]))
        df = df.select(
          ...cols.map((c, i) => (c.internal === rel.names[i] ? col(c.internal) : col(rel.names[i]!).alias(c.internal))),
        );
      rels.push({ qual, cols });
      frames.push(df);
    }
    const scope: Scope = { rels, parent };
    const relOf = new Map<string, number>();
    rels.forEach((r, i) => {
      for (const c of r.cols) relOf.set(c.internal, i);
    });

    // Classify WHERE conjuncts: local (with the FROM items they read), correlated, or with subqueries.
    const local: { expr: E.Expr; rels: Set<number> }[] = [];
    const correlated: Ast[] = [];
    const withSubqueries: Ast[] = [];
    for (const c of ast.where ? conjunctsOf(ast.where) : []) {
      if (hasSubquery(c)) {
        withSubqueries.push(c);
        continue;
      }
      let outer = false;
      const ctx: ExprContext = {
        aggregates: false,
        column: (table, name, node) => {
          const r = resolve(scope, table, name, node);
          if (r.depth > 0) outer = true;
          return col(r.internal);
        },
      };
      const e = toColumn(c, ctx).expr;
      if (outer) {
        correlated.push(c);
        continue;
      }
      for (const piece of exprConjuncts(e).flatMap(factorOr))
        local.push({ expr: piece, rels: new Set([...E.referencedColumns(piece)].map((n) => relOf.get(n)!)) });
    }

    let df = joinAll(items, frames, scope, local);
    for (const c of withSubqueries) df = await subqueryConjunct(this, c, df, scope, ctes);
    return { df, scope, correlated };
  }

  /** SELECT list, GROUP BY, HAVING, DISTINCT, ORDER BY, LIMIT over the core frame. */
  async finishRelation(ast: Ast, df: DataFrame, scope: Scope, ctes: Ctes): Promise<Relation> {
    const grouped = Boolean(ast.groupby?.columns?.length) || Boolean(ast.having) || hasAggregate(ast.columns);
    const build = async (extra: Ast[]): Promise<Projection> => {
      if (!grouped) return project(this, ast, df, scope, extra);
      const { keys: keyNodes, sets } = groupingSetsOf(ast.groupby?.columns ?? [], (g) => groupKey(g, ast, scope));
      const keys = keyNodes.map((g) => ({ column: plainColumn(g, scope), name: null }));
      return this.aggregate(ast, df, scope, keys, ctes, { extra, sets });
    };
    let rel = await build([]);
    const order: Ast[] = ast.orderby ?? [];
    const distinct = ast.distinct?.type === 'DISTINCT';
    // ORDER BY items that are not output columns sort on hidden columns, dropped after the sort.
    const hidden = order.filter((o) => orderTarget(o, rel.names, rel.exprs) === null);
    const visible = rel.names;
    if (hidden.length) {
      if (distinct)
        throw unsupported('ORDER BY an expression not in the select list of a SELECT DISTINCT', hidden[0].expr);
      rel = await build(hidden.map((o) => o.expr));
    }
    let out = rel.df;
    if (distinct) out = out.distinct();
    if (order.length) {
      let h = 0;
      out = out.orderBy(
        ...order.map((o) => {
          const name = orderTarget(o, visible, rel.exprs) ?? rel.names[visible.length + h++]!;
          return sortKey(o, col(name));
        }),
      );
    }
    if (hidden.length) out = out.select(...visible.map((n) => col(n)));
    const limit = ast.limit?.value ?? [];
    if (limit.length) {
      if (limit.length > 1 || ast.limit.seperator) throw unsupported('LIMIT with OFFSET', ast);
      out = out.limit(Number(limit[0].value));
    }
    return { df: out, names: visible };
  }

  aggregate(...args: Parameters<Translator['aggregate']>): Promise<Projection> {
    return aggregate(this, ...args);
  }
}

/** The output column an ORDER BY item names (position, output name, or selected column), or null. */
function orderTarget(o: Ast, names: readonly string[], exprs: readonly E.Expr[]): string | null {
  const e = o.expr;
  if (e?.type === 'number') {
    const i = Number(e.value);
    if (!Number.isInteger(i) || i < 1 || i > names.length)
      throw new PlanError(
        'SQL_BAD_ORDER',
        `SQL: ORDER BY position ${e.value} is not in 1..${names.length}${at(positionOf(o))}`,
      );
    return names[i - 1]!;
  }
  if (e?.type === 'column_ref' && !e.table) {
    const n = columnName(e);
    const name = names.find((x) => x === n) ?? names.find((x) => lower(x) === lower(n));
    if (name) return name;
    const i = exprs.findIndex((x) => x.kind === 'col' && lower(x.name) === lower(n));
    if (i >= 0 && i < names.length) return names[i]!;
  }
  return null;
}

/** Translate a SELECT statement over the catalog's views into a DataFrame. */
export async function sqlToDataFrame(text: string, catalog: SqlCatalog): Promise<DataFrame> {
  const ast = parseSelect(text);
  const rel = await new StatementTranslator(catalog).query(ast, null, new Map());
  return rel.df;
}
