/**
 * Typed columns from text fields (CSV and NDJSON readers): each column is built as strings and
 * converted by the engine's own casts and datetime parsers (operators/cast.ts, the to_date /
 * to_timestamp kernels with a Spark pattern), so a value reads exactly as CAST reads it. A field
 * whose text does not convert is reported as bad (a malformed record), never guessed. Type
 * inference tries the same conversions on a sample.
 */
import { compilePattern } from '../planner/datetimePattern.js';
import { type DataType, isDecimal, isTime, isTimestamp } from '../planner/types.js';
import { castVec } from './cast.js';
import type { Scalar } from './scalar.js';
import { castTyped } from './time/cast.js';
import { TIME_KERNELS } from './time/kernels.js';
import { parseByPattern } from './time/pattern.js';
import { daysFromCivil, daysInMonth } from '../planner/calendar.js';
import { isValid, newValidity, setValid, type Vec, vecFromValues } from './vector.js';

export interface ConvertOptions {
  readonly dateFormat: string | null;
  readonly timestampFormat: string | null;
  /** Zone of zoned timestamp columns whose text has no offset (the session's). */
  readonly timeZone: string;
}

const INT = /^\s*[+-]?\d+\s*$/;
const BOOL = /^\s*(true|false)\s*$/i;
const NUMBER = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$|^\s*[+-]?(NaN|Infinity)\s*$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const OFFSET = /(Z|[+-]\d{2}:?\d{2})$/;

/** Texts a type's conversion accepts before it runs (Spark's readers are stricter than CAST: "1.5" is no int). */
const SHAPES: Partial<Record<string, RegExp>> = { int64: INT };

const encoder = new TextEncoder();
const text = (s: string | null): Scalar => ({
  scalar: true,
  type: 'string',
  value: s === null ? null : encoder.encode(s),
});

/** A string column from texts: one UTF-8 encoding for the whole column when it is ASCII. */
export function stringVec(values: readonly (string | null)[]): Vec {
  const n = values.length;
  const offsets = new Int32Array(n + 1);
  let validity: Uint8Array | null = null;
  let joined = '';
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v == null) {
      validity ??= newValidity(n);
      setValid(validity, i, false);
    } else joined += v;
    offsets[i + 1] = joined.length;
  }
  const data = Buffer.from(joined, 'utf8');
  if (data.length !== joined.length) return vecFromValues('string', values);
  return { type: 'string', offsets, data: new Uint8Array(data.buffer, data.byteOffset, data.length), validity };
}

type Fast = (v: string) => number | null;
const int32: Fast = (v) => {
  if (!INT.test(v)) return null;
  const x = Number(v);
  return x >= -2147483648 && x <= 2147483647 ? x : null;
};
const float64: Fast = (v) => {
  if (!NUMBER.test(v)) return null;
  const x = Number(v);
  return Number.isNaN(x) && !/NaN/.test(v) ? null : x;
};
const bool: Fast = (v) => (BOOL.test(v) ? (v.trim().toLowerCase() === 'true' ? 1 : 0) : null);
const date: Fast = (v) => {
  if (!DATE.test(v)) return null;
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(5, 7));
  const d = Number(v.slice(8, 10));
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) ? daysFromCivil(y, m, d) : null;
};

/** Types parsed straight from JS strings (the same texts the casts accept, faster). */
const FAST: Partial<Record<string, { parse: Fast; array: (n: number) => Int32Array | Float64Array | Uint8Array }>> = {
  int32: { parse: int32, array: (n) => new Int32Array(n) },
  float64: { parse: float64, array: (n) => new Float64Array(n) },
  bool: { parse: bool, array: (n) => new Uint8Array(n) },
};

function fastColumn(
  values: readonly (string | null)[],
  t: DataType,
  parse: Fast,
  values_: Int32Array | Float64Array | Uint8Array,
) {
  const n = values.length;
  let validity: Uint8Array | null = null;
  let bad: Uint8Array | null = null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    const x = v == null ? null : parse(v);
    if (x === null) {
      validity ??= newValidity(n);
      setValid(validity, i, false);
      if (v != null) {
        bad ??= new Uint8Array(n);
        bad[i] = 1;
      }
    } else values_[i] = x;
  }
  return { vec: { type: t, values: values_, validity } as Vec, bad };
}

