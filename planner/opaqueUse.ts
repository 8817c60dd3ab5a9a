/**
 * Where a column of an opaque type (list, struct, map, uuid, … — see `isOpaque`) may appear:
 * as a bare column (possibly renamed) that passes through, under IS [NOT] NULL, and as the
 * argument of count() or first() (dropDuplicates); a list column as the list of size() / array_contains(). Anything else — arithmetic, comparison, cast, function, grouping, join
 * or sort key, any other aggregate — is refused at plan time, naming the column and its type.
 */
import { resolveColumn } from './columns.js';
import type { Expr } from './expr.js';
import { exprChildren, exprToString } from './expr.js';
import { isListFunction } from './listFunctions.js';
import type { Schema } from './types.js';
import { isOpaque, unsupportedType } from './types.js';

/**
 * Throw if `e` computes on an opaque column. `passthrough`: the expression's value is a column
 * of the output (a projection), so a bare opaque column is fine there.
 * @example checkOpaqueUse(col('tags').eq(lit(1)), schema, 'filter', false) // throws naming tags
 */
export function checkOpaqueUse(e: Expr, schema: Schema, use: string, passthrough: boolean): void {
  const typeOfCol = (c: Expr) => (c.kind === 'col' ? resolveColumn(schema, c.name, c.index).field.type : '');
  const visit = (x: Expr, top: boolean): void => {
    switch (x.kind) {
      case 'alias':
        visit(x.input, top);
        return;
      case 'col': {
        if (top) return;
        const f = resolveColumn(schema, x.name, x.index).field;
        if (isOpaque(f.type)) throw unsupportedType(f.name, f.type, `${use} ${exprToString(e)}`);
        return;
      }
      case 'call':
        // size / array_contains read a list column.
        if (isListFunction(x.fn) && x.args[0]?.kind === 'col' && /^list</.test(typeOfCol(x.args[0]))) {
          visit(x.args[0], true);
          for (const a of x.args.slice(1)) visit(a, false);
          return;
        }
        break;
      case 'isnull':
        // Only the validity is read.
        visit(x.input, x.input.kind === 'col');
        return;
      case 'agg':
        if ((x.fn === 'count' || x.fn === 'first') && x.arg?.kind === 'col') {
          visit(x.arg, true);
          return;
        }
        break;
      default:
        break;
    }
    for (const c of exprChildren(x)) visit(c, false);
  };
  visit(e, passthrough);
}

/** Throw if any named column of `schema` is opaque: `use` needs their values (keys, row functions). */
export function checkColumnsComputable(schema: Schema, names: readonly string[], use: string): void {
  for (const n of names) {
    const f = resolveColumn(schema, n).field;
    if (isOpaque(f.type)) throw unsupportedType(f.name, f.type, use);
  }
}
