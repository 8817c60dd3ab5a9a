/**
 * Data types and schemas shared by the planner and the operators.
 *
 * The engine has a small set of logical types. `int64` values are exact over their whole range
 * (BigInt64Array inside the engine, Arrow Int64 at the edges); `decimal(p,s)` values are exact
 * unscaled integers (BigInt64Array up to 18 digits, BigInts beyond; Arrow Decimal128 at the edges).
 * Timestamps and times are one string each, as printSchema shows them: `timestamp[us]` (naive
 * wall clock, Spark's TIMESTAMP_NTZ), `timestamp[us, UTC]` (an instant, the Arrow zone kept
 * verbatim), `time[us]`; inside the engine they are int64 counts of their unit (`storageType`).
 */
import { PlanError } from './errors.js';

/** An exact decimal of `precision` digits, `scale` of them after the point: `decimal(10,2)`. */
export type DecimalType = `decimal(${number},${number})`;

export type TimeUnit = 's' | 'ms' | 'us' | 'ns';
/** A timestamp: naive (`timestamp[us]`) or an instant with its Arrow zone (`timestamp[us, UTC]`). */
export type TimestampType = `timestamp[${TimeUnit}]` | `timestamp[${TimeUnit}, ${string}]`;
/** A time of day: `time[us]`. */
export type TimeType = `time[${TimeUnit}]`;

/** The types a column vector has inside the engine (timestamps and times are int64 vectors). */
export type VecType = 'bool' | 'int32' | 'int64' | 'float64' | 'string' | 'date' | DecimalType | 'binary' | OpaqueType;

/**
 * Narrow numbers, as files hold them (Parquet INT(8|16), unsigned INT(8|16|32), FLOAT). They keep
 * their type through the engine and back into files, and compute as Spark does: an int8 or int16
 * result wraps to its width (byte + byte is a byte), float32 results round to single precision,
 * and the unsigned ones compute as the signed type that holds them (Spark reads UINT8 as short,
 * UINT16 as int, UINT32 as long). Stored in the int32 vector (uint32: int64; float32: float64).
 */
export type SmallNumberType = 'int8' | 'int16' | 'uint8' | 'uint16' | 'uint32' | 'float32';

export type DataType = VecType | TimestampType | TimeType | SmallNumberType;

/** The types without parameters (decimals are `decimal(p,s)` for any valid p and s). */
export const DATA_TYPES: readonly DataType[] = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'float32',
  'float64',
  'string',
  'date',
  'binary',
];

/** Whether a type is one of the narrow numbers (stored wider, narrowed after each computation). */
export function isSmallNumber(t: string): t is SmallNumberType {
  switch (t) {
    case 'int8':
    case 'int16':
    case 'uint8':
    case 'uint16':
    case 'uint32':
    case 'float32':
      return true;
    default:
      return false;
  }
}

/** Whether a type holds whole numbers (the signed and unsigned integers). */
export function isIntegral(t: string): boolean {
  return t === 'int32' || t === 'int64' || (isSmallNumber(t) && t !== 'float32');
}

/** Whether a type is a binary floating point number. */
export const isFloating = (t: string): boolean => t === 'float64' || t === 'float32';

/**
 * Types the engine reads and writes unchanged but never computes on: nested columns, intervals,
 * UUIDs, fixed-size binaries, uint64, float16. Each is named by its exact type, as printSchema
 * shows it: `list<int32>`, `struct<a: int32, b: string>`, `map<string, int64>`, `uuid`,
 * `fixed_size_binary[16]`. Such a column passes through projections, filters and sorts on other
 * columns, limits, joins and writes; any expression, key or aggregate that needs its values is
 * refused at plan time (`unsupportedType`), naming the column and the type.
 */
export type OpaqueType =
  | `list<${string}>`
  | `fixed_size_list<${string}>`
  | `struct<${string}>`
  | `map<${string}>`
  | 'uuid'
  | `fixed_size_binary[${number}]`
  | 'uint64'
  | 'float16'
  | 'interval';

