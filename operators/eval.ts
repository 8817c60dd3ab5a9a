/**
 * Expression evaluation: an expression is compiled once per schema into a function from a batch
 * to an operand (a column or a scalar). Columns are resolved to indexes at compile time.
 */
import { typeOf } from '../planner/exprType.js';
import { resolveColumn } from '../planner/columns.js';
import { ExecutionError } from '../planner/errors.js';
import type { Expr } from '../planner/expr.js';
import { assertNever } from '../planner/expr.js';
import type { DataType, Schema } from '../planner/types.js';
import { temporalUnits } from '../planner/time.js';
import { dateToDays, decimalParts, isDecimal, isSmallNumber, isTemporal, storageType } from '../planner/types.js';
import { fits, toUnscaled } from './decimal.js';
import { castVec, narrowVec } from './cast.js';
import { castTyped } from './time/cast.js';
import { kernelFor } from './functions.js';
import {
  arithmetic,
  compare,
  inStrings,
  isArithmetic,
  isComparison,
  logical,
  negateBool,
  nullTest,
} from './kernels.js';
import type { Operand, Scalar } from './scalar.js';
import { firstAsScalar, isScalar, materialize } from './scalar.js';
import type { Batch, BytesVec, Vec } from './vector.js';
import { StringBuilder } from './stringBuilder.js';
import { isValid, newValidity, setValid, toInt64, typedArrayFor, valueAt, vecFromValues } from './vector.js';

export type Evaluator = (b: Batch) => Operand;

/** The items of `x IN (...)` as bytes when x is a string column and every item a non-null string constant, else null. */
function inStringConstants(v: Operand, items: readonly Evaluator[], b: Batch): Uint8Array[] | null {
  if (isScalar(v) || v.type !== 'string') return null;
  const out: Uint8Array[] = [];
  for (const it of items) {
    const c = it(b);
    if (!isScalar(c) || c.type !== 'string' || !(c.value instanceof Uint8Array)) return null;
    out.push(c.value);
  }
  return out;
}

/** Row-wise user functions visible to expressions, by registered name. */
export type UdfTable = ReadonlyMap<string, { fn: (...args: unknown[]) => unknown; returnType: DataType }>;

const encoder = new TextEncoder();

const NULL_STRING: Scalar = Object.freeze({ scalar: true, type: 'string', value: null });

function scalarOf(type: DataType | 'null', value: unknown): Scalar {
  if (type === 'null' || value === null || value === undefined)
    return { scalar: true, type: type === 'null' ? 'string' : storageType(type), value: null };
  if (isTemporal(type)) return { scalar: true, type: 'int64', value: temporalUnits(value, type) };
  switch (type) {
    case 'string':
      return { scalar: true, type, value: encoder.encode(String(value)) };
    case 'binary': // base64 in the plan (lit(Uint8Array))
      return { scalar: true, type, value: new Uint8Array(Buffer.from(String(value), 'base64')) };
    case 'date':
      return { scalar: true, type, value: typeof value === 'string' ? dateToDays(value) : Number(value) };
    case 'bool':
      return { scalar: true, type, value: value ? 1 : 0 };
    case 'int64': {
      const v = toInt64(value);
      if (v === null)
        throw new ExecutionError('INVALID_LITERAL', `${String(value)} is not an int64 literal`, {
          value: String(value),
        });
      return { scalar: true, type, value: v };
    }
    default: {
      if (type === 'uint32') return { scalar: true, type: 'int64', value: BigInt(Number(value)) };
      if (isSmallNumber(type)) {
        const v = castVec(vecFromValues(type, [Number(value)]), type, 1); // a literal of a narrow type is narrowed
        return firstAsScalar(v);
      }
      if (!isDecimal(type)) return { scalar: true, type, value: Number(value) };
      const v = toUnscaled(value, decimalParts(type).scale);
      if (v === null || !fits(v, decimalParts(type).precision))
        throw new ExecutionError('INVALID_LITERAL', `${String(value)} is not a ${type} literal`, {
          value: String(value),
        });
      return { scalar: true, type, value: v };
    }
  }
}

