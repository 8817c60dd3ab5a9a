/**
 * CAST kernels with Spark's (non-ANSI) rules: double → int/bigint truncates toward zero and
 * saturates, bigint → int keeps the low 32 bits, bigint ↔ string is exact, doubles print as
 * Java's Double.toString, and strings that do not parse become NULL. Strings are parsed from
 * their UTF-8 bytes.
 */
import { InternalError } from '../planner/errors.js';
import type { DataType, DecimalType } from '../planner/types.js';
import type { SmallNumberType } from '../planner/types.js';
import { decimalParts, isDecimal, isOpaque, isSmallNumber, storageType } from '../planner/types.js';
import {
  decimalArray,
  decimalFromDouble,
  decimalToDouble,
  fits,
  formatDecimal,
  parseDecimal,
  pow10Double,
  pow10,
  rescale,
  vecDoubles,
} from './decimal.js';
import { daysToDate } from '../planner/types.js';
import { daysFromCivil, daysInMonth } from '../planner/calendar.js';
import type { Operand } from './scalar.js';
import { firstAsScalar, isScalar, materialize } from './scalar.js';
import type { BytesVec, DecimalVec, OpaqueVec, Vec } from './vector.js';
import { StringBuilder } from './stringBuilder.js';
import {
  int64Words,
  isBytesVec,
  isDecimalVec,
  isOpaqueVec,
  isValid,
  newValidity,
  setValid,
  typedArrayFor,
} from './vector.js';

type StrVec = BytesVec;
type NumVec = Exclude<Vec, StrVec | DecimalVec | OpaqueVec>;

const decoder = new TextDecoder();

/**
 * An operand (column or scalar) as type `to`: the numeric kernels bring mixed operands to one
 * representation with it (int32 → int64 for long arithmetic, int64 → float64 next to doubles).
 */
export function castOperand(o: Operand, to: DataType, n: number): Operand {
  if (!isScalar(o)) return castVec(o, to, n);
  if (o.type === to) return o;
  if (o.value === null) return { scalar: true, type: storageType(to), value: null };
  return firstAsScalar(castVec(materialize(o, 1), to, 1));
}

/**
 * Cast a column to the storage of `target` (row count `n`): a timestamp or time target is its
 * int64 storage. Casts whose meaning depends on the source's logical type (to and from
 * timestamps) are `castTyped`'s (operators/time/cast.ts).
 */
export function castVec(v: Vec, target: DataType, n: number): Vec {
  if (!isSmallNumber(target)) return castStorage(v, target, n);
  if (target === 'float32' && v.type === 'int64') return longsToFloat32(v.values, v.validity, n);
  // To a narrow number: through its storage, then to its width (a string out of its range is NULL, as in Spark).
  return narrowVec(castStorage(v, target, n), target, n, v.type === 'string');
}

/**
 * A column of a narrow type's storage brought to that type (a copy only when a value changes):
 * int8/int16 keep their low bits, uint8/uint16/uint32 their low bits unsigned (Java's toByte,
 * toShort), float32 rounds to single precision; `outOfRangeIsNull` makes such values NULL instead.
 */
export function narrowVec(v: Vec, to: SmallNumberType, n: number, outOfRangeIsNull = false): Vec {
  if (to === 'uint32') {
    const src = (v as Extract<Vec, { type: 'int64' }>).values;
    let k = 0;
    while (k < n && (!isValid(v.validity, k) || BigInt.asUintN(32, src[k]!) === src[k])) k++;
    if (k === n) return v;
    const out = src.slice(0, n);
    const validity = outOfRangeIsNull ? (v.validity?.slice() ?? newValidity(n)) : v.validity;
    for (let i = k; i < n; i++) {
      const x = BigInt.asUintN(32, out[i]!);
      if (x !== out[i] && outOfRangeIsNull) setValid(validity!, i, false);
      out[i] = x;
    }
    return { type: 'int64', values: out, validity };
  }
  const src = (v as Extract<Vec, { type: 'int32' | 'float64' }>).values;
  const f = NARROW[to];
  let k = 0;
  while (k < n && (!isValid(v.validity, k) || Object.is(f(src[k]!), src[k]))) k++;
  if (k === n) return v;
  const out = src.slice(0, n);
  const validity = outOfRangeIsNull ? (v.validity?.slice() ?? newValidity(n)) : v.validity;
  for (let i = k; i < n; i++) {
    const x = f(out[i]!);
    if (outOfRangeIsNull && !Object.is(x, out[i]) && x === x) setValid(validity!, i, false);
    out[i] = x;
  }
  return { ...v, values: out, validity } as Vec;
}