const OPAQUE = /^(list<|fixed_size_list<|struct<|map<|fixed_size_binary\[|uuid$|uint64$|float16$|interval$)/;

const opaqueCache = new Map<string, boolean>();

/** Whether values of this type pass through the engine untouched (no expression computes on them). */
export function isOpaque(t: string): t is OpaqueType {
  // Asked per column of every batch: a type is tested once.
  let hit = opaqueCache.get(t);
  if (hit === undefined) {
    hit = OPAQUE.test(t);
    if (opaqueCache.size < 4096) opaqueCache.set(t, hit);
  }
  return hit;
}

/**
 * Opaque types that cannot even be read exactly: an INTERVAL nested in a list, struct or map is
 * decoded by parquet-wasm as days and millis only (a top-level INTERVAL column is read by the
 * engine's own page decoder, exactly). A file holding one stays readable; reading that column
 * itself is refused at plan time.
 */
export function unreadableReason(t: DataType): string | null {
  return /[<, ]interval([>,]|$)/.test(t)
    ? 'its Parquet decoder drops the months of an INTERVAL nested in another type, so its values cannot be read exactly'
    : null;
}

/** The plan-time error for an operation on a column whose type the engine cannot compute on. */
export function unsupportedType(column: string, type: DataType, use: string): PlanError {
  return new PlanError(
    'UNSUPPORTED_TYPE_USE',
    `column '${column}' has type ${type}, which ${use} cannot use: such columns pass through select, filters and sorts on other columns, limit, joins on other keys and writes, but cannot be computed on`,
    { column, type },
  );
}

/** Units per second of each time unit. */
export const UNITS_PER_SECOND: Readonly<Record<TimeUnit, number>> = { s: 1, ms: 1e3, us: 1e6, ns: 1e9 };

const TIMESTAMP = /^timestamp\[(s|ms|us|ns)(?:, (.+))?\]$/;
const TIME = /^time\[(s|ms|us|ns)\]$/;

/** Unit and zone (null: naive) of a timestamp type; null for other types. */
export function timestampInfo(t: string): { unit: TimeUnit; zone: string | null } | null {
  const m = TIMESTAMP.exec(t);
  return m ? { unit: m[1] as TimeUnit, zone: m[2] ?? null } : null;
}

/** The unit of a time-of-day type; null for other types. */
export function timeUnitOf(t: string): TimeUnit | null {
  const m = TIME.exec(t);
  return m ? (m[1] as TimeUnit) : null;
}

export const timestampType = (unit: TimeUnit, zone: string | null = null): TimestampType =>
  zone === null ? `timestamp[${unit}]` : `timestamp[${unit}, ${zone}]`;

export const isTimestamp = (t: string): t is TimestampType => TIMESTAMP.test(t);
export const isTime = (t: string): t is TimeType => TIME.test(t);
export const isTemporal = (t: string): t is TimestampType | TimeType => isTimestamp(t) || isTime(t);

/** The vector type that holds a data type's values: timestamps and times are int64 counts of their unit. */
export function storageType(t: DataType): VecType {
  switch (t) {
    case 'int8':
    case 'int16':
    case 'uint8':
    case 'uint16':
      return 'int32';
    case 'uint32':
      return 'int64';
    case 'float32':
      return 'float64';
    default:
      return isTemporal(t) ? 'int64' : t;
  }
}

/** The finer of two units. */
export const finerUnit = (a: TimeUnit, b: TimeUnit): TimeUnit => (UNITS_PER_SECOND[a] >= UNITS_PER_SECOND[b] ? a : b);

/**
 * The type two timestamps (or two times) compare and combine in: the finer unit; an instant
 * when either is one (a naive value is read in the session zone). Null when they do not mix.
 */
export function commonTemporalType(a: DataType, b: DataType): DataType | null {
  if (a === b) return a;
  const ta = timestampInfo(a);
  const tb = timestampInfo(b);
  if (ta && tb) return timestampType(finerUnit(ta.unit, tb.unit), ta.zone ?? tb.zone);
  if (ta && b === 'date') return a;
  if (tb && a === 'date') return b;
  const ua = timeUnitOf(a);
  const ub = timeUnitOf(b);
  if (ua && ub) return `time[${finerUnit(ua, ub)}]`;
  return null;
}

/** Spark's largest decimal precision. */
export const MAX_DECIMAL_PRECISION = 38;

/** Decimals of up to this many digits hold their unscaled values in a BigInt64Array; wider ones in BigInts. */
export const MAX_SHORT_DECIMAL = 18;

const DECIMAL = /^decimal\((\d+),(\d+)\)$/;

export function isDecimal(t: string): t is DecimalType {
  return DECIMAL.test(t);
}

/** `decimal(p,s)`, checked: 1 ≤ p ≤ 38 and 0 ≤ s ≤ p (a plan error naming the type otherwise). */
export function decimalType(precision: number, scale: number): DecimalType {
  if (!Number.isInteger(precision) || precision < 1 || precision > MAX_DECIMAL_PRECISION)
    throw new PlanError('BAD_TYPE', `decimal precision ${precision} is outside 1..${MAX_DECIMAL_PRECISION}`, {
      type: `decimal(${precision},${scale})`,
    });
  if (!Number.isInteger(scale) || scale < 0 || scale > precision)
    throw new PlanError('BAD_TYPE', `decimal scale ${scale} is outside 0..${precision}`, {
      type: `decimal(${precision},${scale})`,
    });
  return `decimal(${precision},${scale})`;
}

export function decimalParts(t: DecimalType): { readonly precision: number; readonly scale: number } {
  const m = DECIMAL.exec(t)!;
  return { precision: Number(m[1]), scale: Number(m[2]) };
}

/** Whether a string names a data type (a decimal's precision and scale must be valid). */
export function isDataType(t: unknown): t is DataType {
  if (typeof t !== 'string') return false;
  if ((DATA_TYPES as readonly string[]).includes(t) || isTemporal(t)) return true;
  if (!isDecimal(t)) return false;
  const { precision, scale } = decimalParts(t);
  return precision >= 1 && precision <= MAX_DECIMAL_PRECISION && scale <= precision;
}

/** The decimal an integer type converts to without loss (Spark: int is decimal(10,0), bigint decimal(20,0)). */
export function asDecimal(t: DataType): DecimalType | null {
  if (isDecimal(t)) return t;
  return INTEGER_DECIMAL[t] ?? null;
}

/** Spark's DecimalType.forType: byte is decimal(3,0), short decimal(5,0), int decimal(10,0), long decimal(20,0). */
const INTEGER_DECIMAL: Readonly<Partial<Record<DataType, DecimalType>>> = {
  int8: 'decimal(3,0)',
  uint8: 'decimal(3,0)',
  int16: 'decimal(5,0)',
  uint16: 'decimal(5,0)',
  int32: 'decimal(10,0)',
  uint32: 'decimal(10,0)',
  int64: 'decimal(20,0)',
};

/** Spark's bounded decimal: precision capped at 38, giving up scale (down to 6) to keep the integer digits. */
export function boundedDecimal(precision: number, scale: number): DecimalType {
  if (precision <= MAX_DECIMAL_PRECISION) return decimalType(precision, scale);
  const intDigits = precision - scale;
  const minScale = Math.min(scale, 6);
  return decimalType(MAX_DECIMAL_PRECISION, Math.max(MAX_DECIMAL_PRECISION - intDigits, minScale));
}

/** The narrowest decimal holding both (for comparisons, unions, CASE and coalesce). */
export function widerDecimal(a: DecimalType, b: DecimalType): DecimalType {
  const x = decimalParts(a);
  const y = decimalParts(b);
  const scale = Math.max(x.scale, y.scale);
  const range = Math.max(x.precision - x.scale, y.precision - y.scale);
  return decimalType(Math.min(MAX_DECIMAL_PRECISION, range + scale), Math.min(scale, MAX_DECIMAL_PRECISION - range));
}

export interface Field {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
}

export type Schema = readonly Field[];

export function field(name: string, type: DataType, nullable = true): Field {
  return Object.freeze({ name, type, nullable });
}

/** Whether values are byte strings (strings as UTF-8, binaries as they are). */
export function isBytes(t: DataType): t is 'string' | 'binary' {
  return t === 'string' || t === 'binary';
}

export function isNumeric(t: DataType): boolean {
  return t === 'int32' || t === 'int64' || t === 'float64' || isSmallNumber(t) || isDecimal(t);
}

/** The signed type an unsigned integer computes in (Spark's reading of UINT8/16/32); others unchanged. */
export function computeType(t: DataType): DataType {
  return t === 'uint8' ? 'int16' : t === 'uint16' ? 'int32' : t === 'uint32' ? 'int64' : t;
}

/** Spark's numeric precedence: byte < short < int < long < float < double. */
const RANK: Readonly<Partial<Record<DataType, number>>> = {
  int8: 0,
  int16: 1,
  int32: 2,
  int64: 3,
  float32: 4,
  float64: 5,
};

/**
 * The type two numeric operands are widened to, as Spark's type coercion does: the higher of
 * byte < short < int < long < float < double; a decimal with an integer stays exact, with a float
 * or double it is a double. The same type stays itself (a CASE or union of two uint8 columns is uint8).
 */
export function widen(a: DataType, b: DataType): DataType {
  if (a === b) return a;
  return arithmeticType(a, b);
}

/** The type + - * % compute in (Spark: byte + byte is a byte, float + int a float; unsigned types as their signed holders). */
export function arithmeticType(a: DataType, b: DataType): DataType {
  const x = computeType(a);
  const y = computeType(b);
  if (isDecimal(x) || isDecimal(y)) {
    if (isFloating(x) || isFloating(y)) return 'float64';
    return x === y ? x : widerDecimal(asDecimal(x)!, asDecimal(y)!);
  }
  return (RANK[x] ?? 5) >= (RANK[y] ?? 5) ? x : y;
}

/** Days since 1970-01-01 for an ISO date `YYYY-MM-DD`; a plan error naming the literal otherwise. */
export function dateToDays(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) throw badDate(iso, 'expected YYYY-MM-DD');
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) throw badDate(iso, `month ${month} does not exist`);
  const ms = Date.UTC(year, month - 1, day);
  if (day < 1 || new Date(ms).getUTCDate() !== day) throw badDate(iso, `day ${day} does not exist in ${m[1]}-${m[2]}`);
  return Math.round(ms / 86_400_000);
}

const badDate = (iso: string, why: string) =>
  new PlanError('BAD_DATE_LITERAL', `invalid date literal '${iso}': ${why}`, { literal: iso });

export function daysToDate(days: number): string {
  return new Date(days * 86_400_000).toISOString().slice(0, 10);
}
