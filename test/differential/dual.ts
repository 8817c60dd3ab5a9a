/**
 * Differential test, expressions in three forms at once: the Stratus Column, the DuckDB SQL
 * that computes the same thing under Spark's semantics, and the TypeScript source of the Column
 * (for printing a shrunk case as a regression test). Every builder here is one Spark rule:
 * int32 and int64 arithmetic wrap around (non-ANSI), `/` is float division, `/` and `%` by zero
 * are NULL, `%` takes the dividend's sign, comparisons widen numbers, NaN equals NaN.
 *
 * The SQL relies on the macros in `SQL_MACROS` (define them once per DuckDB connection).
 *
 * @example
 * const x = arith('+', colRef('a0', 'int32'), literal('int32', 7)!);
 * x.sql  // wrap32((a0)::BIGINT + (7::INTEGER)::BIGINT)
 * x.code // col('a0').plus(lit(7))
 */
import { type Column, coalesce, col, concat, date, length, lit, when } from '../../src/index.js';
import { MACROS } from '../support/fixtures.js';
import { type ColType, isDecimal, isNumericType, type Value } from './values.js';

export interface Dx {
  readonly col: Column;
  readonly sql: string;
  readonly code: string;
  readonly type: ColType;
}

/**
 * Spark's wrap-around of int32 (wrap32) and int64 (wrap64) results, its NULL for division by zero
 * (sdiv) and its substring (ssubstr): the expression fixtures' macros plus wrap64.
 */
export const SQL_MACROS = [
  ...MACROS,
  `CREATE OR REPLACE MACRO wrap64(x) AS (((x::HUGEINT + 9223372036854775808) % 18446744073709551616 + 18446744073709551616) % 18446744073709551616 - 9223372036854775808)::BIGINT`,
];

export const sqlString = (s: string) => `'${s.replaceAll("'", "''")}'`;
export const codeString = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** DuckDB's name of a column type (for casts). */
export function sqlType(t: ColType): string {
  switch (t) {
    case 'int32':
      return 'INTEGER';
    case 'int64':
      return 'BIGINT';
    case 'float64':
      return 'DOUBLE';
    case 'string':
      return 'VARCHAR';
    case 'bool':
      return 'BOOLEAN';
    case 'date':
      return 'DATE';
    case 'timestamp':
      return 'TIMESTAMPTZ';
    default:
      return t.toUpperCase();
  }
}

export function colRef(name: string, type: ColType): Dx {
  return { col: col(name), sql: name, code: `col('${name}')`, type };
}

/** A number as TypeScript source (NaN, ±Infinity and -0 by name). */
export function numberCode(x: number): string {
  if (Number.isNaN(x)) return 'Number.NaN';
  if (Object.is(x, -0)) return '-0';
  if (!Number.isFinite(x)) return x > 0 ? 'Number.POSITIVE_INFINITY' : 'Number.NEGATIVE_INFINITY';
  return String(x);
}

/** A float64 as SQL: NaN, ±Infinity and -0.0 by name. */
function sqlDouble(v: number): string {
  const text = Number.isNaN(v) ? 'NaN' : Object.is(v, -0) ? '-0.0' : String(v);
  return `'${text}'::DOUBLE`;
}

const INT53 = 2n ** 53n;

/**
 * A literal of `type` (the value comes from the value pool), or null where the public API has
 * no literal for the type (decimals and timestamps: the generator compares those column to column).
 */
export function literal(type: ColType, v: Value): Dx | null {
  if (v === null) return null;
  switch (type) {
    case 'int32':
      return { col: lit(v as number), sql: `(${v})::INTEGER`, code: `lit(${v})`, type };
    case 'int64': {
      const b = v as bigint;
      const small = b < INT53 && b > -INT53;
      // Beyond 2^53 a JS number cannot carry the value: cast its decimal text, as Spark does exactly.
      const c = small ? lit(Number(b)).cast('int64') : lit(String(b)).cast('int64');
      const code = small ? `lit(${b}).cast('int64')` : `lit('${b}').cast('int64')`;
      return { col: c, sql: `(${b})::BIGINT`, code, type };
    }
    case 'float64': {
      const x = v as number;
      // lit() types an integral number as int32; a cast keeps the literal a double.
      const integral = Number.isInteger(x) || Object.is(x, -0);
      const text = numberCode(x);
      return {
        col: integral ? lit(x).cast('float64') : lit(x),
        sql: sqlDouble(x),
        code: integral ? `lit(${text}).cast('float64')` : `lit(${text})`,
        type,
      };
    }
    case 'string':
      return { col: lit(v as string), sql: sqlString(v as string), code: `lit(${codeString(v as string)})`, type };
    case 'bool':
      return { col: lit(v as boolean), sql: String(v), code: `lit(${v})`, type };
    case 'date':
      return { col: date(v as string), sql: `DATE '${v}'`, code: `date('${v}')`, type };
    default:
      return null;
  }
}

