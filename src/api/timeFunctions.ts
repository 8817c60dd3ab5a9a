/**
 * Date and time functions, as in `org.apache.spark.sql.functions` (snake_case Spark names, and
 * camelCase ones as the rest of this API): timestamp literals, fields, truncation, parsing and
 * formatting with Spark patterns, differences, epoch seconds, the job's current time. Functions
 * that depend on a time zone use the session's (`session({ timeZone })`, UTC by default).
 */
import * as E from '../../planner/expr.js';
import { literalUnit, parseTimestampText, timestampLiteral } from '../../planner/time.js';
import { timestampType } from '../../planner/types.js';
import { Column, literal, toExpr, type ColumnLike } from './column.js';

const c = (v: string | Column): Column => (typeof v === 'string' ? new Column(E.col(v)) : v);
const fn = (name: string, ...args: E.Expr[]) => new Column(E.call(name, args));
const optional = (x: string | Column | undefined): E.Expr[] => (x === undefined ? [] : [toExpr(x)]);

/**
 * A timestamp literal: without an offset a wall-clock (naive) timestamp, compared with instants
 * in the session zone; with one ('Z', '+02:00') an instant. Microseconds, or nanoseconds when
 * the text has more than 6 fraction digits.
 * @example col('ts').geq(timestamp('2024-01-01 12:00:00'))
 */
export function timestamp(text: string): Column {
  const w = parseTimestampText(text);
  const type = timestampType(literalUnit(text), w && (w.offset !== null || w.zone !== null) ? 'UTC' : null);
  timestampLiteral(text, type, 'UTC'); // checks the text
  return new Column(E.lit(text, type));
}

export const hour = (ts: string | Column) => fn('hour', c(ts).expr);
export const minute = (ts: string | Column) => fn('minute', c(ts).expr);
export const second = (ts: string | Column) => fn('second', c(ts).expr);
/** 1 = Sunday … 7 = Saturday. */
export const dayofweek = (d: string | Column) => fn('dayofweek', c(d).expr);
export const dayofyear = (d: string | Column) => fn('dayofyear', c(d).expr);
export const quarter = (d: string | Column) => fn('quarter', c(d).expr);

/**
 * Truncate to a unit: year, quarter, month, week (to Monday), day, hour, minute, second,
 * millisecond, microsecond (and Spark's yyyy, yy, mon, mm, dd).
 * @example date_trunc('hour', 'ts')
 */
export const date_trunc = (unit: string, ts: string | Column) => fn('date_trunc', E.lit(unit), c(ts).expr);
/** A date from a timestamp (in the session zone) or from text (CAST's forms, or a Spark pattern). @example to_date('s', 'dd/MM/yyyy') */
export const to_date = (x: string | Column, format?: string) =>
  fn('to_date', c(x).expr, ...(format === undefined ? [] : [E.lit(format)]));
/** An instant from text (read in the session zone unless it names an offset), a date or a timestamp. @example to_timestamp('s', 'yyyy-MM-dd HH:mm:ss') */
export const to_timestamp = (x: string | Column, format?: string) =>
  fn('to_timestamp', c(x).expr, ...(format === undefined ? [] : [E.lit(format)]));
/** A wall-clock (naive) timestamp from text, a date or an instant (read in the session zone). */
export const to_timestamp_ntz = (x: string | Column, format?: string) =>
  fn('to_timestamp_ntz', c(x).expr, ...(format === undefined ? [] : [E.lit(format)]));
/** Text by a Spark datetime pattern. @example date_format('ts', 'yyyy-MM-dd HH:mm') */
export const date_format = (x: string | Column, format: string) => fn('date_format', c(x).expr, E.lit(format));
/** Days from `start` to `end`. @example datediff('shipped', 'ordered') */
export const datediff = (end: string | Column, start: string | Column) => fn('datediff', c(end).expr, c(start).expr);
/**
 * Seconds since the epoch: of the job's start (no argument), of a timestamp or date, or of text
 * by a pattern (default yyyy-MM-dd HH:mm:ss). @example unix_timestamp('ts')
 */
export const unix_timestamp = (x?: string | Column, format?: string) =>
  fn(
    'unix_timestamp',
    ...optional(x === undefined ? undefined : c(x)),
    ...(format === undefined ? [] : [E.lit(format)]),
  );
/** Epoch seconds as text in the session zone (default pattern yyyy-MM-dd HH:mm:ss). @example from_unixtime('secs') */
export const from_unixtime = (secs: string | Column, format?: string) =>
  fn('from_unixtime', c(secs).expr, ...(format === undefined ? [] : [E.lit(format)]));
/** The job's start date in the session zone: one value for the whole job. */
export const current_date = () => fn('current_date');
/** The job's start as an instant: one value for the whole job. */
export const current_timestamp = () => fn('current_timestamp');

const UNIT_INTERVAL: Readonly<Record<string, [months: number, days: number, micros: bigint]>> = {
  YEAR: [12, 0, 0n],
  QUARTER: [3, 0, 0n],
  MONTH: [1, 0, 0n],
  WEEK: [0, 7, 0n],
  DAY: [0, 1, 0n],
  HOUR: [0, 0, 3_600_000_000n],
  MINUTE: [0, 0, 60_000_000n],
  SECOND: [0, 0, 1_000_000n],
  MILLISECOND: [0, 0, 1000n],
  MICROSECOND: [0, 0, 1n],
};

/**
 * Spark's timestampadd: `amount` (an integer column or number) of `unit` added to a timestamp.
 * @example timestampadd('HOUR', col('delay_h'), 'ts')
 */
export function timestampadd(unit: string, amount: ColumnLike, ts: string | Column): Column {
  const parts = UNIT_INTERVAL[unit.toUpperCase()];
  if (!parts)
    throw new RangeError(`timestampadd unit '${unit}' is not one of ${Object.keys(UNIT_INTERVAL).join(', ')}`);
  const n = toExpr(amount);
  const times = (k: number | bigint) =>
    k === 0 || k === 0n ? E.lit(0) : k === 1 || k === 1n ? n : E.binary('*', n, literal(typeof k === 'bigint' ? k : k));
  return fn('add_interval', c(ts).expr, times(parts[0]), times(parts[1]), times(parts[2]));
}

export const dateTrunc = date_trunc;
export const toDate = to_date;
export const toTimestamp = to_timestamp;
export const toTimestampNtz = to_timestamp_ntz;
export const dateFormat = date_format;
export const dateDiff = datediff;
export const unixTimestamp = unix_timestamp;
export const fromUnixtime = from_unixtime;
export const currentDate = current_date;
export const currentTimestamp = current_timestamp;
export const timestampAdd = timestampadd;
