/**
 * Timestamp and time values as text and as counts of their unit: parsing literals
 * ('2024-01-01 12:00:00', '...T12:00:00.123456789+02:00'), rendering them as Spark and DuckDB
 * print them (trailing fraction zeros trimmed), converting between units, and calendar
 * intervals. Exact: values are BigInts of the type's unit.
 */
import { civil, daysFromCivil, daysInMonth } from './calendar.js';
import { PlanError } from './errors.js';
import { localToEpoch, offsetFn } from './timezones.js';
import type { TimeUnit } from './types.js';
import { timestampInfo, timeUnitOf, UNITS_PER_SECOND } from './types.js';

export const UNITS_BIG: Readonly<Record<TimeUnit, bigint>> = { s: 1n, ms: 1000n, us: 1_000_000n, ns: 1_000_000_000n };

/** a / b rounded toward negative infinity. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** A count of `from` units in `to` units: exact toward finer units, floored toward coarser ones. */
export function convertUnit(v: bigint, from: TimeUnit, to: TimeUnit): bigint {
  if (from === to) return v;
  const f = UNITS_BIG[from];
  const t = UNITS_BIG[to];
  return t > f ? BigInt.asIntN(64, v * (t / f)) : floorDiv(v, f / t);
}

/** A wall-clock reading: days since 1970-01-01, seconds of the day, nanoseconds, and the zone the text named. */
export interface WallClock {
  readonly days: number;
  readonly seconds: number;
  readonly nanos: number;
  /** Seconds east of UTC the text gave ('Z', '+02:00'), or the zone name it gave; null for none. */
  readonly offset: number | null;
  readonly zone: string | null;
  /** Fraction digits written. */
  readonly digits: number;
}

const TEXT =
  /^\s*([+-]?\d{4,6})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ]\s*(\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2})?(?::?\d{2})?|[A-Za-z][A-Za-z0-9_+\-/]*)?\s*$/;

/** Spark's stringToTimestamp forms: `yyyy[-m[m][-d[d]]][(T| )h[h][:m[m][:s[s][.f…]]]][zone]`; null when invalid. */
export function parseTimestampText(text: string): WallClock | null {
  const m = TEXT.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2] ?? '1', m[3] ?? '1', m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return null;
  const frac = m[7] ?? '';
  let offset: number | null = null;
  let zone: string | null = null;
  const z = m[8];
  if (z === 'Z') offset = 0;
  else if (z && /^[+-]/.test(z)) {
    const zm = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(z)!;
    offset = (zm[1] === '-' ? -1 : 1) * (Number(zm[2]) * 3600 + Number(zm[3] ?? 0) * 60 + Number(zm[4] ?? 0));
  } else if (z) zone = z;
  return {
    days: daysFromCivil(y, mo, d),
    seconds: h * 3600 + mi * 60 + s,
    nanos: Number(frac.padEnd(9, '0')),
    offset,
    zone,
    digits: frac.length,
  };
}

/** The wall clock as a count of `unit` (extra fraction digits are dropped, as Spark does). */
export function wallToUnits(w: WallClock, unit: TimeUnit): bigint {
  const secs = BigInt(w.days) * 86400n + BigInt(w.seconds);
  return secs * UNITS_BIG[unit] + BigInt(Math.floor(w.nanos / (1e9 / UNITS_PER_SECOND[unit])));
}

/**
 * A wall clock as an instant (count of `unit` since the epoch, UTC): its own offset or zone if
 * the text named one, else the wall-clock time in `zone`.
 */
export function wallToInstant(w: WallClock, unit: TimeUnit, zone: string): bigint {
  const local = wallToUnits(w, unit);
  const seconds = w.days * 86400 + w.seconds;
  const off = w.offset ?? seconds - localToEpoch(seconds, offsetFn(w.zone ?? zone));
  return local - BigInt(off) * UNITS_BIG[unit];
}

