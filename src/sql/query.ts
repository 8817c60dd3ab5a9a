/**
 * SELECT statements → DataFrames, through the DataFrame API (the DSL's verbs and plan nodes), so
 * SQL and the DSL share the analyzer, optimizer and stages. FROM items are joined greedily along
 * the WHERE's join conjuncts (comma joins) or as written (JOIN … ON); EXISTS / IN subqueries
 * become semi and anti joins; scalar subqueries become a one-row cross join (uncorrelated) or a
 * join with their aggregate grouped by the correlation keys (correlated equalities).
 */
import { PlanError, listNames } from '../../planner/errors.js';
import * as E from '../../planner/expr.js';
import { Column } from '../api/column.js';
import { broadcast, type DataFrame, GroupedData } from '../api/dataframe.js';
import { groupingSetsOf } from './groupingSets.js';
import { col, count } from '../api/functions.js';
import { type Ast, at, parseSelect, positionOf, unsupported } from './parse.js';
import { isSqlAggregateName } from './aggregates.js';
import {
  columnName,
  conjunctsOf,
  type ExprContext,
  exprConjuncts,
  factorOr,
  functionName as functionNameOf,
  subqueryOf,
  toColumn,
} from './expr.js';

/** What the translator needs from the session: the registered views and their column names. */
export interface SqlCatalog {
  view(name: string): DataFrame | undefined;
  viewNames(): string[];
  columnsOf(df: DataFrame): Promise<string[]>;
}

/** A query's result: its DataFrame and output column names (its columns, in order). */
interface Relation {
  readonly df: DataFrame;
  readonly names: readonly string[];
}

/** One FROM item in scope: its qualifier and its columns (SQL name → name in the joined frame). */
interface Rel {
  readonly qual: string;
  readonly cols: readonly { readonly name: string; readonly internal: string }[];
}

interface Scope {
  readonly rels: readonly Rel[];
  readonly parent: Scope | null;
}

interface Resolved {
  readonly depth: number;
  readonly rel: number;
  readonly internal: string;
}

const and = (xs: readonly Column[]): Column => xs.reduce((a, b) => a.and(b));
const lower = (s: string) => s.toLowerCase();

function resolve(scope: Scope, table: string | null, name: string, node: Ast): Resolved {
  for (let s: Scope | null = scope, depth = 0; s; s = s.parent, depth++) {
    const hits: Resolved[] = [];
    s.rels.forEach((r, i) => {
      if (table !== null && lower(r.qual) !== lower(table)) return;
      const c = r.cols.find((x) => x.name === name) ?? r.cols.find((x) => lower(x.name) === lower(name));
      if (c) hits.push({ depth, rel: i, internal: c.internal });
    });
    if (hits.length > 1)
      throw new PlanError(
        'SQL_AMBIGUOUS_COLUMN',
        `SQL: column '${name}' is ambiguous${at(positionOf(node))} (in ${hits.map((h) => `'${s.rels[h.rel]!.qual}'`).join(', ')}); qualify it`,
        { column: name },
      );
    if (hits.length === 1) return hits[0]!;
    if (table !== null && s.rels.some((r) => lower(r.qual) === lower(table)))
      throw unknownColumn(scope, table, name, node);
  }
  if (table !== null && !allRels(scope).some((r) => lower(r.qual) === lower(table)))
    throw new PlanError(
      'SQL_UNKNOWN_TABLE',
      `SQL: unknown table or alias '${table}' in '${table}.${name}'${at(positionOf(node))}; in scope: ${listNames(allRels(scope).map((r) => r.qual))}`,
      { table, column: name },
    );
  throw unknownColumn(scope, table, name, node);
}

const allRels = (scope: Scope): Rel[] => [...scope.rels, ...(scope.parent ? allRels(scope.parent) : [])];

