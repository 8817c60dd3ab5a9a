/**
 * constant_folding: evaluates operations on literals at plan time. Decimal literals are folded
 * exactly (0.06 + 0.01 is 0.07, not 0.06999999999999999): + - * on literals with a decimal
 * text form are computed on scaled integers; int64 literals exactly, as BigInts.
 */
import type { Expr, ExprOf } from '../../expr.js';
import { lit, transformExpr } from '../../expr.js';
import type { PlanNode } from '../../plan.js';
import { dateToDays, daysToDate, isSmallNumber, isTemporal } from '../../types.js';
import type { Rule } from '../rule.js';

function decimalParts(x: number): { digits: bigint; scale: number } | null {
  const s = String(x);
  if (/e/i.test(s)) return null;
  const [int, frac = ''] = s.split('.');
  return { digits: BigInt(int! + frac), scale: frac.length };
}

function fromScaled(digits: bigint, scale: number): number {
  const neg = digits < 0n;
  let s = (neg ? -digits : digits).toString().padStart(scale + 1, '0');
  if (scale > 0) s = `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return Number(neg ? `-${s}` : s);
}

/** Exact decimal + - * of two numbers given by their shortest decimal text. */
function exactDecimal(op: '+' | '-' | '*', a: number, b: number): number {
  const x = decimalParts(a);
  const y = decimalParts(b);
  if (!x || !y) return op === '+' ? a + b : op === '-' ? a - b : a * b;
  if (op === '*') return fromScaled(x.digits * y.digits, x.scale + y.scale);
  const scale = Math.max(x.scale, y.scale);
  const xd = x.digits * 10n ** BigInt(scale - x.scale);
  const yd = y.digits * 10n ** BigInt(scale - y.scale);
  return fromScaled(op === '+' ? xd + yd : xd - yd, scale);
}

const isTemporalLit = (x: ExprOf<'lit'>) => x.type !== 'null' && isTemporal(x.type);

function foldBinary(e: ExprOf<'binary'>): Expr {
  const { left: l, right: r, op } = e;
  if (op === 'and' || op === 'or') {
    const isTrue = (x: Expr) => x.kind === 'lit' && x.value === true;
    const isFalse = (x: Expr) => x.kind === 'lit' && x.value === false;
    if (op === 'and') {
      if (isTrue(l)) return r;
      if (isTrue(r)) return l;
      if (isFalse(l) || isFalse(r)) return lit(false);
    } else {
      if (isFalse(l)) return r;
      if (isFalse(r)) return l;
      if (isTrue(l) || isTrue(r)) return lit(true);
    }
    return e;
  }
  if (l.kind !== 'lit' || r.kind !== 'lit' || l.value === null || r.value === null) return e;
  if (isTemporalLit(l) || isTemporalLit(r)) return e; // timestamps and times are compared when the job runs
  if (isSmallNumber(l.type) || isSmallNumber(r.type)) return e; // narrow numbers wrap and round when the job runs
  if (l.type === 'date' && (op === '+' || op === '-') && typeof r.value === 'number') {
    return lit(daysToDate(dateToDays(l.value as string) + (op === '+' ? r.value : -r.value)), 'date');
  }
  if (l.type === 'int64' || r.type === 'int64') return foldLong(e, l, r);
  const a = l.type === 'date' ? dateToDays(l.value as string) : l.value;
  const b = r.type === 'date' ? dateToDays(r.value as string) : r.value;
  switch (op) {
    case '+':
    case '-':
    case '*': {
      if (typeof a !== 'number' || typeof b !== 'number') return e;
      const v = exactDecimal(op, a, b);
      const isInt = l.type !== 'float64' && r.type !== 'float64';
      const type = isInt ? 'int32' : 'float64';
      // int32 arithmetic wraps on overflow, as in Spark (and as the kernels do at run time).
      return lit(type === 'int32' ? v | 0 : v, type);
    }
    case '/':
      return typeof a === 'number' && typeof b === 'number' && b !== 0 ? lit(a / b, 'float64') : e;
    case '=':
      return lit(a === b);
    case '!=':
      return lit(a !== b);
    case '<':
      return lit(a < b);
    case '<=':
      return lit(a <= b);
    case '>':
      return lit(a > b);
    case '>=':
      return lit(a >= b);
    default:
      return e;
  }
}

/**
 * Literals where one side is an int64 (its value a decimal string when beyond 2^53): with an
 * integer, exactly and wrapping to 64 bits as the kernels do; with a double, as doubles.
 */
function foldLong(e: ExprOf<'binary'>, l: ExprOf<'lit'>, r: ExprOf<'lit'>): Expr {
  const integral = (x: ExprOf<'lit'>) => x.type === 'int32' || x.type === 'int64';
  if (!integral(l) || !integral(r)) {
    if ((l.type !== 'float64' && !integral(l)) || (r.type !== 'float64' && !integral(r))) return e;
    return foldBinary({ ...e, left: lit(Number(l.value), 'float64'), right: lit(Number(r.value), 'float64') });
  }
  const a = BigInt(l.value as string | number);
  const b = BigInt(r.value as string | number);
  const long = (v: bigint) => lit(String(BigInt.asIntN(64, v)), 'int64');
  switch (e.op) {
    case '+':
      return long(a + b);
    case '-':
      return long(a - b);
    case '*':
      return long(a * b);
    case '%':
      return b === 0n ? e : long(a % b);
    case '/':
      return b === 0n ? e : lit(Number(a) / Number(b), 'float64');
    case '=':
      return lit(a === b);
    case '!=':
      return lit(a !== b);
    case '<':
      return lit(a < b);
    case '<=':
      return lit(a <= b);
    case '>':
      return lit(a > b);
    case '>=':
      return lit(a >= b);
    default:
      return e;
  }
}

function foldExpr(e: Expr): Expr {
  return transformExpr(e, (x) => {
    if (x.kind === 'binary') return foldBinary(x);
    if (x.kind === 'not' && x.input.kind === 'lit' && typeof x.input.value === 'boolean') return lit(!x.input.value);
    if (x.kind === 'neg' && x.input.kind === 'lit' && typeof x.input.value === 'number')
      return lit(-x.input.value, x.input.type as 'float64');
    if (
      x.kind === 'call' &&
      x.fn === 'date_add' &&
      x.args[0]!.kind === 'lit' &&
      x.args[1]!.kind === 'lit' &&
      x.args[0]!.value !== null &&
      typeof x.args[1]!.value === 'number'
    ) {
      return lit(daysToDate(dateToDays(x.args[0]!.value as string) + x.args[1]!.value), 'date');
    }
    return x;
  });
}

export const constantFolding: Rule = {
  name: 'constant_folding',
  rewrite(node: PlanNode): PlanNode {
    switch (node.kind) {
      case 'Filter':
        return { ...node, predicate: foldExpr(node.predicate) };
      case 'Project':
        return { ...node, exprs: node.exprs.map(foldExpr) };
      case 'Aggregate':
        return { ...node, keys: node.keys.map(foldExpr), aggs: node.aggs.map(foldExpr) };
      case 'Join':
        return node.on ? { ...node, on: foldExpr(node.on) } : node;
      case 'Scan':
        return { ...node, filters: node.filters.map(foldExpr) };
      default:
        return node;
    }
  },
};
