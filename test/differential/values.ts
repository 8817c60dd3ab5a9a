/**
 * Differential test, values: the column types the generator draws from, the feature flags that
 * switch on types the engine does not compute exactly yet, and the pool of values of each type.
 * A generated cell is a natural number `n`; `valueFor(type, n)` maps it to a value, small `n`
 * first to the edge cases (0, extremes, NaN, -0.0, '', non-ASCII), so shrinking a cell toward 0
 * makes it simpler, and a skewed draw of `n` makes repeated keys.
 *
 * Values in table rows: int32/float64 numbers, int64 and timestamp (µs) bigints, decimals exact
 * strings ('-12.50'), dates 'YYYY-MM-DD', strings, booleans, null.
 *
 * @example
 * valueFor('float64', 3, DEFAULT_FLAGS) // NaN
 */

/** Types that can be switched on once the engine supports them exactly (all off by default). */
export interface GenFlags {
  /** int64 values beyond ±2^53 (2^53 + 1, INT64 min/max), compared exactly. Needs exact int64. */
  readonly int64Extremes: boolean;
  /** decimal(p, s) columns (up to (38, 10)), compared digit for digit. Needs decimals. */
  readonly decimals: boolean;
  /** timestamp[us, UTC] columns (before and after 1970). Needs timestamps. */
  readonly timestamps: boolean;
}

/** What the engine computes exactly today (see planner/types.ts): none of the flagged types. */
export const DEFAULT_FLAGS: GenFlags = Object.freeze({ int64Extremes: false, decimals: false, timestamps: false });

export type DecimalType = `decimal(${number},${number})`;
export type ColType = 'int32' | 'int64' | 'float64' | 'string' | 'bool' | 'date' | 'timestamp' | DecimalType;
export type Value = number | bigint | string | boolean | null;

/** The decimal types the generator uses when decimals are on. */
export const DECIMAL_TYPES: readonly DecimalType[] = ['decimal(10,2)', 'decimal(18,4)', 'decimal(38,10)'];

/** Column types available under `flags`, in the order a shrunk type choice (0) prefers. */
export function columnTypes(flags: GenFlags): ColType[] {
  const types: ColType[] = ['int32', 'string', 'float64', 'int64', 'bool', 'date'];
  if (flags.decimals) types.push(...DECIMAL_TYPES);
  if (flags.timestamps) types.push('timestamp');
  return types;
}

export function isDecimal(t: ColType | 'null'): t is DecimalType {
  return t.startsWith('decimal(');
}

/** Precision and scale of a decimal type. */
export function decimalParams(t: DecimalType): { precision: number; scale: number } {
  const m = /^decimal\((\d+),(\d+)\)$/.exec(t);
  if (!m) throw new Error(`differential: bad decimal type ${t}`);
  return { precision: Number(m[1]), scale: Number(m[2]) };
}

export function isNumericType(t: ColType | 'null'): boolean {
  return t === 'int32' || t === 'int64' || t === 'float64' || isDecimal(t);
}

export function isIntegerType(t: ColType | 'null'): boolean {
  return t === 'int32' || t === 'int64';
}

const INT32_EDGES = [0, 1, -1, 2, 7, -7, 2147483647, -2147483648, 100, 46341, 65536, -100];
/** int64 values a float64 holds exactly (the engine's representation today). */
const INT64_EDGES = [0n, 1n, -1n, 3n, 2147483648n, -2147483649n, 1099511627776n, -1099511627776n, 1000000000000n];
const INT64_EXTREMES = [
  9007199254740993n,
  -9007199254740993n,
  9223372036854775807n,
  -9223372036854775808n,
  9007199254740992n,
  4611686018427387904n,
];
/** Mostly dyadic doubles (sums are exact in any order), plus the special values. */
const FLOAT_EDGES = [
  0,
  1.5,
  -2.5,
  Number.NaN,
  -0,
  0.1,
  1e6,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0.375,
];
const STRING_EDGES = ['', 'a', 'A', 'ü', '日本語', '😀', 'ｆｕｌｌ', 'a ', ' a', 'abc', 'b', 'NULL', 'naïve café'];
const DATE_EDGES = ['1970-01-01', '1969-12-31', '2000-02-29', '1900-01-01', '2100-12-31', '1600-03-01', '2024-01-01'];
const DAY_MS = 86_400_000;
/** Timestamps in µs since the epoch: around 1970, before it, and far from it. */
const TS_EDGES = [0n, -1n, 1n, 951782400000000n, -2208988800000000n, 4102444799999999n, 1700000000123456n];

/** The value of `type` for the natural number `n` (deterministic). */
export function valueFor(type: ColType, n: number, flags: GenFlags): Value {
  switch (type) {
    case 'int32':
      return n < INT32_EDGES.length ? INT32_EDGES[n]! : (n % 41) - 20;
    case 'int64': {
      const edges = flags.int64Extremes ? [...INT64_EDGES, ...INT64_EXTREMES] : INT64_EDGES;
      return n < edges.length ? edges[n]! : BigInt((n % 37) - 18) * 1000003n;
    }
    case 'float64':
      return n < FLOAT_EDGES.length ? FLOAT_EDGES[n]! : ((n % 61) - 30) / 8;
    case 'string':
      return n < STRING_EDGES.length ? STRING_EDGES[n]! : `k${n % 29}`;
    case 'bool':
      return n % 2 === 1;
    case 'date':
      return n < DATE_EDGES.length ? DATE_EDGES[n]! : isoDate(Date.UTC(2020, 0, 1) + (n % 400) * DAY_MS);
    case 'timestamp':
      return n < TS_EDGES.length ? TS_EDGES[n]! : 1577836800000000n + BigInt(n % 1000) * 3_600_000_123n;
    default:
      return decimalValue(type, n);
  }
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Decimal values as exact strings: 0, ±1 ulp, ±max, and small multiples of the scale. */
function decimalValue(type: DecimalType, n: number): string {
  const { precision, scale } = decimalParams(type);
  const max = 10n ** BigInt(precision) - 1n;
  const edges = [0n, 1n, -1n, max, -max, 10n ** BigInt(scale), 5n * 10n ** BigInt(Math.max(scale - 1, 0))];
  const unscaled = n < edges.length ? edges[n]! : BigInt((n % 201) - 100) * 10n ** BigInt(Math.max(scale - 2, 0)) + 7n;
  return formatUnscaled(unscaled, scale);
}

/** An unscaled integer and a scale as a decimal string: (-1250n, 2) → '-12.50'. */
export function formatUnscaled(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return neg ? `-${text}` : text;
}

/** A decimal string as its unscaled integer at `scale`: ('-12.5', 2) → -1250n. */
export function parseUnscaled(text: string, scale: number): bigint {
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) throw new Error(`differential: bad decimal '${text}'`);
  const frac = (m[3] ?? '').padEnd(scale, '0');
  if (frac.length > scale) throw new Error(`differential: '${text}' has more than ${scale} decimals`);
  const v = BigInt(m[2]! + frac);
  return m[1] ? -v : v;
}

/** Days since 1970-01-01 of 'YYYY-MM-DD'. */
export function daysOf(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / DAY_MS);
}