function unknownColumn(scope: Scope, table: string | null, name: string, node: Ast): PlanError {
  const known = [...new Set(allRels(scope).flatMap((r) => r.cols.map((c) => c.name)))];
  const full = table === null ? name : `${table}.${name}`;
  return new PlanError(
    'SQL_UNKNOWN_COLUMN',
    `SQL: unknown column '${full}'${at(positionOf(node))}; columns in scope: ${listNames(known.slice(0, 40))}${known.length > 40 ? ', …' : ''}`,
    { column: full },
  );
}

/** Translates one statement; `fresh` numbers the internal names it introduces. */
class Translator {
  private n = 0;
  constructor(private readonly catalog: SqlCatalog) {}

  fresh(prefix: string): string {
    return `__${prefix}${this.n++}`;
  }

  /** A whole query (WITH, SELECT) with visible CTEs. */
  async query(ast: Ast, parent: Scope | null, ctes: ReadonlyMap<string, Relation>): Promise<Relation> {
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
  async core(
    ast: Ast,
    parent: Scope | null,
    ctes: ReadonlyMap<string, Relation>,
  ): Promise<{ df: DataFrame; scope: Scope; correlated: Ast[] }> {
    const items: Ast[] = ast.from ?? [];
    if (!items.length) throw unsupported('SELECT without FROM', ast);
    const rels: Rel[] = [];
    const frames: DataFrame[] = [];
    const used = new Set<string>();
    for (const item of items) {
      const { qual, rel } = await this.fromItem(item, ctes);
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

    let df = this.joinAll(items, frames, scope, local);
    for (const c of withSubqueries) df = await this.subqueryConjunct(c, df, scope, ctes);
    return { df, scope, correlated };
  }

  private async fromItem(item: Ast, ctes: ReadonlyMap<string, Relation>): Promise<{ qual: string; rel: Relation }> {
    const sub = subqueryOf(item.expr);
    if (sub) {
      const m = /^\s*([\w$]+)\s*(?:\(([^)]*)\))?\s*$/.exec(String(item.as ?? ''));
      if (!m) throw unsupported('a derived table without an alias', item.expr);
      const rel = await this.query(sub, null, ctes);
      const names = m[2] ? m[2].split(',').map((s) => s.trim().replace(/^"|"$/g, '')) : [];
      return { qual: m[1]!, rel: names.length ? renameAll(rel, names, item) : rel };
    }
    if (item.expr) throw unsupported(`FROM item of type '${item.expr.type}'`, item.expr);
    if (typeof item.table !== 'string') throw unsupported('this FROM item', item);
    const name = item.table;
    const qual = item.as ?? name;
    const cte = ctes.get(lower(name));
    if (cte) return { qual, rel: cte };
    const view = this.catalog.view(name);
    if (!view)
      throw new PlanError(
        'SQL_UNKNOWN_TABLE',
        `SQL: unknown table or view '${name}'${at(positionOf(item))}; register it with df.createOrReplaceTempView('${name}') (views: ${listNames(this.catalog.viewNames()) || 'none'})`,
        { table: name },
      );
    return { qual, rel: { df: view, names: await this.catalog.columnsOf(view) } };
  }

  /**
   * Join the FROM items. Single-item conjuncts filter their item first. Comma joins: greedily
   * join, in FROM order, the first item connected to what is joined by a conjunct (the conjuncts
   * among the joined items become the join condition); an unconnected item is a cross join.
   * JOIN … ON items join in order, as written.
   */
  private joinAll(
    items: Ast[],
    frames: DataFrame[],
    scope: Scope,
    local: { expr: E.Expr; rels: Set<number> }[],
  ): DataFrame {
    const pending = [...local];
    const take = (ok: (c: { rels: Set<number> }) => boolean): Column[] => {
      const out: Column[] = [];
      for (let i = 0; i < pending.length; ) {
        if (ok(pending[i]!)) out.push(new Column(pending.splice(i, 1)[0]!.expr));
        else i++;
      }
      return out;
    };
    const explicit = items.some((it) => it.join);
    const filtered = frames.map((f, i) => {
      // Under explicit outer joins, WHERE conjuncts cannot move below the join.
      if (explicit && items.some((it) => it.join && !/^INNER/i.test(String(it.join)))) return f;
      const own = take((c) => c.rels.size === 1 && c.rels.has(i));
      return own.length ? f.filter(and(own)) : f;
    });
    let df = filtered[0]!;
    const joined = new Set([0]);
    if (explicit) {
      for (let i = 1; i < items.length; i++) {
        const it = items[i]!;
        const right = this.onJoinRight(it, filtered[i]!, scope, i);
        if (!it.join) {
          const conds = take((c) => c.rels.has(i) && [...c.rels].every((r) => r <= i));
          df = conds.length ? df.join(right.df, and(conds)) : df.crossJoin(right.df);
          continue;
        }
        const how = joinHow(it);
        if (!right.on) throw unsupported(`${it.join} without ON`, it);
        df = df.join(right.df, right.on, how);
      }
    } else {
      while (joined.size < items.length) {
        const connected = (j: number) =>
          pending.some(
            (c) =>
              c.rels.has(j) &&
              [...c.rels].some((r) => joined.has(r)) &&
              [...c.rels].every((r) => r === j || joined.has(r)),
          );
        let next = -1;
        for (let j = 0; j < items.length && next < 0; j++) if (!joined.has(j) && connected(j)) next = j;
        if (next < 0) next = [...items.keys()].find((j) => !joined.has(j))!;
        const j = next;
        joined.add(j);
        const conds = take((c) => c.rels.has(j) && [...c.rels].every((r) => joined.has(r)));
        df = conds.length ? df.join(filtered[j]!, and(conds)) : df.crossJoin(filtered[j]!);
      }
    }
    const rest = take(() => true);
    return rest.length ? df.filter(and(rest)) : df;
  }

  /** The right side of a JOIN … ON: conjuncts of ON that read only the right item filter it first. */
  private onJoinRight(item: Ast, frame: DataFrame, scope: Scope, index: number): { df: DataFrame; on: Column | null } {
    if (!item.on) return { df: frame, on: null };
    if (item.using) throw unsupported('JOIN … USING', item);
    const ctx: ExprContext = {
      aggregates: false,
      column: (table, name, node) => {
        const r = resolve({ rels: scope.rels.slice(0, index + 1), parent: null }, table, name, node);
        return col(r.internal);
      },
    };
    const own: Column[] = [];
    const cond: Column[] = [];
    const mine = new Set(scope.rels[index]!.cols.map((c) => c.internal));
    const how = joinHow(item);
    for (const c of conjunctsOf(item.on)) {
      if (hasSubquery(c)) throw unsupported('a subquery in JOIN … ON', c);
      const e = toColumn(c, ctx);
      const refs = [...E.referencedColumns(e.expr)];
      if ((how === 'inner' || how === 'left') && refs.length && refs.every((r) => mine.has(r))) own.push(e);
      else cond.push(e);
    }
    if (!cond.length) throw unsupported('JOIN … ON without a condition between the two sides', item.on);
    return { df: own.length ? frame.filter(and(own)) : frame, on: and(cond) };
  }

  /** A WHERE conjunct with a subquery: EXISTS / NOT EXISTS, IN / NOT IN (subquery), or scalar comparisons. */
  private async subqueryConjunct(
    c: Ast,
    df: DataFrame,
    scope: Scope,
    ctes: ReadonlyMap<string, Relation>,
  ): Promise<DataFrame> {
    if (c.type === 'unary_expr' && String(c.operator).toUpperCase() === 'NOT EXISTS')
      return this.exists(subqueryOf(c.expr), df, scope, ctes, true);
    const negated = c.type === 'unary_expr' && String(c.operator).toUpperCase() === 'NOT';
    const inner = negated ? c.expr : c;
    const fname = inner.type === 'function' ? String(inner.name?.name?.[0]?.value ?? '').toLowerCase() : '';
    if (fname === 'not' && inner.args?.value?.length === 1)
      return this.subqueryConjunct({ type: 'unary_expr', operator: 'NOT', expr: inner.args.value[0] }, df, scope, ctes);
    if (fname === 'exists') {
      const sub = subqueryOf(inner.args.value[0]) ?? subqueryOf(inner.args);
      return this.exists(sub, df, scope, ctes, negated);
    }
    const op = inner.type === 'binary_expr' ? String(inner.operator).toUpperCase() : '';
    if ((op === 'IN' || op === 'NOT IN') && subqueryOf(inner.right)) {
      if (negated) throw unsupported('NOT (… IN (subquery))', c, 'write NOT IN');
      return this.inSubquery(inner, df, scope, ctes, op === 'NOT IN');
    }
    // Scalar subqueries inside the conjunct: each joins in, then the conjunct filters.
    let current = df;
    const pending: Ast[] = [];
    const ctx: ExprContext = {
      aggregates: false,
      column: (table, name, node) => {
        const r = resolve(scope, table, name, node);
        if (r.depth > 0) throw unsupported('a correlated reference next to a scalar subquery', node);
        return col(r.internal);
      },
      scalarSubquery: (sub) => {
        pending.push(sub);
        return col(`__pending${pending.length - 1}`);
      },
    };
    const cond = toColumn(c, ctx);
    const names: string[] = [];
    for (const sub of pending) {
      const joined = await this.scalar(sub, current, scope, ctes);
      current = joined.df;
      names.push(joined.column);
    }
    return current.filter(new Column(replacePending(cond.expr, names)));
  }

  /**
   * Correlated conjuncts of a subquery, over the outer frame and the subquery's columns: each
   * subquery column they read is exposed under a fresh name. Returns the condition and the
   * subquery columns to keep (internal → exposed).
   */
  private correlate(
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
          if (!exposed.has(r.internal)) exposed.set(r.internal, this.fresh('sq'));
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

  private async exists(
    sub: Ast,
    df: DataFrame,
    scope: Scope,
    ctes: ReadonlyMap<string, Relation>,
    negated: boolean,
  ): Promise<DataFrame> {
    if (sub.groupby || sub.having) throw unsupported('EXISTS over a grouped subquery', sub);
    const core = await this.core(sub, scope, ctes);
    if (!core.correlated.length)
      throw unsupported('an uncorrelated EXISTS', sub, 'EXISTS needs a condition on the outer query');
    const { cond, exposed } = this.correlate(core.correlated, core.scope);
    const right = core.df.select(...[...exposed].map(([from, to]) => col(from).alias(to)));
    return df.join(right, and(cond), negated ? 'left_anti' : 'left_semi');
  }

  private async inSubquery(
    node: Ast,
    df: DataFrame,
    scope: Scope,
    ctes: ReadonlyMap<string, Relation>,
    negated: boolean,
  ): Promise<DataFrame> {
    const sub = subqueryOf(node.right);
    const rel = await this.query(sub, scope, ctes);
    if (rel.names.length !== 1)
      throw new PlanError(
        'SQL_BAD_SUBQUERY',
        `SQL: an IN subquery must return one column, this one returns ${rel.names.length}${at(positionOf(node))}`,
      );
    const ctx: ExprContext = {
      aggregates: false,
      column: (table, name, n) => {
        const r = resolve(scope, table, name, n);
        if (r.depth > 0) throw unsupported('a correlated reference left of IN (subquery)', n);
        return col(r.internal);
      },
    };
    const value = toColumn(node.left, ctx);
    const name = this.fresh('in');
    const right = rel.df.select(col(rel.names[0]!).alias(name));
    const matched = df.join(right, value.equalTo(col(name)), negated ? 'left_anti' : 'left_semi');
    if (!negated) return matched;
    // NOT IN is NULL (drops the row) when the value is NULL or the subquery holds a NULL, unless
    // the subquery is empty: one row of counts decides, joined to every unmatched row.
    const rows = this.fresh('inrows');
    const nulls = this.fresh('innulls');
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
  private async scalar(
    sub: Ast,
    df: DataFrame,
    scope: Scope,
    ctes: ReadonlyMap<string, Relation>,
  ): Promise<{ df: DataFrame; column: string }> {
    const name = this.fresh('scalar');
    if ((sub.columns ?? []).length !== 1)
      throw new PlanError('SQL_BAD_SUBQUERY', `SQL: a scalar subquery must select one value${at(positionOf(sub))}`);
    const core = await this.core(sub, scope, ctes);
    if (!core.correlated.length) {
      const rel = await this.finishRelation(sub, core.df, core.scope, ctes);
      return { df: df.crossJoin(broadcast(rel.df.select(col(rel.names[0]!).alias(name)))), column: name };
    }
    if (sub.groupby || sub.having) throw unsupported('a correlated scalar subquery with GROUP BY or HAVING', sub);
    if (walkAst(sub.columns, (n) => n.type === 'aggr_func' && String(n.name).toUpperCase() === 'COUNT'))
      throw unsupported(
        'COUNT in a correlated scalar subquery',
        sub,
        'groups without rows would need 0, not a missing row',
      );
    const { cond, exposed, pairs } = this.correlate(core.correlated, core.scope);
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
    const keyNames = keys.map(() => this.fresh('sqk'));
    const agg = await this.aggregate(
      sub,
      core.df,
      core.scope,
      keys.map((k, i) => ({ column: k, name: keyNames[i]! })),
      ctes,
      true,
    );
    const right = agg.df.select(...keyNames.map((k) => col(k)), col(agg.names[0]!).alias(name));
    const on = and(pairs.map((p, i) => new Column(p.outer).equalTo(col(keyNames[i]!))));
    return { df: df.join(right, on), column: name };
  }

  /** SELECT list, GROUP BY, HAVING, DISTINCT, ORDER BY, LIMIT over the core frame. */
  private async finishRelation(
    ast: Ast,
    df: DataFrame,
    scope: Scope,
    ctes: ReadonlyMap<string, Relation>,
  ): Promise<Relation> {
    const grouped = Boolean(ast.groupby?.columns?.length) || Boolean(ast.having) || hasAggregate(ast.columns);
    const build = async (extra: Ast[]): Promise<Relation & { exprs: E.Expr[] }> => {
      if (!grouped) return this.project(ast, df, scope, extra);
      const { keys: keyNodes, sets } = groupingSetsOf(ast.groupby?.columns ?? [], (g) => this.groupKey(g, ast, scope));
      const keys = keyNodes.map((g) => ({ column: this.plainColumn(g, scope), name: null }));
      return this.aggregate(ast, df, scope, keys, ctes, false, extra, sets);
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

  /**
   * A GROUP BY item: a position (`group by 1`) or a select alias that names no column in scope
   * stands for that select item's expression.
   */
  private groupKey(g: Ast, ast: Ast, scope: Scope): Ast {
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

  private plainColumn(node: Ast, scope: Scope): Column {
    return toColumn(node, {
      aggregates: false,
      column: (table, name, n) => {
        const r = resolve(scope, table, name, n);
        if (r.depth > 0) throw unsupported('an outer reference here', n);
        return col(r.internal);
      },
    });
  }

  /** Select list items as (expression AST, output name); `*` expands to the scope's columns. */
  private items(ast: Ast, scope: Scope): { node: Ast | null; name: string; internal?: string }[] {
    const out: { node: Ast | null; name: string; internal?: string }[] = [];
    for (const it of ast.columns ?? []) {
      const e = it.expr;
      if (e?.type === 'column_ref' && (e.column === '*' || e.column?.expr?.value === '*')) {
        for (const r of scope.rels)
          if (e.table === null || e.table === undefined || lower(r.qual) === lower(e.table))
            for (const c of r.cols) out.push({ node: null, name: c.name, internal: c.internal });
        continue;
      }
      const name = it.as ? String(it.as) : e?.type === 'column_ref' ? columnName(e) : '';
      out.push({ node: e, name });
    }
    return out;
  }

  private project(ast: Ast, df: DataFrame, scope: Scope, extra: Ast[] = []): Relation & { exprs: E.Expr[] } {
    const items: { node: Ast | null; name: string; internal?: string }[] = [
      ...this.items(ast, scope),
      ...extra.map((node) => ({ node, name: this.fresh('ord') })),
    ];
    const exprs = items.map((it) => (it.node ? this.plainColumn(it.node, scope).expr : E.col(it.internal!)));
    const names = items.map((it, i) => it.name || E.exprName(exprs[i]!));
    return {
      df: df.select(...exprs.map((e, i) => new Column(e).alias(names[i]!))),
      names,
      exprs,
    };
  }

  /**
   * A grouped select: keys (named or not), aggregates found in the select list and HAVING each
   * computed once; the select items and HAVING then read the aggregate's output.
   */
  private async aggregate(
    ast: Ast,
    df: DataFrame,
    scope: Scope,
    keys: { column: Column; name: string | null }[],
    ctes: ReadonlyMap<string, Relation>,
    keepKeys = false,
    extra: Ast[] = [],
    /** GROUP BY ROLLUP / CUBE: the grouping sets, as positions in `keys`. */
    sets: number[][] | null = null,
  ): Promise<Relation & { exprs: E.Expr[] }> {
    const keyOut = keys.map((k) => k.name ?? (k.column.expr.kind === 'col' ? k.column.expr.name : this.fresh('key')));
    const keyJson = new Map(keys.map((k, i) => [JSON.stringify(k.column.expr), keyOut[i]!]));
    const aggs = new Map<string, { expr: E.Expr; name: string }>();
    const ctx: ExprContext = {
      aggregates: true,
      column: (table, name, n) => {
        const r = resolve(scope, table, name, n);
        if (r.depth > 0) throw unsupported('an outer reference here', n);
        return col(r.internal);
      },
    };
    const post = (c: Column, node: Ast): E.Expr => {
      const rewrite = (e: E.Expr): E.Expr => {
        const k = keyJson.get(JSON.stringify(e));
        if (k !== undefined) return E.col(k);
        if (e.kind === 'agg' || (e.kind === 'call' && (e.fn === 'grouping' || e.fn === 'grouping_id'))) {
          const json = JSON.stringify(e);
          if (!aggs.has(json)) aggs.set(json, { expr: e, name: this.fresh('agg') });
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
    const items: { node: Ast | null; name: string; internal?: string }[] = [
      ...this.items(ast, scope),
      ...extra.map((node) => ({ node, name: this.fresh('ord') })),
    ];
    if (items.some((it) => !it.node)) throw unsupported('SELECT * with GROUP BY', ast);
    const exprs = items.map((it) => post(toColumn(it.node, ctx), it.node));
    const names = items.map((it) => it.name || E.exprName(toColumn(it.node, ctx).expr));
    let having: E.Expr | null = null;
    const havingSubs: Ast[] = [];
    if (ast.having) {
      const hctx: ExprContext = {
        ...ctx,
        scalarSubquery: (sub) => {
          havingSubs.push(sub);
          return col(`__pending${havingSubs.length - 1}`);
        },
      };
      having = post(toColumn(ast.having, hctx), ast.having);
    }
    const keyCols = keys.map((k, i) =>
      k.column.expr.kind === 'col' && k.column.expr.name === keyOut[i] ? k.column : k.column.alias(keyOut[i]!),
    );
    let out = (sets ? new GroupedData(df, keyCols, { kind: 'sets', sets }) : df.groupBy(...keyCols)).agg(
      ...[...aggs.values()].map((a) => new Column(a.expr).alias(a.name)),
    );
    // Scalar subqueries of HAVING join the aggregate's rows, then HAVING filters.
    const subNames: string[] = [];
    for (const sub of havingSubs) {
      const joined = await this.scalar(sub, out, scope, ctes);
      out = joined.df;
      subNames.push(joined.column);
    }
    if (having) out = out.filter(new Column(replacePending(having, subNames)));
    const kept = keepKeys ? keyOut.map((k) => col(k)) : [];
    return { df: out.select(...kept, ...exprs.map((e, i) => new Column(e).alias(names[i]!))), names, exprs };
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

/** ASC / DESC and NULLS FIRST / LAST of an ORDER BY item on a column (SQL's defaults, as Spark's). */
function sortKey(o: Ast, c: Column): Column {
  const desc = String(o.type ?? 'ASC').toUpperCase() === 'DESC';
  const nulls = String(o.nulls ?? '').toUpperCase();
  if (nulls.includes('FIRST')) return desc ? c.descNullsFirst() : c.ascNullsFirst();
  if (nulls.includes('LAST')) return desc ? c.descNullsLast() : c.ascNullsLast();
  return desc ? c.desc() : c.asc();
}

/** Rebuild an expression with each child mapped (for top-down rewrites). */
function rebuild(e: E.Expr, f: (x: E.Expr) => E.Expr): E.Expr {
  const kids = E.exprChildren(e);
  return kids.length ? E.withChildren(e, kids.map(f)) : e;
}

/** Swap the placeholders of scalar subqueries (`__pendingN`) for the columns that hold their values. */
function replacePending(e: E.Expr, names: readonly string[]): E.Expr {
  return E.transformExpr(e, (x) =>
    x.kind === 'col' && x.name.startsWith('__pending') ? E.col(names[Number(x.name.slice(9))]!) : x,
  );
}

function joinHow(item: Ast): string {
  const j = String(item.join).toUpperCase();
  if (j === 'JOIN' || j === 'INNER JOIN') return 'inner';
  if (j.startsWith('LEFT')) return 'left';
  if (j.startsWith('RIGHT')) return 'right';
  if (j.startsWith('FULL')) return 'full';
  if (j.startsWith('CROSS')) return 'cross';
  throw unsupported(item.join, item);
}

function renameAll(rel: Relation, names: string[], node: Ast): Relation {
  if (names.length !== rel.names.length)
    throw new PlanError(
      'SQL_BAD_ALIAS',
      `SQL: ${names.length} column aliases for ${rel.names.length} columns${at(positionOf(node))}`,
    );
  return { df: rel.df.select(...rel.names.map((n, i) => col(n).alias(names[i]!))), names };
}

function walkAst(node: Ast, visit: (n: Ast) => boolean): boolean {
  if (!node || typeof node !== 'object') return false;
  if (visit(node)) return true;
  for (const v of Object.values(node)) if (v && typeof v === 'object' && walkAst(v, visit)) return true;
  return false;
}

function hasSubquery(node: Ast): boolean {
  return walkAst(node, (n) => Boolean(n.ast && n.ast.type === 'select'));
}

function hasAggregate(columns: Ast): boolean {
  return walkAst(columns, (n) => {
    if (n.ast) return false;
    if (n.type === 'aggr_func') return !n.over;
    if (n.type === 'function' && !n.over) return isSqlAggregateName(functionNameOf(n));
    return false;
  });
}

/** Translate a SELECT statement over the catalog's views into a DataFrame. */
export async function sqlToDataFrame(text: string, catalog: SqlCatalog): Promise<DataFrame> {
  const ast = parseSelect(text);
  const rel = await new Translator(catalog).query(ast, null, new Map());
  return rel.df;
}
