/**
 * CAST kernels with Spark's (non-ANSI) rules: double → int truncates toward zero and saturates,
 * bigint → int keeps the low 32 bits, doubles print as Java's Double.toString, and strings that
 * do not parse become NULL. Strings are parsed from their UTF-8 bytes.
 */
import type { DataType } from '../planner/types.js';
import { daysToDate } from '../planner/types.js';
import { daysFromCivil, daysInMonth } from './dates.js';
import type { Vec } from './vector.js';
import { StringBuilder } from './stringBuilder.js';
import { isValid, newValidity, setValid, typedArrayFor } from './vector.js';

type StrVec = Extract<Vec, { type: 'string' }>;
type NumVec = Exclude<Vec, StrVec>;

const decoder = new TextDecoder();

/** Cast a column to `to` (row count `n`). */
export function castVec(v: Vec, to: DataType, n: number): Vec {
  if (v.type === to) return v;
  if (v.type === 'string') return fromString(v, to, n);
  if (to === 'string') return toStrings(v, n);
  return castNumbers(v, to, n);
}

function castNumbers(v: NumVec, to: DataType, n: number): Vec {
  const src = v.values;
  const out = typedArrayFor(to, n);
  if (to === 'bool') {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0; // NaN is true, as in Spark
  } else if (to === 'int32' && v.type === 'float64') {
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      out[i] = x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : x === x ? x : 0; // Int32Array truncates
    }
  } else if (to === 'int64' && v.type === 'float64') {
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      out[i] = x === x ? Math.trunc(x) : 0;
    }
  } else {
    // int64 → int32 wraps (Int32Array keeps the low 32 bits); widening copies.
    for (let i = 0; i < n; i++) out[i] = src[i]!;
  }
  return { type: to, values: out, validity: v.validity } as Vec;
}

/** Java's Double.toString: decimal in [1e-3, 1e7), otherwise d.dddE±n; always a fraction digit. */
function javaDoubleString(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant, exp] = x.toExponential().split('e') as [string, string];
  return `${mant.includes('.') ? mant : `${mant}.0`}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}

function toStrings(v: NumVec, n: number): Vec {
  const src = v.values;
  const out = new StringBuilder(n, n * 8);
  const f: (x: number) => string =
    v.type === 'float64'
      ? javaDoubleString
      : v.type === 'date'
        ? daysToDate
        : v.type === 'bool'
          ? (x) => (x ? 'true' : 'false')
          : (x) => String(x);
  for (let i = 0; i < n; i++) {
    if (isValid(v.validity, i)) out.appendAscii(f(src[i]!)); // numbers, dates and bools print in ASCII
    out.end(i);
  }
  return out.build(v.validity);
}

/** Bytes ≤ 0x20 (spaces and ASCII control characters) are trimmed before parsing, as in Spark. */
function trimmed(v: StrVec, i: number): [number, number] {
  let s = v.offsets[i]!;
  let e = v.offsets[i + 1]!;
  while (s < e && v.data[s]! <= 0x20) s++;
  while (e > s && v.data[e - 1]! <= 0x20) e--;
  return [s, e];
}

function fromString(v: StrVec, to: DataType, n: number): Vec {
  const out = typedArrayFor(to === 'string' ? 'int32' : to, n);
  const validity = newValidity(n);
  let nulls = false;
  const parse = PARSERS[to as Exclude<DataType, 'string'>];
  for (let i = 0; i < n; i++) {
    let x: number | null = null;
    if (isValid(v.validity, i)) {
      const [s, e] = trimmed(v, i);
      x = parse(v.data, s, e);
    }
    if (x === null) {
      setValid(validity, i, false);
      nulls = true;
    } else out[i] = x;
  }
  return { type: to, values: out, validity: nulls ? validity : null } as Vec;
}

type Parser = (d: Uint8Array, s: number, e: number) => number | null;

/** [+-]digits[.digits]: the fraction is dropped (Spark's UTF8String.toLong). */
function parseIntegral(max: number): Parser {
  return (d, s, e) => {
    let k = s;
    const neg = d[k] === 0x2d;
    if (neg || d[k] === 0x2b) k++;
    let x = 0;
    let digits = 0;
    for (; k < e && d[k] !== 0x2e; k++) {
      const c = d[k]! - 0x30;
      if (c < 0 || c > 9) return null;
      x = x * 10 + c;
      digits++;
    }
    if (k < e) for (k++; k < e; k++, digits++) if (d[k]! < 0x30 || d[k]! > 0x39) return null;
    if (digits === 0) return null;
    const y = neg ? -x : x;
    return y > max || y < -max - 1 ? null : y;
  };
}

const DOUBLE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/;
const SPECIAL: Record<string, number> = {
  nan: NaN,
  infinity: Infinity,
  '+infinity': Infinity,
  '-infinity': -Infinity,
  inf: Infinity,
  '+inf': Infinity,
  '-inf': -Infinity,
};

const parseDouble: Parser = (d, s, e) => {
  const text = decoder.decode(d.subarray(s, e));
  if (DOUBLE.test(text)) return Number(text.replace(/[dDfF]$/, ''));
  return SPECIAL[text.toLowerCase()] ?? null;
};

/** yyyy[-m[m][-d[d][(' ' | 'T') anything]]]: Spark's stringToDate (years of 4 digits here). */
const parseDate: Parser = (d, s, e) => {
  const seg = [0, 1, 1];
  let k = s;
  for (let part = 0; part < 3; part++) {
    let x = 0;
    let digits = 0;
    for (; k < e && d[k]! >= 0x30 && d[k]! <= 0x39; k++, digits++) x = x * 10 + d[k]! - 0x30;
    if (part === 0 ? digits !== 4 : digits < 1 || digits > 2) return null;
    seg[part] = x;
    if (k === e) break;
    if (part < 2) {
      if (d[k] !== 0x2d) return null;
      k++;
    } else if (d[k] !== 0x20 && d[k] !== 0x54) return null;
  }
  const [y, m, day] = seg as [number, number, number];
  if (m < 1 || m > 12 || day < 1 || day > daysInMonth(y, m)) return null;
  return daysFromCivil(y, m, day);
};

const TRUE = new Set(['t', 'true', 'y', 'yes', '1']);
const FALSE = new Set(['f', 'false', 'n', 'no', '0']);
const parseBool: Parser = (d, s, e) => {
  if (e - s > 5) return null;
  const text = decoder.decode(d.subarray(s, e)).toLowerCase();
  return TRUE.has(text) ? 1 : FALSE.has(text) ? 0 : null;
};

const PARSERS: Record<Exclude<DataType, 'string'>, Parser> = {
  int32: parseIntegral(2147483647),
  // 2^63 as a double (9223372036854775807 itself is not representable): the range check is done in doubles.
  int64: parseIntegral(2 ** 63),
  float64: parseDouble,
  date: parseDate,
  bool: parseBool,
};