const NARROW: Readonly<Record<Exclude<SmallNumberType, 'uint32'>, (x: number) => number>> = {
  int8: (x) => (x << 24) >> 24,
  int16: (x) => (x << 16) >> 16,
  uint8: (x) => x & 0xff,
  uint16: (x) => x & 0xffff,
  float32: Math.fround,
};

/**
 * int64 → float32 rounded once, as Java's (float) long: a value beyond 2^53 is first cut to 53
 * bits with a sticky lowest bit (round to odd), which a double holds exactly and which rounds to
 * the same float as the whole value (going through the nearest double could round twice).
 */
function longsToFloat32(src: BigInt64Array, validity: Uint8Array | null, n: number): Vec {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = src[i]!;
    const small = x >= -9007199254740992n && x <= 9007199254740992n;
    out[i] = Math.fround(small ? Number(x) : roundToOdd(x));
  }
  return { type: 'float64', values: out, validity };
}

function roundToOdd(x: bigint): number {
  const neg = x < 0n;
  const a = neg ? -x : x;
  const shift = BigInt(a.toString(2).length - 53);
  const kept = (a >> shift) | ((a & ((1n << shift) - 1n)) === 0n ? 0n : 1n);
  const y = Number(kept) * 2 ** Number(shift);
  return neg ? -y : y;
}

/** Java's Float.toString of float32 values (the shortest digits that read back as the same float). */
export function float32Strings(v: Vec, n: number): Vec {
  const src = (v as Extract<Vec, { type: 'float64' }>).values;
  const out = new StringBuilder(n, n * 8);
  for (let i = 0; i < n; i++) {
    if (isValid(v.validity, i)) out.appendAscii(javaDoubleString(shortestFloat32(src[i]!)));
    out.end(i);
  }
  return out.build(v.validity);
}

/** The double with the fewest digits that rounds to the same float32 (0.1f, not 0.10000000149011612). */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  for (let p = 1; p < 9; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return Number(x.toPrecision(9));
}

function castStorage(v: Vec, target: DataType, n: number): Vec {
  const to = storageType(target);
  if (v.type === to) return v;
  // string ↔ binary keep the bytes (UTF-8), as Spark's casts do.
  if (isBytesVec(v) && (to === 'string' || to === 'binary')) return { ...v, type: to };
  if (v.type === 'binary' || isOpaqueVec(v) || to === 'binary' || isOpaque(to))
    throw new InternalError('BAD_CAST', `no cast from ${v.type} to ${to} (the analyzer refuses it)`);
  if (isDecimal(to)) return toDecimal(v, to, n);
  if (isDecimalVec(v)) return fromDecimal(v, to, n);
  if (v.type === 'string') return fromString(v as StrVec, to, n);
  if (to === 'string') return toStrings(v as NumVec, n);
  return castNumbers(v as NumVec, to, n);
}

/**
 * Any column to decimal(p, s): integers scale up, doubles round HALF_UP from their exact binary
 * value, strings parse exactly, decimals rescale HALF_UP; a value with more than p digits (or a
 * NaN, an infinity, text that is not a number) is NULL, as in Spark's non-ANSI mode.
 */
