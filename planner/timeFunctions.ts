/**
 * Signatures of the date and time functions (kernels in operators/time/kernels.ts). A `zoned`
 * function's last argument is the session time zone: the analyzer appends it (padding optional
 * arguments with NULL) when it binds a plan, so a plan carries every zone it depends on and
 * `explain` shows it, as Spark's plans do. Spark's names and rules; results match DuckDB's.
 */
import type { ArgType, FunctionSignature } from './functions.js';
import type { DataType } from './types.js';
import { isTimestamp, timestampInfo, timestampType } from './types.js';

const is = (t: ArgType | undefined, ...ok: DataType[]): boolean => t === undefined || t === 'null' || ok.includes(t);
const temporal = (t: ArgType | undefined): boolean => t === undefined || t === 'null' || t === 'date' || isTimestamp(t);
const integer = (t: ArgType | undefined): boolean => is(t, 'int32', 'int64');

/** date_trunc's units (Spark's names). */
export const DATE_TRUNC_UNITS: readonly string[] = [
  'year',
  'yyyy',
  'yy',
  'quarter',
  'month',
  'mon',
  'mm',
  'week',
  'day',
  'dd',
  'hour',
  'minute',
  'second',
  'millisecond',
  'microsecond',
];

/** The type an instant-producing function returns: Spark's TIMESTAMP (an instant, microseconds). */
export const INSTANT: DataType = 'timestamp[us, UTC]';

/** A field of a date or timestamp (year … second), as an int. */
const field = (a: readonly ArgType[]): DataType | string =>
  temporal(a[0]) && is(a[1], 'string') ? 'int32' : 'a date or a timestamp';

/** The instant type of a timestamp-like argument (a naive one keeps its unit and becomes an instant). */
function instantOf(t: ArgType | undefined): DataType {
  const info = t && t !== 'null' ? timestampInfo(t) : null;
  if (!info) return INSTANT;
  return info.zone === null ? timestampType(info.unit, 'UTC') : (t as DataType);
}

export const TIME_FUNCTIONS = {
  year: { minArgs: 1, maxArgs: 2, zoned: true, result: field },
  month: { minArgs: 1, maxArgs: 2, zoned: true, result: field },
  day: { minArgs: 1, maxArgs: 2, zoned: true, result: field },
  hour: { minArgs: 1, maxArgs: 2, zoned: true, result: field },
  minute: { minArgs: 1, maxArgs: 2, zoned: true, result: field },
  second: { minArgs: 1, maxArgs: 2, zoned: true, result: field },
  /** 1 = Sunday … 7 = Saturday, as Spark. */
  dayofweek: { minArgs: 1, maxArgs: 2, zoned: true, result: field },
  dayofyear: { minArgs: 1, maxArgs: 2, zoned: true, result: field },
  quarter: { minArgs: 1, maxArgs: 2, zoned: true, result: field },
  /** date_trunc(unit, ts): a timestamp keeps its type; a date becomes an instant at its midnight. */
  date_trunc: {
    minArgs: 2,
    maxArgs: 3,
    zoned: true,
    result: (a) =>
      is(a[0], 'string') && temporal(a[1]) && is(a[2], 'string')
        ? a[1] !== undefined && a[1] !== 'null' && isTimestamp(a[1])
          ? a[1]
          : INSTANT
        : 'a unit and a date or timestamp',
  },
  /** to_date(x[, format]): a string parsed (by a Spark pattern), a timestamp's date (in the session zone). */
  to_date: {
    minArgs: 1,
    maxArgs: 3,
    zoned: true,
    result: (a) =>
      (temporal(a[0]) || is(a[0], 'string')) && is(a[1], 'string') ? 'date' : 'a string, date or timestamp',
  },
  /** to_timestamp(x[, format]): an instant; strings read in the session zone unless they name an offset. */
  to_timestamp: {
    minArgs: 1,
    maxArgs: 3,
    zoned: true,
    result: (a) =>
      (temporal(a[0]) || is(a[0], 'string')) && is(a[1], 'string') ? instantOf(a[0]) : 'a string, date or timestamp',
  },
  /** to_timestamp_ntz(x[, format]): a wall-clock timestamp (instants read in the session zone). */
  to_timestamp_ntz: {
    minArgs: 1,
    maxArgs: 3,
    zoned: true,
    result: (a) => {
      if (!(temporal(a[0]) || is(a[0], 'string')) || !is(a[1], 'string')) return 'a string, date or timestamp';
      const info = a[0] && a[0] !== 'null' ? timestampInfo(a[0]) : null;
      return timestampType(info?.unit ?? 'us');
    },
  },
  /** date_format(x, format): a date or timestamp as text by a Spark pattern (NULL format: as CAST prints it). */
  date_format: {
    minArgs: 2,
    maxArgs: 3,
    zoned: true,
    result: (a) => (temporal(a[0]) && is(a[1], 'string') ? 'string' : 'a date or timestamp and a format'),
  },
  /** datediff(end, start): days from start to end (timestamps by their date in the session zone). */
  datediff: {
    minArgs: 2,
    maxArgs: 3,
    zoned: true,
    result: (a) => (temporal(a[0]) && temporal(a[1]) && is(a[2], 'string') ? 'int32' : 'two dates or timestamps'),
  },
  /** unix_timestamp([x[, format]]): seconds since the epoch; no argument is the job's start. */
  unix_timestamp: {
    minArgs: 0,
    maxArgs: 3,
    zoned: true,
    result: (a) =>
      (temporal(a[0]) || is(a[0], 'string')) && is(a[1], 'string') ? 'int64' : 'a string, date or timestamp',
  },
  /** from_unixtime(seconds[, format]): text in the session zone (default yyyy-MM-dd HH:mm:ss). */
  from_unixtime: {
    minArgs: 1,
    maxArgs: 3,
    zoned: true,
    result: (a) => (integer(a[0]) && is(a[1], 'string') ? 'string' : 'seconds as an integer and a format'),
  },
  /** add_interval(x, months, days, microseconds): Spark's timestamp + INTERVAL (months and days in the session zone). */
  add_interval: {
    minArgs: 4,
    maxArgs: 5,
    zoned: true,
    result: (a) =>
      temporal(a[0]) && integer(a[1]) && integer(a[2]) && integer(a[3])
        ? a[0] === undefined || a[0] === 'null'
          ? INSTANT
          : (a[0] as DataType)
        : 'a date or timestamp and an interval',
  },
  /** Fixed once per job when the driver plans it. */
  current_date: { minArgs: 0, maxArgs: 0, result: () => 'date' },
  current_timestamp: { minArgs: 0, maxArgs: 0, result: () => INSTANT },
} as const satisfies Readonly<Record<string, FunctionSignature>>;
