/**
 * Expression typing: the result type of an expression over a schema, as Spark types it (numeric
 * widening, decimal arithmetic's precision and scale, comparable types, CASE branches unified).
 * Unknown columns, functions and type errors fail here, naming the expression at fault.
 */
import { aggCallType } from './aggregates.js';
import { PlanError, SchemaError, listNames } from './errors.js';
import { resolveColumn } from './columns.js';
import type { Expr, ExprOf } from './expr.js';
import { assertNever, containsAgg, exprToString } from './expr.js';
import { FUNCTIONS, functionSignature } from './functions.js';
import { windowType } from './window.js';
import { castAllowed } from './timeCasts.js';
import type { DataType, DecimalType, Schema } from './types.js';
import {
  arithmeticType,
  asDecimal,
  boundedDecimal,
  commonTemporalType,
  computeType,
  decimalParts,
  isBytes,
  isDataType,
  isDecimal,
  isFloating,
  isIntegral,
  isNumeric,
  isOpaque,
  isTemporal,
  widen,
} from './types.js';

export type ExprType = DataType | 'null';

export const typeError = (e: Expr, msg: string): SchemaError =>
  new SchemaError('TYPE_MISMATCH', `type error in ${exprToString(e)}: ${msg}`, { expression: exprToString(e) });

/** The result type of an expression over a schema (throws on unknown columns and type errors). */
export function typeOf(e: Expr, schema: Schema): ExprType {
  switch (e.kind) {
    case 'col':
      return resolveColumn(schema, e.name, e.index).field.type;
    case 'lit':
      return e.type;
    case 'alias':
      return typeOf(e.input, schema);
    case 'neg': {
      const t = typeOf(e.input, schema);
      if (t !== 'null' && !isNumeric(t)) throw typeError(e, `cannot negate a ${t}`);
      return t === 'null' ? t : computeType(t);
    }
    case 'not': {
      const t = typeOf(e.input, schema);
      if (t !== 'null' && t !== 'bool') throw typeError(e, `NOT needs a bool, got ${t}`);
      return 'bool';
    }
    case 'cast': {
      const from = typeOf(e.input, schema);
      if (
        (isDecimal(e.to) && from === 'date') ||
        (from !== 'null' && isDecimal(from) && e.to === 'date') ||
        !castAllowed(from, e.to)
      )
        throw typeError(e, `cannot cast ${from} to ${e.to}`);
      // A binary converts only to and from a string (its UTF-8 bytes), as in Spark.
      if ((from === 'binary' || e.to === 'binary') && ((from !== 'null' && !isBytes(from)) || !isBytes(e.to)))
        throw typeError(e, `cannot cast ${from} to ${e.to}`);
      return e.to;
    }
    case 'isnull':
      typeOf(e.input, schema);
      return 'bool';
    case 'in': {
      const t = typeOf(e.input, schema);
      for (const x of e.list) {
        const u = typeOf(x, schema);
        if (!comparable(t, u)) throw typeError(e, `cannot compare ${t} with ${u}`);
      }
      return 'bool';
    }
    case 'case': {
      let out: ExprType = 'null';
      for (const b of e.branches) {
        const w = typeOf(b.when, schema);
        if (w !== 'bool' && w !== 'null') throw typeError(e, `WHEN needs a bool condition, got ${w}`);
        out = unify(e, out, typeOf(b.then, schema));
      }
      if (e.otherwise) out = unify(e, out, typeOf(e.otherwise, schema));
      return out;
    }
    case 'binary':
      return binaryType(e, typeOf(e.left, schema), typeOf(e.right, schema));
    case 'call': {
      const sig = functionSignature(e.fn);
      if (!sig)
        throw new PlanError(
          'UNKNOWN_FUNCTION',
          `unknown function '${e.fn}'; known functions are ${listNames(Object.keys(FUNCTIONS))}`,
          { function: e.fn },
        );
      if (e.args.length < sig.minArgs || e.args.length > sig.maxArgs)
        throw typeError(e, `${e.fn} takes ${sig.minArgs}..${sig.maxArgs} arguments, got ${e.args.length}`);
      const args = e.args.map((a) => typeOf(a, schema));
      const r = sig.result(
        args,
        e.args.map((a) => (a.kind === 'lit' ? a.value : undefined)),
      );
      if (isDataType(r) || isOpaque(r as DataType)) return r as DataType; // list<…> results (split)
      throw typeError(e, `${e.fn} expects ${r}, got ${args.join(', ') || 'no arguments'}`);
    }
    case 'agg': {
      const args = e.arg ? [e.arg, ...(e.more ?? [])] : [];
      if (args.some(containsAgg)) throw typeError(e, 'aggregate functions cannot be nested');
      const [t = null, ...more] = args.map((a) => typeOf(a, schema));
      const r = aggCallType(e.fn, t, { more, options: e.options ?? {} });
      if ('error' in r) throw typeError(e, r.error);
      return r.type;
    }
    case 'udf':
      for (const a of e.args) typeOf(a, schema);
      return e.returns;
    case 'window':
      // Only a projection may hold one (select / withColumn); it is extracted into a Window node.
      windowType(e, schema, typeOf);
      throw new PlanError(
        'WINDOW_NOT_ALLOWED',
        `window function ${e.fn}() is allowed only in select() / withColumn(), not in ${exprToString(e)}`,
        { function: e.fn },
      );
    default:
      return assertNever(e);
  }
}