function toDecimal(v: Vec, to: DecimalType, n: number): Vec {
  const { precision, scale } = decimalParts(to);
  const out = decimalArray(to, n);
  const validity = newValidity(n);
  let nulls = false;
  const value = decimalReader(v, scale);
  for (let i = 0; i < n; i++) {
    const x = isValid(v.validity, i) ? value(i) : null;
    if (x === null || !fits(x, precision)) {
      setValid(validity, i, false);
      nulls = true;
    } else out[i] = x;
  }
  return { type: to, values: out, validity: nulls ? validity : null };
}

/** Row i of a column as an unscaled decimal at `scale` (null when it has no decimal form). */
function decimalReader(v: Vec, scale: number): (i: number) => bigint | null {
  if (isDecimalVec(v)) {
    const from = decimalParts(v.type).scale;
    return (i) => rescale(v.values[i]!, from, scale);
  }
  const unit = pow10(scale);
  switch (v.type) {
    case 'string':
      return (i) => parseDecimal(decoder.decode(v.data.subarray(v.offsets[i]!, v.offsets[i + 1]!)), scale);
    case 'float64':
      return (i) => decimalFromDouble(v.values[i]!, scale);
    case 'int64':
      return (i) => v.values[i]! * unit;
    case 'int32':
    case 'bool':
      return (i) => BigInt(v.values[i]!) * unit;
    default:
      throw new Error(`a ${v.type} has no decimal form`);
  }
}

/** decimal(p, s) to another type: integers truncate toward zero and keep the low bits (Spark), doubles round to nearest. */
function fromDecimal(v: DecimalVec, to: DataType, n: number): Vec {
  const { scale } = decimalParts(v.type);
  const unit = pow10(scale);
  if (to === 'float64') {
    // Fast path: unscaled values below 2^52 are exact doubles (read without building a lazy
    // column's int64 values), and one IEEE division by the exact 10^scale rounds to the nearest
    // double, as parsing the decimal text does.
    const known = scale <= 22 ? vecDoubles(v, n) : null;
    if (known) {
      const out = new Float64Array(n);
      const unitDouble = pow10Double(scale);
      const d = known.doubles;
      for (let i = 0; i < n; i++) out[i] = d[i]! / unitDouble;
      return { type: 'float64', values: out, validity: v.validity };
    }
  }
  const src = v.values;
  switch (to) {
    case 'string': {
      const out = new StringBuilder(n, n * 8);
      for (let i = 0; i < n; i++) {
        if (isValid(v.validity, i)) out.appendAscii(formatDecimal(src[i]!, scale));
        out.end(i);
      }
      return out.build(v.validity);
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = decimalToDouble(src[i]!, scale);
      return { type: 'float64', values: out, validity: v.validity };
    }
    case 'int64': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) out[i] = BigInt.asIntN(64, src[i]! / unit);
      return { type: 'int64', values: out, validity: v.validity };
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(BigInt.asIntN(32, src[i]! / unit));
      return { type: 'int32', values: out, validity: v.validity };
    }
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = src[i] !== 0n ? 1 : 0;
      return { type: 'bool', values: out, validity: v.validity };
    }
    default:
      throw new Error(`cast from ${v.type} to ${to} is not supported`);
  }
}

function castNumbers(v: NumVec, to: DataType, n: number): Vec {
  if (v.type === 'int64') return fromInt64(v.values, v.validity, to, n);
  const src = v.values;
  if (to === 'int64') {
    const out = new BigInt64Array(n);
    if (v.type === 'float64') for (let i = 0; i < n; i++) out[i] = doubleToLong(src[i]!);
    else for (let i = 0; i < n; i++) out[i] = BigInt(src[i]!);
    return { type: 'int64', values: out, validity: v.validity };
  }
  const out = typedArrayFor(to, n) as Int32Array | Float64Array | Uint8Array;
  if (to === 'bool') {
    for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0; // NaN is true, as in Spark
  } else if (to === 'int32' && v.type === 'float64') {
    for (let i = 0; i < n; i++) {
      const x = src[i]!;
      out[i] = x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : x === x ? x : 0; // Int32Array truncates
    }
  } else {
    for (let i = 0; i < n; i++) out[i] = src[i]!; // widening copies
  }
  return { type: to, values: out, validity: v.validity } as Vec;
}

