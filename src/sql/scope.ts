/**
 * What the SQL translator works with: the session's catalog, a query's result (Relation), the
 * FROM items in scope (nested for subqueries) and how a column reference resolves in them, and
 * the translator's interface that the FROM, subquery and SELECT-list parts call back into.
 */
import { PlanError, listNames } from '../../planner/errors.js';
import type * as E from '../../planner/expr.js';
import type { Column } from '../api/column.js';
import type { DataFrame } from '../api/dataframe.js';
import { col } from '../api/functions.js';
import type { ExprContext } from './expr.js';
import { type Ast, at, positionOf, unsupported } from './parse.js';

/** What the translator needs from the session: the registered views and their column names. */
export interface SqlCatalog {
  view(name: string): DataFrame | undefined;
  viewNames(): string[];
  columnsOf(df: DataFrame): Promise<string[]>;
}

/** A query's result: its DataFrame and output column names (its columns, in order). */
export interface Relation {
  readonly df: DataFrame;
  readonly names: readonly string[];
}

/** A select's result with the expression of each output column (ORDER BY matches on them). */
export type Projection = Relation & { exprs: E.Expr[] };

/** The WITH queries visible here, by lower-case name. */
export type Ctes = ReadonlyMap<string, Relation>;

/** One FROM item in scope: its qualifier and its columns (SQL name → name in the joined frame). */
export interface Rel {
  readonly qual: string;
  readonly cols: readonly { readonly name: string; readonly internal: string }[];
}

export interface Scope {
  readonly rels: readonly Rel[];
  readonly parent: Scope | null;
}

interface Resolved {
  readonly depth: number;
  readonly rel: number;
  readonly internal: string;
}

/** FROM and WHERE of a query: the joined, filtered frame, its scope, and the conjuncts that reference an outer query. */
export interface Core {
  readonly df: DataFrame;
  readonly scope: Scope;
  readonly correlated: Ast[];
}

/** A GROUP BY key: its column and output name (null: the column's own name, or a fresh one). */
export interface GroupKey {
  readonly column: Column;
  readonly name: string | null;
}

/** The translator of one statement, as the FROM, subquery and SELECT-list parts call it. */
export interface Translator {
  readonly catalog: SqlCatalog;
  /** A fresh internal column name. */
  fresh(prefix: string): string;
  query(ast: Ast, parent: Scope | null, ctes: Ctes): Promise<Relation>;
  core(ast: Ast, parent: Scope | null, ctes: Ctes): Promise<Core>;
  finishRelation(ast: Ast, df: DataFrame, scope: Scope, ctes: Ctes): Promise<Relation>;
  /** A grouped select (grouped.ts). */
  aggregate(
    ast: Ast,
    df: DataFrame,
    scope: Scope,
    keys: readonly GroupKey[],
    ctes: Ctes,
    options?: AggregateOptions,
  ): Promise<Projection>;
}

/** A grouped select's options: keep the keys ahead of the output, hidden ORDER BY items, grouping sets. */
export interface AggregateOptions {
  /** Output the keys first (a correlated scalar subquery joins on them). */
  readonly keepKeys?: boolean;
  /** ORDER BY expressions outside the select list, output after it under fresh names. */
  readonly extra?: readonly Ast[];
  /** GROUP BY ROLLUP / CUBE / GROUPING SETS: the grouping sets, as positions in the keys. */
  readonly sets?: number[][] | null;
}

export const and = (xs: readonly Column[]): Column => xs.reduce((a, b) => a.and(b));
export const lower = (s: string) => s.toLowerCase();

/** A column reference in `scope`: `depth` counts the queries out, `rel` the FROM item. */
export function resolve(scope: Scope, table: string | null, name: string, node: Ast): Resolved {
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

/** Column references of this query only: an outer reference is refused as `what`. */
export function localColumns(scope: Scope, what: string): ExprContext['column'] {
  return (table, name, node) => {
    const r = resolve(scope, table, name, node);
    if (r.depth > 0) throw unsupported(what, node);
    return col(r.internal);
  };
}

export const allRels = (scope: Scope): Rel[] => [...scope.rels, ...(scope.parent ? allRels(scope.parent) : [])];

function unknownColumn(scope: Scope, table: string | null, name: string, node: Ast): PlanError {
  const known = [...new Set(allRels(scope).flatMap((r) => r.cols.map((c) => c.name)))];
  const full = table === null ? name : `${table}.${name}`;
  return new PlanError(
    'SQL_UNKNOWN_COLUMN',
    `SQL: unknown column '${full}'${at(positionOf(node))}; columns in scope: ${listNames(known.slice(0, 40))}${known.length > 40 ? ', …' : ''}`,
    { column: full },
  );
}