export function compileExpr(e: Expr, schema: Schema, udfs?: UdfTable): Evaluator {
  const t = (x: Expr) => typeOf(x, schema);
  // An expression of type NULL (a NULL literal, -NULL, CASE of NULLs…) is a NULL scalar; the
  // analyzer gives its column the type string.
  if (e.kind !== 'col' && e.kind !== 'udf' && e.kind !== 'agg' && t(e) === 'null') return () => NULL_STRING;
  switch (e.kind) {
    case 'col': {
      const i = resolveColumn(schema, e.name, e.index).index;
      return (b) => b.columns[i]!;
    }
    case 'lit': {
      const s = scalarOf(e.type, e.value);
      return () => s;
    }
    case 'alias':
      return compileExpr(e.input, schema, udfs);
    case 'binary': {
      const l = compileExpr(e.left, schema, udfs);
      const r = compileExpr(e.right, schema, udfs);
      const op = e.op;
      if (op === 'and' || op === 'or') return (b) => logical(op, l(b), r(b), b.length);
      if (isComparison(op)) return (b) => compare(op, l(b), r(b), b.length);
      if (isArithmetic(op)) {
        const outType = t(e) as DataType;
        return (b) => arithmetic(op, l(b), r(b), outType, b.length);
      }
      return assertNever(op as never);
    }
    case 'not': {
      const x = compileExpr(e.input, schema, udfs);
      return (b) => {
        const v = x(b);
        if (isScalar(v)) return { scalar: true, type: 'bool', value: v.value === null ? null : v.value ? 0 : 1 };
        return negateBool(v as Vec & { type: 'bool' });
      };
    }
    case 'neg': {
      const x = compileExpr(e.input, schema, udfs);
      // -1 * x: int32 (int16, int8) wraps and -(0.0) is -0.0, as in Spark.
      const ty = t(e) as DataType;
      const minusOne = isDecimal(ty) ? scalarOf('decimal(1,0)', -1) : scalarOf(ty, -1);
      return (b) => arithmetic('*', minusOne, x(b), ty, b.length);
    }
    case 'isnull': {
      const x = compileExpr(e.input, schema, udfs);
      return (b) => nullTest(x(b), e.negated, b.length);
    }
    case 'cast': {
      const x = compileExpr(e.input, schema, udfs);
      const to = e.to;
      const from = t(e.input);
      const cast = (v: Vec, n: number) => (from === 'null' ? castVec(v, to, n) : castTyped(v, from, to, n));
      return (b) => {
        const v = x(b);
        if (isScalar(v))
          return v.value === null
            ? { scalar: true, type: storageType(to), value: null }
            : firstAsScalar(cast(materialize(v, 1), 1));
        return cast(v, b.length);
      };
    }
    case 'in': {
      const x = compileExpr(e.input, schema, udfs);
      const items = e.list.map((i) => compileExpr(i, schema, udfs));
      return (b) => {
        const v = x(b);
        const strings = inStringConstants(v, items, b);
        if (strings) return inStrings(v as BytesVec, strings, b.length);
        let acc: Operand | null = null;
        for (const it of items) {
          const eq = compare('=', v, it(b), b.length);
          acc = acc ? logical('or', acc, eq, b.length) : eq;
        }
        return acc ?? scalarOf('bool', false);
      };
    }
    case 'case': {
      const conds = e.branches.map((br) => compileExpr(br.when, schema, udfs));
      const thens = e.branches.map((br) => compileExpr(br.then, schema, udfs));
      const other = e.otherwise ? compileExpr(e.otherwise, schema, udfs) : null;
      const outType = t(e) as DataType;
      return (b) => caseWhen(b, conds, thens, other, outType);
    }
    case 'call': {
      const kernel = kernelFor(e.fn);
      const args = e.args.map((a) => compileExpr(a, schema, udfs));
      const outType = t(e) as DataType;
      const argTypes = e.args.map(t);
      const call = (b: Batch) =>
        kernel(
          args.map((a) => a(b)),
          b.length,
          outType,
          argTypes,
        );
      if (!isSmallNumber(outType)) return call;
      // A function of a narrow type computes in its storage: its result wraps or rounds to the type (abs(-128) is -128 as a byte).
      return (b) => {
        const r = call(b);
        return isScalar(r) ? r : narrowVec(r, outType, b.length);
      };
    }
    case 'udf': {
      const u = udfs?.get(e.name);
      if (!u)
        throw new ExecutionError(
          'FUNCTION_NOT_IN_BUNDLE',
          `user function '${e.name}' is not registered in this job's bundle`,
          { function: e.name },
        );
      const args = e.args.map((a) => compileExpr(a, schema, udfs));
      return (b) => {
        const cols = args.map((a) => materialize(a(b), b.length));
        const out: unknown[] = new Array(b.length);
        for (let i = 0; i < b.length; i++) out[i] = u.fn(...cols.map((c) => valueAt(c, i)));
        return vecFromValues(u.returnType, out);
      };
    }
    case 'agg':
      throw new ExecutionError('AGG_IN_SCALAR', 'aggregate function evaluated outside an aggregation');
    case 'window':
      throw new ExecutionError('WINDOW_IN_SCALAR', `window function ${e.fn}() evaluated outside a Window operator`);
    default:
      return assertNever(e);
  }
}

