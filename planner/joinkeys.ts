/**
 * Splitting a join condition into equi-join key pairs (one side's columns = the other side's)
 * and a residual condition; key pairs of different numeric types are cast to a common type so
 * equal values hash alike on both sides.
 */
import { typeOf } from './exprType.js';
import type { Expr } from './expr.js';
import { binary, cast, referencedColumns } from './expr.js';
import type { Schema } from './types.js';
import { isNumeric, widen } from './types.js';

export interface JoinKeys {
  readonly leftKeys: Expr[];
  readonly rightKeys: Expr[];
  readonly residual: Expr | null;
}

function conjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

const within = (e: Expr, names: ReadonlySet<string>) => {
  const refs = referencedColumns(e);
  return refs.size > 0 && [...refs].every((r) => names.has(r));
};

export function splitJoinCondition(on: Expr | null, left: Schema, right: Schema): JoinKeys {
  const l = new Set(left.map((f) => f.name));
  const r = new Set(right.map((f) => f.name));
  const leftKeys: Expr[] = [];
  const rightKeys: Expr[] = [];
  const rest: Expr[] = [];
  for (const c of on ? conjuncts(on) : []) {
    if (c.kind === 'binary' && c.op === '=') {
      let a: Expr | null = null;
      let b: Expr | null = null;
      if (within(c.left, l) && within(c.right, r)) [a, b] = [c.left, c.right];
      else if (within(c.left, r) && within(c.right, l)) [a, b] = [c.right, c.left];
      if (a && b) {
        const ta = typeOf(a, left);
        const tb = typeOf(b, right);
        if (ta !== tb && ta !== 'null' && tb !== 'null' && isNumeric(ta) && isNumeric(tb)) {
          const t = widen(ta, tb);
          a = ta === t ? a : cast(a, t);
          b = tb === t ? b : cast(b, t);
        }
        leftKeys.push(a);
        rightKeys.push(b);
        continue;
      }
    }
    rest.push(c);
  }
  return { leftKeys, rightKeys, residual: rest.length ? rest.reduce((x, y) => binary('and', x, y)) : null };
}