/** A typed NULL: lit(null).cast(type). */
export function nullOf(type: ColType): Dx {
  return { col: lit(null).cast(type as never), sql: `NULL::${sqlType(type)}`, code: `lit(null).cast('${type}')`, type };
}

export type CmpOp = '=' | '!=' | '<' | '<=' | '>' | '>=';
const CMP_METHOD: Readonly<Record<CmpOp, 'equalTo' | 'notEqual' | 'lt' | 'leq' | 'gt' | 'geq'>> = {
  '=': 'equalTo',
  '!=': 'notEqual',
  '<': 'lt',
  '<=': 'leq',
  '>': 'gt',
  '>=': 'geq',
};
export const CMP_OPS = Object.keys(CMP_METHOD) as CmpOp[];

/** Whether Spark compares the two types (same type, or both numbers). */
export function comparable(a: ColType, b: ColType): boolean {
  return a === b || (isNumericType(a) && isNumericType(b) && !isDecimal(a) && !isDecimal(b));
}

export function compare(op: CmpOp, a: Dx, b: Dx): Dx {
  const m = CMP_METHOD[op];
  return {
    col: a.col[m](b.col),
    sql: `(${a.sql} ${op === '!=' ? '<>' : op} ${b.sql})`,
    code: `${a.code}.${m}(${b.code})`,
    type: 'bool',
  };
}

export function and(a: Dx, b: Dx): Dx {
  return { col: a.col.and(b.col), sql: `(${a.sql} AND ${b.sql})`, code: `${a.code}.and(${b.code})`, type: 'bool' };
}
export function or(a: Dx, b: Dx): Dx {
  return { col: a.col.or(b.col), sql: `(${a.sql} OR ${b.sql})`, code: `${a.code}.or(${b.code})`, type: 'bool' };
}
export function not(a: Dx): Dx {
  return { col: a.col.not(), sql: `(NOT ${a.sql})`, code: `${a.code}.not()`, type: 'bool' };
}
export function isNull(a: Dx, negated: boolean): Dx {
  return negated
    ? { col: a.col.isNotNull(), sql: `(${a.sql} IS NOT NULL)`, code: `${a.code}.isNotNull()`, type: 'bool' }
    : { col: a.col.isNull(), sql: `(${a.sql} IS NULL)`, code: `${a.code}.isNull()`, type: 'bool' };
}
/** `a IN (values…)`, with a NULL in the list when `withNull` (a non-match is then NULL). */
export function isin(a: Dx, values: readonly Dx[], withNull: boolean): Dx {
  const cols = values.map((v) => v.col);
  const sqls = values.map((v) => v.sql);
  const codes = values.map((v) => v.code);
  return {
    col: withNull ? a.col.isin(...cols, null) : a.col.isin(...cols),
    sql: `(${a.sql} IN (${[...sqls, ...(withNull ? ['NULL'] : [])].join(', ')}))`,
    code: `${a.code}.isin(${[...codes, ...(withNull ? ['null'] : [])].join(', ')})`,
    type: 'bool',
  };
}

export type ArithOp = '+' | '-' | '*' | '/' | '%';
export const ARITH_OPS: readonly ArithOp[] = ['+', '-', '*', '/', '%'];
const ARITH_METHOD: Readonly<Record<ArithOp, 'plus' | 'minus' | 'multiply' | 'divide' | 'mod'>> = {
  '+': 'plus',
  '-': 'minus',
  '*': 'multiply',
  '/': 'divide',
  '%': 'mod',
};

