/**
 * The select list of an ungrouped query for the SQL translator: its items (`*` expanded to the
 * scope's columns, ORDER BY expressions outside the list as extra hidden items) and their
 * projection over the query's frame.
 */
import * as E from '../../planner/expr.js';
import { Column } from '../api/column.js';
import type { DataFrame } from '../api/dataframe.js';
import { columnName } from './ast.js';
import { toColumn } from './expr.js';
import type { Ast } from './parse.js';
import { localColumns, lower, type Projection, type Scope, type Translator } from './scope.js';

/** A select item: its expression (null for a column of `*`, read as `internal`) and output name ('' to derive one). */
export interface SelectItem {
  readonly node: Ast | null;
  readonly name: string;
  readonly internal?: string;
}

/**
 * Select list items as (expression AST, output name); `*` expands to the scope's columns. The
 * `extra` expressions (ORDER BY items outside the list) follow under fresh names.
 */
export function selectItems(t: Translator, ast: Ast, scope: Scope, extra: readonly Ast[]): SelectItem[] {
  const out: SelectItem[] = [];
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
  for (const node of extra) out.push({ node, name: t.fresh('ord') });
  return out;
}

/** An expression over this query's columns only (no aggregates, no outer references). */
export function plainColumn(node: Ast, scope: Scope): Column {
  return toColumn(node, { aggregates: false, column: localColumns(scope, 'an outer reference here') });
}

/** The select list of an ungrouped query (with the `extra` hidden items after it). */
export function project(t: Translator, ast: Ast, df: DataFrame, scope: Scope, extra: readonly Ast[]): Projection {
  const items = selectItems(t, ast, scope, extra);
  const exprs = items.map((it) => (it.node ? plainColumn(it.node, scope).expr : E.col(it.internal!)));
  const names = items.map((it, i) => it.name || E.exprName(exprs[i]!));
  return {
    df: df.select(...exprs.map((e, i) => new Column(e).alias(names[i]!))),
    names,
    exprs,
  };
}
