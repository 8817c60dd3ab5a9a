/**
 * Signatures of the built-in scalar functions: arity and result type by argument types.
 * Their kernels live in operators/functions.ts, in a table typed on `FunctionName`: a function
 * added here fails the build until it has a kernel.
 */
import { LIST_FUNCTIONS } from './listFunctions.js';
import { STRING_FUNCTIONS } from './stringFunctions.js';
import { TIME_FUNCTIONS } from './timeFunctions.js';
import type { DataType } from './types.js';
import {
  commonTemporalType,
  decimalParts,
  decimalType,
  isDecimal,
  isNumeric,
  MAX_DECIMAL_PRECISION,
  widen,
} from './types.js';

/**
 * Spark's type of round(decimal(p, s), d) (RoundBase): one more integral digit than the input
 * (9.9 → 10); d ≥ 0 keeps min(s, d) fraction digits, d < 0 none, with at least -d + 1 digits; at
 * most 38 digits (a value that outgrows them is NULL).
 */
export function roundedDecimal(t: DataType, d: number): DataType {
  const { precision: p, scale: s } = decimalParts(t as Parameters<typeof decimalParts>[0]);
  const integral = p - s + 1;
  if (d < 0) return decimalType(Math.min(Math.max(integral, -d + 1), MAX_DECIMAL_PRECISION), 0);
  const scale = Math.min(s, d);
  return decimalType(Math.min(integral + scale, MAX_DECIMAL_PRECISION), scale);
}

export type ArgType = DataType | 'null';

export interface FunctionSignature {
  readonly minArgs: number;
  readonly maxArgs: number;
  /**
   * The result type, or a message saying what argument types it expects. `literals` holds the
   * value of each argument that is a literal (undefined for the others), for types that depend
   * on one (round's decimal scale).
   */
  readonly result: (args: readonly ArgType[], literals: readonly unknown[]) => DataType | string;
  /** The last argument (at maxArgs) is the session time zone, appended when the analyzer binds a plan. */
  readonly zoned?: boolean;
}

const numericOrNull = (t: ArgType): boolean => t === 'null' || isNumeric(t);
const is = (t: ArgType, ...ok: DataType[]): boolean => t === 'null' || ok.includes(t);

const stringToString = (args: readonly ArgType[]): DataType | string =>
  args.every((a) => is(a, 'string')) ? 'string' : 'strings';
/** The common type of arguments that must agree (numbers widen); all NULL is a string. */
const commonType = (a: readonly ArgType[]): DataType | string => {
  const typed = a.filter((t): t is DataType => t !== 'null');
  if (typed.length === 0) return 'string';
  if (typed.every(isNumeric)) return typed.reduce(widen);
  if (typed.every((t) => t === typed[0])) return typed[0]!;
  return typed.reduce<DataType | null>((a, b) => a && commonTemporalType(a, b), typed[0]!) ?? 'arguments of one type';
};
/** A date moved by an integer number of days or months. */
const dateShift = (a: readonly ArgType[]): DataType | string =>
  is(a[0]!, 'date') && is(a[1]!, 'int32', 'int64') ? 'date' : 'a date and an integer';
const stringPredicate = (args: readonly ArgType[]): DataType | string =>
  is(args[0]!, 'string') && is(args[1]!, 'string') ? 'bool' : 'two strings';

export const FUNCTIONS = {
  ...TIME_FUNCTIONS,
  ...STRING_FUNCTIONS,
  ...LIST_FUNCTIONS,
  date_add: { minArgs: 2, maxArgs: 2, result: dateShift },
  add_months: { minArgs: 2, maxArgs: 2, result: dateShift },
  substring: {
    minArgs: 3,
    maxArgs: 3,
    result: (a) =>
      is(a[0]!, 'string') && is(a[1]!, 'int32') && is(a[2]!, 'int32') ? 'string' : 'a string, a start and a length',
  },
  upper: { minArgs: 1, maxArgs: 1, result: stringToString },
  lower: { minArgs: 1, maxArgs: 1, result: stringToString },
  trim: { minArgs: 1, maxArgs: 1, result: stringToString },
  /** Characters of a string, bytes of a binary (as Spark's length). */
  length: { minArgs: 1, maxArgs: 1, result: (a) => (is(a[0]!, 'string', 'binary') ? 'int32' : 'a string or a binary') },
  /** Arguments of other types are cast to strings, as in Spark. */
  concat: { minArgs: 1, maxArgs: 64, result: () => 'string' },
  like: { minArgs: 2, maxArgs: 2, result: stringPredicate },
  starts_with: { minArgs: 2, maxArgs: 2, result: stringPredicate },
  ends_with: { minArgs: 2, maxArgs: 2, result: stringPredicate },
  contains: { minArgs: 2, maxArgs: 2, result: stringPredicate },
  abs: {
    minArgs: 1,
    maxArgs: 1,
    result: (a) => (numericOrNull(a[0]!) ? (a[0] === 'null' ? 'float64' : (a[0] as DataType)) : 'a number'),
  },
  round: {
    minArgs: 1,
    maxArgs: 2,
    result: (a, literals) => {
      if (!numericOrNull(a[0]!) || !(a[1] === undefined || is(a[1], 'int32'))) return 'a number and an integer scale';
      if (a[0] === 'null') return 'float64';
      if (!isDecimal(a[0]!)) return a[0] as DataType;
      const d = a[1] === undefined ? 0 : literals[1];
      if (typeof d !== 'number') return 'a decimal and a literal integer scale';
      return roundedDecimal(a[0], d);
    },
  },
  /** Whether a number is NaN (false for NULL), as Spark's isnan. */
  isnan: { minArgs: 1, maxArgs: 1, result: (a) => (numericOrNull(a[0]!) ? 'bool' : 'a number') },
  coalesce: { minArgs: 1, maxArgs: 64, result: commonType },
  /** The largest / smallest non-NULL argument (NULL only when all are). */
  greatest: { minArgs: 2, maxArgs: 64, result: commonType },
  least: { minArgs: 2, maxArgs: 64, result: commonType },
} as const satisfies Readonly<Record<string, FunctionSignature>>;

/** The built-in scalar functions: the registry's keys. */
export type FunctionName = keyof typeof FUNCTIONS;

/** The signature of a built-in function, or undefined for any other name. */
export function functionSignature(name: string): FunctionSignature | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name as FunctionName] : undefined;
}