/** Spark's result type of + - * % on two of int32/int64/float64 ('/' is always float64). */
export function arithType(op: ArithOp, a: ColType, b: ColType): ColType {
  if (op === '/' || a === 'float64' || b === 'float64') return 'float64';
  return a === 'int64' || b === 'int64' ? 'int64' : 'int32';
}

export function arith(op: ArithOp, a: Dx, b: Dx): Dx {
  const type = arithType(op, a.type, b.type);
  const m = ARITH_METHOD[op];
  let sql: string;
  if (op === '/') sql = `sdiv(${a.sql}, ${b.sql})`;
  else if (type === 'float64')
    sql =
      op === '%'
        ? `(CASE WHEN ${b.sql} = 0 THEN NULL ELSE (${a.sql})::DOUBLE % (${b.sql})::DOUBLE END)`
        : `((${a.sql})::DOUBLE ${op} (${b.sql})::DOUBLE)`;
  else {
    const wrap = type === 'int32' ? 'wrap32' : 'wrap64';
    const body = `(${a.sql})::HUGEINT ${op} (${b.sql})::HUGEINT`;
    sql = op === '%' ? `(CASE WHEN ${b.sql} = 0 THEN NULL ELSE ${wrap}(${body}) END)` : `${wrap}(${body})`;
  }
  return { col: a.col[m](b.col), sql, code: `${a.code}.${m}(${b.code})`, type };
}

export function negate(a: Dx): Dx {
  const sql =
    a.type === 'float64' ? `(-(${a.sql}))` : `${a.type === 'int32' ? 'wrap32' : 'wrap64'}(-(${a.sql})::HUGEINT)`;
  return { col: a.col.negate(), sql, code: `${a.code}.negate()`, type: a.type };
}

/** Spark's common type of two branches or coalesce arguments (numbers widen), or null if none. */
export function commonType(a: ColType, b: ColType): ColType | null {
  if (a === b) return a;
  if (isNumericType(a) && isNumericType(b) && !isDecimal(a) && !isDecimal(b)) return arithType('+', a, b);
  return null;
}

/** The SQL of `x` cast to `type` when it is not already of it (widening). */
function sqlAs(x: Dx, type: ColType): string {
  return x.type === type ? x.sql : `(${x.sql})::${sqlType(type)}`;
}

export function coalesce2(a: Dx, b: Dx): Dx {
  const type = commonType(a.type, b.type) ?? a.type;
  return {
    col: coalesce(a.col, b.col),
    sql: `COALESCE(${sqlAs(a, type)}, ${sqlAs(b, type)})`,
    code: `coalesce(${a.code}, ${b.code})`,
    type,
  };
}

export function caseWhen(p: Dx, a: Dx, b: Dx): Dx {
  const type = commonType(a.type, b.type) ?? a.type;
  return {
    col: when(p.col, a.col).otherwise(b.col),
    sql: `(CASE WHEN ${p.sql} THEN ${sqlAs(a, type)} ELSE ${sqlAs(b, type)} END)`,
    code: `when(${p.code}, ${a.code}).otherwise(${b.code})`,
    type,
  };
}

/** A widening cast (int32 → int64, int → float64). */
export function cast(a: Dx, to: ColType): Dx {
  return { col: a.col.cast(to as never), sql: `(${a.sql})::${sqlType(to)}`, code: `${a.code}.cast('${to}')`, type: to };
}

/** Characters (code points) in a string: int32 in Spark. */
export function strLength(a: Dx): Dx {
  return { col: length(a.col), sql: `length(${a.sql})::INTEGER`, code: `length(${a.code})`, type: 'int32' };
}

/** Spark's concat: NULL if any argument is NULL (DuckDB's || does the same, its concat() does not). */
export function strConcat(a: Dx, b: Dx): Dx {
  return {
    col: concat(a.col, b.col),
    sql: `(${a.sql} || ${b.sql})`,
    code: `concat(${a.code}, ${b.code})`,
    type: 'string',
  };
}

export function alias(x: Dx, name: string): Dx {
  return { col: x.col.alias(name), sql: `${x.sql} AS ${name}`, code: `${x.code}.alias('${name}')`, type: x.type };
}