/** Seconds and nanoseconds of a count of `unit` (seconds floored). */
export function splitSeconds(v: bigint, unit: TimeUnit): [number, number] {
  const u = UNITS_BIG[unit];
  const s = floorDiv(v, u);
  return [Number(s), Number(v - s * u) * (1e9 / UNITS_PER_SECOND[unit])];
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

/** `yyyy-MM-dd` of a day number (years beyond 4 digits keep their digits; before year 1, a minus sign). */
export function dateText(days: number): string {
  const [y, m, d] = civil(days);
  const year = y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
  return `${year}-${pad(m, 2)}-${pad(d, 2)}`;
}

/** `HH:mm:ss[.fraction]` of seconds of the day and nanoseconds, trailing fraction zeros trimmed. */
export function clockText(seconds: number, nanos: number): string {
  const base = `${pad(Math.floor(seconds / 3600), 2)}:${pad(Math.floor(seconds / 60) % 60, 2)}:${pad(seconds % 60, 2)}`;
  return nanos ? `${base}.${pad(nanos, 9).replace(/0+$/, '')}` : base;
}

/** `yyyy-MM-dd HH:mm:ss[.fraction]` of a wall-clock count of `unit`. */
export function wallText(v: bigint, unit: TimeUnit): string {
  const [s, nanos] = splitSeconds(v, unit);
  const days = Math.floor(s / 86400);
  return `${dateText(days)} ${clockText(s - days * 86400, nanos)}`;
}

/** `±HH:mm` of an offset in seconds. */
export function offsetText(offset: number): string {
  const a = Math.abs(offset);
  const sec = a % 60 ? `:${pad(a % 60, 2)}` : '';
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(a / 3600), 2)}:${pad(Math.floor(a / 60) % 60, 2)}${sec}`;
}

/** A timestamp value of a type as text: naive as its wall clock; an instant in `zone` with its offset. */
export function timestampText(v: bigint, type: string, zone = 'UTC'): string {
  const info = timestampInfo(type);
  if (!info) throw new PlanError('NOT_A_TIMESTAMP', `${type} is not a timestamp type`, { type });
  if (info.zone === null) return wallText(v, info.unit);
  const [s] = splitSeconds(v, info.unit);
  const off = offsetFn(zone)(s);
  return `${wallText(v + BigInt(off) * UNITS_BIG[info.unit], info.unit)}${offsetText(off)}`;
}

/** The value of a timestamp literal of a type (naive: its wall clock; an instant: needs an offset). */
export function timestampLiteral(text: string, type: string, zone?: string): bigint {
  const info = timestampInfo(type);
  const w = parseTimestampText(text);
  if (!info || !w) throw badLiteral(text, type, 'expected yyyy-MM-dd[ HH:mm:ss[.fraction]][offset]');
  if (info.zone === null) {
    if (w.offset !== null || w.zone !== null)
      throw badLiteral(text, type, 'a naive timestamp has no offset; use timestamp(...) with an offset for an instant');
    return wallToUnits(w, info.unit);
  }
  if (w.offset === null && w.zone === null && zone === undefined)
    throw badLiteral(text, type, 'an instant needs an offset such as Z or +02:00');
  return wallToInstant(w, info.unit, zone ?? 'UTC');
}

/** The unit a literal's text needs: us, or ns when it has more than 6 fraction digits. */
export function literalUnit(text: string): TimeUnit {
  return (parseTimestampText(text)?.digits ?? 0) > 6 ? 'ns' : 'us';
}

/** `HH:mm:ss[.fraction]` as a count of `unit` since midnight; null when invalid. */
export function parseTimeText(text: string, unit: TimeUnit): bigint | null {
  const m = /^\s*(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?\s*$/.exec(text);
  if (!m) return null;
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23 || mi > 59 || s > 59) return null;
  const nanos = Number((m[4] ?? '').padEnd(9, '0'));
  return BigInt(h * 3600 + mi * 60 + s) * UNITS_BIG[unit] + BigInt(Math.floor(nanos / (1e9 / UNITS_PER_SECOND[unit])));
}

/** A time-of-day value as `HH:mm:ss[.fraction]`. */
export function timeText(v: bigint, type: string): string {
  const unit = timeUnitOf(type) ?? 'us';
  const [s, nanos] = splitSeconds(v, unit);
  return clockText(s, nanos);
}

export function timeLiteral(text: string, type: string): bigint {
  const unit = timeUnitOf(type);
  const v = unit ? parseTimeText(text, unit) : null;
  if (v === null) throw badLiteral(text, type, 'expected HH:mm:ss[.fraction]');
  return v;
}

const badLiteral = (text: string, type: string, why: string) =>
  new PlanError('BAD_TIMESTAMP_LITERAL', `invalid ${type} literal '${text}': ${why}`, { literal: text, type });

/** A calendar interval, as Spark's: months, days and microseconds, each signed. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: number;
}

/** Text form of an interval, as in plans: `1 months 2 days 3600000000 microseconds`. */
export function intervalText(i: Interval): string {
  return `${i.months} months ${i.days} days ${i.micros} microseconds`;
}

/**
 * A JS value as a count of a timestamp or time type's unit: BigInts and integers are counts
 * already, Dates are instants (ms), text is a literal (an instant without an offset is UTC).
 */
export function temporalUnits(x: unknown, type: string): bigint {
  if (typeof x === 'bigint') return x;
  if (typeof x === 'number' && Number.isSafeInteger(x)) return BigInt(x);
  const ts = timestampInfo(type);
  if (x instanceof Date && ts) {
    const ms = x.getTime();
    if (!Number.isFinite(ms)) throw badLiteral(String(x), type, 'an invalid Date');
    return convertUnit(BigInt(ms), 'ms', ts.unit); // a naive type takes the UTC wall clock
  }
  if (typeof x === 'string') return ts ? timestampLiteral(x, type, 'UTC') : timeLiteral(x, type);
  throw badLiteral(String(x), type, 'expected a count of its unit, a Date or text');
}

/** A timestamp or time literal as a number of its unit where a number holds it exactly (footer pruning). */
export function temporalLiteralNumber(value: unknown, type: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const v = timestampInfo(type) ? timestampLiteral(value, type, 'UTC') : timeLiteral(value, type);
  return Number.isSafeInteger(Number(v)) ? Number(v) : undefined;
}

/** A timestamp or time value as text: naive as its wall clock, an instant in `zone` with its offset. */
export function temporalText(v: bigint, type: string, zone = 'UTC'): string {
  return timestampInfo(type) ? timestampText(v, type, zone) : timeText(v, type);
}