const LONG_MAX = 0x7fffffffffffffffn;
const LONG_MIN = -0x8000000000000000n;

/** Spark's double → long: truncates toward zero, saturates at the ends, NaN is 0. */
export function doubleToLong(x: number): bigint {
  if (x !== x) return 0n;
  if (x >= 2 ** 63) return LONG_MAX;
  if (x <= -(2 ** 63)) return LONG_MIN;
  return BigInt(Math.trunc(x));
}

/** int64 → another type: int32 keeps the low 32 bits (Spark), float64 rounds to nearest. */
function fromInt64(src: BigInt64Array, validity: Uint8Array | null, to: DataType, n: number): Vec {
  const words = int64Words(src);
  switch (to) {
    case 'int32':
    case 'date': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = words[2 * i]!;
      return { type: to, values: out, validity };
    }
    case 'float64':
      return { type: 'float64', values: int64ToDoubles(src, n), validity };
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = words[2 * i]! !== 0 || words[2 * i + 1]! !== 0 ? 1 : 0;
      return { type: 'bool', values: out, validity };
    }
    default:
      throw new Error(`cast from int64 to ${to} is not numeric`);
  }
}

/** Each int64 as the nearest double (one rounding: the high word times 2^32 is exact). */
export function int64ToDoubles(src: BigInt64Array, n: number): Float64Array {
  const words = int64Words(src);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
  return out;
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
  const out = new StringBuilder(n, n * 8);
  if (v.type === 'int64') {
    const src = v.values;
    for (let i = 0; i < n; i++) {
      if (isValid(v.validity, i)) out.appendAscii(String(src[i]!));
      out.end(i);
    }
    return out.build(v.validity);
  }
  const src = v.values;
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
  const validity = newValidity(n);
  let nulls = false;
  if (to === 'int64') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      let x: bigint | null = null;
      if (isValid(v.validity, i)) {
        const [s, e] = trimmed(v, i);
        x = parseLong(v.data, s, e);
      }
      if (x === null) {
        setValid(validity, i, false);
        nulls = true;
      } else out[i] = x;
    }
    return { type: 'int64', values: out, validity: nulls ? validity : null };
  }
  const out = typedArrayFor(to === 'string' ? 'int32' : to, n) as Int32Array | Float64Array | Uint8Array;
  const parse = PARSERS[to as keyof typeof PARSERS];
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

/** [+-]digits[.digits] as a long, exactly (the fraction is dropped); null when out of range. */
function parseLong(d: Uint8Array, s: number, e: number): bigint | null {
  let k = s;
  const neg = d[k] === 0x2d;
  if (neg || d[k] === 0x2b) k++;
  const start = k;
  while (k < e && d[k]! >= 0x30 && d[k]! <= 0x39) k++;
  const end = k;
  if (k < e) {
    if (d[k] !== 0x2e) return null;
    for (k++; k < e; k++) if (d[k]! < 0x30 || d[k]! > 0x39) return null;
  }
  if (end === start && e - start <= 1) return null;
  const x = end === start ? 0n : BigInt(decoder.decode(d.subarray(start, end)));
  const y = neg ? -x : x;
  return y > LONG_MAX || y < LONG_MIN ? null : y;
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

const PARSERS: Record<'int32' | 'float64' | 'date' | 'bool', Parser> = {
  int32: parseIntegral(2147483647),
  float64: parseDouble,
  date: parseDate,
  bool: parseBool,
};
