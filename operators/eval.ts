/**
 * Expression evaluation: an expression is compiled once per schema into a function from a batch
 * to an operand (a column or a scalar). Columns are resolved to indexes at compile time.
 */
import { resolveColumn, typeOf } from '../planner/analyzer.js';
import { ExecutionError } from '../planner/errors.js';
import type { Expr } from '../planner/expr.js';
import { assertNever } from '../planner/expr.js';
import type { DataType, Schema } from '../planner/types.js';
import { dateToDays, daysToDate } from '../planner/types.js';
import { FUNCTION_KERNELS, kernelFor } from './functions.js';
import { arithmetic, compare, isArithmetic, isComparison, logical, negateBool, nullTest } from './kernels.js';
import type { Operand, Scalar } from './scalar.js';
import { isScalar, materialize } from './scalar.js';
import type { Batch, Vec } from './vector.js';
import { isValid, newValidity, setValid, valueAt, vecFromValues } from './vector.js';

export type Evaluator = (b: Batch) => Operand;

/** Row-wise user functions visible to expressions, by registered name. */
export type UdfTable = ReadonlyMap<string, { fn: (...args: unknown[]) => unknown; returnType: DataType }>;

const encoder = new TextEncoder();

export function scalarOf(type: DataType | 'null', value: unknown): Scalar {
  if (type === 'null' || value === null || value === undefined) return { scalar: true, type: type === 'null' ? 'string' : type, value: null };
  switch (type) {
    case 'string':
      return { scalar: true, type, value: encoder.encode(String(value)) };
    case 'date':
      return { scalar: true, type, value: typeof value === 'string' ? dateToDays(value) : Number(value) };
    case 'bool':
      return { scalar: true, type, value: value ? 1 : 0 };
    default:
      return { scalar: true, type, value: Number(value) };
  }
}

export function compileExpr(e: Expr, schema: Schema, udfs?: UdfTable): Evaluator {
  const t = (x: Expr) => typeOf(x, schema);
  switch (e.kind) {
    case 'col': {
      const i = resolveColumn(schema, e.name).index;
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
        const out = t(e);
        const outType: DataType = out === 'null' ? 'float64' : out === 'date' ? 'date' : out;
        return (b) => arithmetic(op, l(b), r(b), outType, b.length);
      }
      return assertNever(op as never);
    }
    case 'not': {
      const x = compileExpr(e.input, schema, udfs);
      return (b) => {
        const v = x(b);
        if (isScalar(v)) return { ...v, value: v.value === null ? null : v.value ? 0 : 1 };
        return negateBool(v as Vec & { type: 'bool' });
      };
    }
    case 'neg': {
      const x = compileExpr(e.input, schema, udfs);
      const ty = t(e) as DataType;
      return (b) => arithmetic('-', scalarOf(ty, 0), x(b), ty, b.length);
    }
    case 'isnull': {
      const x = compileExpr(e.input, schema, udfs);
      return (b) => nullTest(x(b), e.negated, b.length);
    }
    case 'cast': {
      const x = compileExpr(e.input, schema, udfs);
      const from = t(e.input);
      return (b) => castVec(materialize(x(b), b.length), from === 'null' ? 'string' : from, e.to, b.length);
    }
    case 'in': {
      const x = compileExpr(e.input, schema, udfs);
      const items = e.list.map((i) => compileExpr(i, schema, udfs));
      return (b) => {
        const v = x(b);
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
      const outT = t(e);
      const outType: DataType = outT === 'null' ? 'string' : outT;
      return (b) => caseWhen(b, conds, thens, other, outType);
    }
    case 'call': {
      const kernel = kernelFor(e.fn);
      const args = e.args.map((a) => compileExpr(a, schema, udfs));
      const outType = t(e) as DataType;
      if (!FUNCTION_KERNELS[e.fn]) throw new ExecutionError('UNKNOWN_FUNCTION', `unknown function ${e.fn}`);
      return (b) => kernel(args.map((a) => a(b)), b.length, outType);
    }
    case 'udf': {
      const u = udfs?.get(e.name);
      if (!u) throw new ExecutionError('UNREGISTERED_FUNCTION', `user function '${e.name}' is not registered in this job's bundle`, { function: e.name });
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
    default:
      return assertNever(e);
  }
}

function caseWhen(b: Batch, conds: Evaluator[], thens: Evaluator[], other: Evaluator | null, outType: DataType): Vec {
  const n = b.length;
  const chosen = new Int32Array(n).fill(-1);
  let remaining = n;
  for (let k = 0; k < conds.length && remaining > 0; k++) {
    const c = materialize(conds[k]!(b), n) as Vec & { type: 'bool' };
    for (let i = 0; i < n; i++) if (chosen[i] === -1 && c.values[i] && isValid(c.validity, i)) (chosen[i] = k, remaining--);
  }
  const branchVals = thens.map((th) => materialize(th(b), n));
  const otherVal = other ? materialize(other(b), n) : null;
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const k = chosen[i]!;
    const src = k >= 0 ? branchVals[k]! : otherVal;
    out[i] = src ? valueAt(src, i) : null;
  }
  return vecFromValues(outType, out);
}

function castVec(v: Vec, from: DataType, to: DataType, n: number): Vec {
  if (from === to) return v;
  if (v.type !== 'string' && to !== 'string' && to !== 'bool' && from !== 'bool') {
    const out = to === 'int32' || to === 'date' ? new Int32Array(n) : new Float64Array(n);
    const trunc = to === 'int32' || to === 'int64';
    for (let i = 0; i < n; i++) out[i] = trunc ? Math.trunc(v.values[i]!) : v.values[i]!;
    return { type: to, values: out, validity: v.validity } as Vec;
  }
  const out: unknown[] = new Array(n);
  const validity = newValidity(n);
  for (let i = 0; i < n; i++) {
    const x = valueAt(v, i);
    const y = castValue(x, from, to);
    if (y === null) setValid(validity, i, false);
    out[i] = y;
  }
  return vecFromValues(to, out);
}

function castValue(x: unknown, from: DataType, to: DataType): unknown {
  if (x === null) return null;
  switch (to) {
    case 'string':
      return from === 'date' ? daysToDate(x as number) : String(x);
    case 'bool':
      return typeof x === 'string' ? (['true', '1'].includes(x.toLowerCase()) ? true : ['false', '0'].includes(x.toLowerCase()) ? false : null) : Boolean(x);
    case 'date':
      if (typeof x === 'string') {
        try {
          return dateToDays(x.trim());
        } catch {
          return null;
        }
      }
      return x;
    default: {
      const num = typeof x === 'string' ? Number(x.trim()) : Number(x);
      if (!Number.isFinite(num) || (typeof x === 'string' && x.trim() === '')) return null;
      return to === 'float64' ? num : Math.trunc(num);
    }
  }
}