/** Convert a string column to `t`; `bad` marks rows whose text did not convert (null: none). */
export function convertColumn(
  values: readonly (string | null)[],
  t: DataType,
  o: ConvertOptions,
): { vec: Vec; bad: Uint8Array | null } {
  const n = values.length;
  const fast = FAST[t];
  if (fast) return fastColumn(values, t, fast.parse, fast.array(n));
  // Dates in the default form parse here; any other text goes through the cast.
  if (t === 'date' && !o.dateFormat && values.every((v) => v == null || DATE.test(v)))
    return fastColumn(values, t, date, new Int32Array(n));
  if (t === 'string') return { vec: stringVec(values), bad: null };
  const shape = SHAPES[t];
  let bad: Uint8Array | null = null;
  let input = values;
  if (shape) {
    let copy: (string | null)[] | null = null;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v != null && !shape.test(v)) {
        copy ??= values.slice();
        copy[i] = null;
        bad ??= new Uint8Array(n);
        bad[i] = 1;
      }
    }
    if (copy) input = copy;
  }
  const src = stringVec(input);
  const vec = convert(src, t, n, o);
  for (let i = 0; i < n; i++)
    if (isValid(src.validity, i) && !isValid(vec.validity, i)) {
      bad ??= new Uint8Array(n);
      bad[i] = 1;
    }
  return { vec, bad };
}

function convert(src: Vec, t: DataType, n: number, o: ConvertOptions): Vec {
  const types = ['string', 'string', 'string'] as const;
  if (t === 'date' && o.dateFormat)
    return TIME_KERNELS.to_date([src, text(o.dateFormat), text(o.timeZone)], n, 'date', [...types]);
  if (isTimestamp(t))
    return TIME_KERNELS.to_timestamp([src, text(o.timestampFormat), text(o.timeZone)], n, t, [...types]);
  if (isTime(t)) return castTyped(src, 'string', t, n);
  return castVec(src, t, n);
}

/** Whether every text converts to `t`. */
function allConvert(values: readonly (string | null)[], t: DataType, o: ConvertOptions): boolean {
  return convertColumn(values, t, o).bad === null;
}

/**
 * The type of a column from sample texts (nulls left out), in Spark's order of preference:
 * int32, int64, float64, bool, date, timestamp (naive; an instant when the texts carry offsets),
 * else string. A column of nulls is a string.
 */
export function inferTextType(values: readonly (string | null)[], o: ConvertOptions): DataType {
  const present = values.filter((v): v is string => v !== null);
  if (!present.length) return 'string';
  if (present.every((v) => INT.test(v))) {
    if (allConvert(present, 'int32', o)) return 'int32';
    if (allConvert(present, 'int64', o)) return 'int64';
    return 'float64';
  }
  if (present.every((v) => NUMBER.test(v))) return 'float64';
  if (present.every((v) => BOOL.test(v))) return 'bool';
  if (o.dateFormat) {
    const tokens = compilePattern(o.dateFormat);
    if (present.every((v) => parseByPattern(tokens, v) !== null) && allConvert(present, 'date', o)) return 'date';
  } else if (present.every((v) => DATE.test(v)) && allConvert(present, 'date', o)) return 'date';
  const fits = o.timestampFormat ? true : present.every((v) => TIMESTAMP.test(v));
  // Texts with an offset are instants (in the session zone); others wall clocks.
  const t: DataType =
    !o.timestampFormat && present.some((v) => OFFSET.test(v)) ? `timestamp[us, ${o.timeZone}]` : 'timestamp[us]';
  if (fits && allConvert(present, t, o)) return t;
  return 'string';
}

export const isTextType = (t: DataType): boolean =>
  ['bool', 'int32', 'int64', 'float64', 'string', 'date'].includes(t) || isDecimal(t) || isTimestamp(t) || isTime(t);