/** CASE: each row takes the first branch whose condition is true (NULL is not), else `other`. */
function caseWhen(
  b: Batch,
  conds: Evaluator[],
  thens: Evaluator[],
  other: Evaluator | null,
  outType: DataType,
): Operand {
  const n = b.length;
  const chosen = new Int32Array(n).fill(-1);
  let remaining = n;
  for (let k = 0; k < conds.length && remaining > 0; k++) {
    const c = conds[k]!(b);
    if (isScalar(c)) {
      if (c.value !== 1) continue;
      for (let i = 0; i < n; i++) if (chosen[i] === -1) chosen[i] = k;
      remaining = 0;
      continue;
    }
    const bits = (c as Extract<Vec, { type: 'bool' }>).values;
    for (let i = 0; i < n; i++) {
      if (chosen[i] === -1 && bits[i] && isValid(c.validity, i)) {
        chosen[i] = k;
        remaining--;
      }
    }
  }
  const sources: (Operand | null)[] = thens.map((th, k) => (chosen.includes(k) ? th(b) : null));
  sources.push(other && remaining > 0 ? other(b) : null);
  for (let i = 0; i < n; i++) if (chosen[i] === -1) chosen[i] = thens.length;
  return gather(sources, chosen, outType, n);
}

/** Row i takes its value from `sources[pick[i]]` (a null source gives NULL). */
function gather(sources: readonly (Operand | null)[], pick: Int32Array, outType: DataType, n: number): Vec {
  const cols = sources.map((o) =>
    o === null || (isScalar(o) && o.value === null) ? null : castVec(materialize(o, n), outType, n),
  );
  const validity = newValidity(n);
  let nulls = false;
  for (let i = 0; i < n; i++) {
    const c = cols[pick[i]!]!;
    if (c === null || !isValid(c.validity, i)) {
      setValid(validity, i, false);
      nulls = true;
    }
  }
  if (outType === 'string' || outType === 'binary') {
    const ss = cols as (BytesVec | null)[];
    const out = new StringBuilder(
      n,
      ss.reduce((t, c) => t + (c ? c.data.length : 0), 0),
    );
    for (let i = 0; i < n; i++) {
      const c = ss[pick[i]!];
      if (c && isValid(validity, i)) out.append(c.data, c.offsets[i]!, c.offsets[i + 1]!);
      out.end(i);
    }
    return { ...out.build(nulls ? validity : null), type: outType };
  }
  const out = typedArrayFor(outType, n);
  const arrays = cols.map((c) => (c === null ? null : (c as Extract<Vec, { values: unknown }>).values));
  for (let i = 0; i < n; i++) {
    const a = arrays[pick[i]!];
    if (a) out[i] = a[i]! as never; // every source has the output's type
  }
  return { type: storageType(outType), values: out, validity: nulls ? validity : null } as Vec;
}
