/**
 * Differential test, scalar functions: one entry per DSL function the generator calls in
 * computed columns — the argument types it fits and how it is built in the three forms (the
 * Stratus Column, DuckDB SQL with Spark's semantics, the TypeScript source). `n` is the
 * function's own choice number (literal arguments: substring positions, day counts, patterns).
 *
 * @example
 * FUNCTIONS.find((f) => f.name === 'upper')!.make(colRef('a1', 'string'), 0, null)
 */
import { abs, dateAdd, dayofmonth, greatest, least, lower, month, trim, upper, year } from '../../src/index.js';
import type { Dx } from './dual.js';
import { codeString, sqlString } from './dual.js';
import type { ColType } from './values.js';
import { valueFor, DEFAULT_FLAGS } from './values.js';

export interface ScalarFn {
  readonly name: string;
  readonly fits: (t: ColType) => boolean;
  /** Whether the function takes a second column of the first one's type. */
  readonly binary?: boolean;
  readonly make: (a: Dx, n: number, b: Dx | null) => Dx;
}

const isString = (t: ColType) => t === 'string';
const isDate = (t: ColType) => t === 'date';
const isArith = (t: ColType) => t === 'int32' || t === 'int64' || t === 'float64';
const orderable = (t: ColType) => t !== 'bool';

/** A string from the value pool (for patterns and affixes). */
const poolString = (n: number) => valueFor('string', n % 16, DEFAULT_FLAGS) as string;

function unaryString(name: string, fn: (c: Dx['col']) => Dx['col'], sqlName: string): ScalarFn {
  return {
    name,
    fits: isString,
    make: (a) => ({ col: fn(a.col), sql: `${sqlName}(${a.sql})`, code: `${name}(${a.code})`, type: 'string' }),
  };
}

function datePart(name: string, fn: (c: Dx['col']) => Dx['col']): ScalarFn {
  return {
    name,
    fits: isDate,
    make: (a) => ({
      col: fn(a.col),
      sql: `${name === 'dayofmonth' ? 'day' : name}(${a.sql})::INTEGER`,
      code: `${name}(${a.code})`,
      type: 'int32',
    }),
  };
}

function stringTest(name: 'startsWith' | 'endsWith' | 'contains', sqlName: string): ScalarFn {
  return {
    name,
    fits: isString,
    make: (a, n) => {
      const s = poolString(n);
      return {
        col: a.col[name](s),
        sql: `${sqlName}(${a.sql}, ${sqlString(s)})`,
        code: `${a.code}.${name}(${codeString(s)})`,
        type: 'bool',
      };
    },
  };
}

function extreme(name: 'greatest' | 'least', fn: typeof greatest): ScalarFn {
  return {
    name,
    fits: orderable,
    binary: true,
    make: (a, _n, b) => ({
      col: fn(a.col, b!.col),
      sql: `${name}(${a.sql}, ${b!.sql})`,
      code: `${name}(${a.code}, ${b!.code})`,
      type: a.type,
    }),
  };
}

export const FUNCTIONS: readonly ScalarFn[] = [
  {
    name: 'abs',
    fits: isArith,
    // Spark's abs(int min) wraps around to int min.
    make: (a) => ({
      col: abs(a.col),
      sql:
        a.type === 'float64'
          ? `abs(${a.sql})`
          : `${a.type === 'int32' ? 'wrap32' : 'wrap64'}(abs((${a.sql})::HUGEINT))`,
      code: `abs(${a.code})`,
      type: a.type,
    }),
  },
  unaryString('upper', upper, 'upper'),
  unaryString('lower', lower, 'lower'),
  unaryString('trim', trim, 'trim'),
  {
    name: 'substring',
    fits: isString,
    make: (a, n) => {
      const pos = (n % 7) - 3;
      const len = (Math.floor(n / 7) % 5) - 1;
      return {
        col: a.col.substr(pos, len),
        sql: `ssubstr(${a.sql}, ${pos}, ${len})`,
        code: `${a.code}.substr(${pos}, ${len})`,
        type: 'string',
      };
    },
  },
  stringTest('startsWith', 'starts_with'),
  stringTest('endsWith', 'ends_with'),
  stringTest('contains', 'contains'),
  {
    name: 'like',
    fits: isString,
    make: (a, n) => {
      // '%' only: '_' is one character in Spark, and DuckDB's idea of a character is not pinned down here.
      const s = poolString(n);
      const pattern = n % 3 === 0 ? `${s}%` : n % 3 === 1 ? `%${s}` : `%${s}%`;
      return {
        col: a.col.like(pattern),
        sql: `(${a.sql} LIKE ${sqlString(pattern)})`,
        code: `${a.code}.like(${codeString(pattern)})`,
        type: 'bool',
      };
    },
  },
  datePart('year', year),
  datePart('month', month),
  datePart('dayofmonth', dayofmonth),
  {
    name: 'dateAdd',
    fits: isDate,
    make: (a, n) => {
      const days = (n % 61) - 30;
      return {
        col: dateAdd(a.col, days),
        sql: `(${a.sql} + (${days})::INTEGER)`,
        code: `dateAdd(${a.code}, ${days})`,
        type: 'date',
      };
    },
  },
  extreme('greatest', greatest),
  extreme('least', least),
];
