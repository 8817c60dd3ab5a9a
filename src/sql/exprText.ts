/**
 * SQL expression text → Column, on the same translator as `session.sql`: `expr('a + 1 as b')`,
 * `df.selectExpr(...)`, `df.filter('id > 5')`. Names resolve against the frame the Column is
 * used in (as `col()`); aggregates are allowed (for `agg(expr('sum(x)'))`); subqueries are not.
 */
import { PlanError } from '../../planner/errors.js';
import type { Column } from '../api/column.js';
import { col } from '../api/functions.js';
import { type Ast, parseSelect, unsupported } from './parse.js';
import { toColumn } from './expr.js';

const PREFIX = 'select ';

/** Parse one expression, with an optional `AS name`. Positions are the text's own. */
function parseOne(text: string): Ast {
  if (typeof text !== 'string' || !text.trim())
    throw new PlanError('SQL_PARSE', `SQL: expected an expression, got ${JSON.stringify(text)}`);
  let ast: Ast;
  try {
    ast = parseSelect(PREFIX + text);
  } catch (e) {
    const err = e as PlanError;
    const d = err.details ?? {};
    if (err.code === 'SQL_PARSE' && d.line === 1 && typeof d.column === 'number') {
      const column = d.column - PREFIX.length;
      throw new PlanError('SQL_PARSE', `SQL: syntax error in expression ${JSON.stringify(text)} at column ${column}`, {
        ...d,
        column,
        expression: text,
      });
    }
    throw e;
  }
  if (ast.from?.length || ast.where || ast.groupby?.columns?.length || ast.orderby || ast.limit?.value?.length)
    throw new PlanError('SQL_PARSE', `SQL: expected one expression, got a query: ${JSON.stringify(text)}`, {
      expression: text,
    });
  if ((ast.columns ?? []).length !== 1)
    throw new PlanError(
      'SQL_PARSE',
      `SQL: expected one expression, got ${(ast.columns ?? []).length} in ${JSON.stringify(text)}`,
      { expression: text },
    );
  return ast.columns[0];
}

/**
 * A Column from SQL expression text, Spark's `expr()`. Column names are unqualified.
 * @example df.select(expr('l_extendedprice * (1 - l_discount) as revenue'))
 * @example df.groupBy('k').agg(expr('count(distinct v)'))
 */
export function expr(text: string): Column {
  const item = parseOne(text);
  const c = toColumn(item.expr, {
    aggregates: true,
    column: (table, name, node) => {
      if (table !== null) throw unsupported(`a qualified name '${table}.${name}' in an expression`, node);
      return col(name);
    },
  });
  return item.as ? c.alias(String(item.as)) : c;
}
