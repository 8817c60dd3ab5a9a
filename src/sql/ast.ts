/**
 * Reading node-sql-parser ASTs: identifier and function names, parenthesized subqueries, a
 * predicate's AND conjuncts, and walks that ask whether a node holds a subquery or an aggregate.
 */
import { isSqlAggregateName } from './aggregates.js';
import type { Ast } from './parse.js';

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

/** Split a predicate AST into its top-level AND conjuncts. */
export function conjunctsOf(node: Ast): Ast[] {
  if (node?.type === 'binary_expr' && String(node.operator).toUpperCase() === 'AND')
    return [...conjunctsOf(node.left), ...conjunctsOf(node.right)];
  return [node];
}

/** Whether `visit` holds for a node or any node below it. */
export function walkAst(node: Ast, visit: (n: Ast) => boolean): boolean {
  if (!node || typeof node !== 'object') return false;
  if (visit(node)) return true;
  for (const v of Object.values(node)) if (v && typeof v === 'object' && walkAst(v, visit)) return true;
  return false;
}

export function hasSubquery(node: Ast): boolean {
  return walkAst(node, (n) => Boolean(n.ast && n.ast.type === 'select'));
}

/** Whether a select list (outside subqueries) calls an aggregate that is not a window. */
export function hasAggregate(columns: Ast): boolean {
  return walkAst(columns, (n) => {
    if (n.ast) return false;
    if (n.type === 'aggr_func') return !n.over;
    if (n.type === 'function' && !n.over) return isSqlAggregateName(functionName(n));
    return false;
  });
}