export function comparable(a: ExprType, b: ExprType): boolean {
  if (a === 'null' || b === 'null') return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (a === b || commonTemporalType(a, b) !== null) return true;
  // Strings compared with timestamps and times are read as them (literals when the plan is bound).
  return (isTemporal(a) && b === 'string') || (isTemporal(b) && a === 'string');
}

export function unify(e: Expr, a: ExprType, b: ExprType): ExprType {
  if (a === 'null') return b;
  if (b === 'null') return a;
  if (isNumeric(a) && isNumeric(b)) return widen(a, b);
  if (a !== b) {
    const t = commonTemporalType(a, b);
    if (t) return t;
    throw typeError(e, `branches have different types ${a} and ${b}`);
  }
  return a;
}

function binaryType(e: ExprOf<'binary'>, l: ExprType, r: ExprType): ExprType {
  switch (e.op) {
    case 'and':
    case 'or':
      if ((l !== 'bool' && l !== 'null') || (r !== 'bool' && r !== 'null'))
        throw typeError(e, `${e.op.toUpperCase()} needs bool operands, got ${l} and ${r}`);
      return 'bool';
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (!comparable(l, r)) throw typeError(e, `cannot compare ${l} with ${r}`);
      return 'bool';
    case '+':
    case '-':
      if (l === 'date' && (r === 'null' || isIntegral(r))) return 'date';
      if (e.op === '-' && l === 'date' && r === 'date') return 'int32';
      if ((l !== 'null' && isTemporal(l)) || (r !== 'null' && isTemporal(r)))
        throw typeError(
          e,
          `arithmetic '${e.op}' on ${l} and ${r}: add or subtract an interval (col.plus(interval({ hours: 1 }))), or compare unix_timestamp() values`,
        );
      return numericType(e, l, r);
    case '*':
    case '%':
      return numericType(e, l, r);
    case '/':
      if ((l !== 'null' && !isNumeric(l)) || (r !== 'null' && !isNumeric(r)))
        throw typeError(e, `arithmetic '/' needs numbers, got ${l} and ${r}`);
      return decimalArithmetic('/', l, r) ?? 'float64';
    default:
      return assertNever(e.op);
  }
}

function numericType(e: ExprOf<'binary'>, l: ExprType, r: ExprType): ExprType {
  if (l === 'null' || r === 'null') return l === 'null' ? (r === 'null' ? 'float64' : r) : l;
  if (!isNumeric(l) || !isNumeric(r)) throw typeError(e, `arithmetic '${e.op}' needs numbers, got ${l} and ${r}`);
  return decimalArithmetic(e.op as '+' | '-' | '*' | '%', l, r) ?? arithmeticType(l, r);
}

/**
 * Spark's result type of decimal arithmetic (an integer operand counts as decimal(10,0) or
 * decimal(20,0), a double makes the result a double): + and - keep the larger scale and one more
 * integer digit, * adds precisions and scales, / keeps at least 6 fraction digits, and a precision
 * beyond 38 gives up scale (not below 6) to keep the integer digits. Null when no decimal is involved.
 */
function decimalArithmetic(op: '+' | '-' | '*' | '/' | '%', l: ExprType, r: ExprType): DecimalType | null {
  if (l === 'null' || r === 'null' || isFloating(l) || isFloating(r)) return null;
  if (!isDecimal(l) && !isDecimal(r)) return null;
  const a = asDecimal(l);
  const b = asDecimal(r);
  if (!a || !b) return null;
  const { precision: p1, scale: s1 } = decimalParts(a);
  const { precision: p2, scale: s2 } = decimalParts(b);
  switch (op) {
    case '+':
    case '-': {
      const s = Math.max(s1, s2);
      return boundedDecimal(Math.max(p1 - s1, p2 - s2) + s + 1, s);
    }
    case '*':
      return boundedDecimal(p1 + p2 + 1, s1 + s2);
    case '/': {
      const s = Math.max(6, s1 + p2 + 1);
      return boundedDecimal(p1 - s1 + s2 + s, s);
    }
    case '%': {
      const s = Math.max(s1, s2);
      return boundedDecimal(Math.min(p1 - s1, p2 - s2) + s, s);
    }
  }
}

/** A column's type for an expression's: the NULL literal's type becomes string. */
export const concrete = (t: ExprType): DataType => (t === 'null' ? 'string' : t);
