/**
 * Calendar intervals for timestamp arithmetic, as Spark's: months, days and an exact time part
 * (microseconds). `col('ts').plus(interval({ hours: 1 }))` adds one; months and days move the
 * wall clock in the session time zone, the time part moves the instant.
 */
import type { Interval as IntervalValue } from '../../planner/time.js';

export interface IntervalParts {
  readonly years?: number;
  readonly months?: number;
  readonly weeks?: number;
  readonly days?: number;
  readonly hours?: number;
  readonly minutes?: number;
  readonly seconds?: number;
  readonly milliseconds?: number;
  readonly microseconds?: number;
}

const MICROS: Readonly<Record<string, number>> = {
  hours: 3_600_000_000,
  minutes: 60_000_000,
  seconds: 1_000_000,
  milliseconds: 1000,
  microseconds: 1,
};

/** An interval value (immutable): build one with `interval({...})`. */
export class Interval implements IntervalValue {
  constructor(
    readonly months: number,
    readonly days: number,
    readonly micros: number,
  ) {
    Object.freeze(this);
  }
  /** The same interval, negated. */
  negate(): Interval {
    return new Interval(-this.months, -this.days, -this.micros);
  }
  toString(): string {
    return `INTERVAL ${this.months} months ${this.days} days ${this.micros} microseconds`;
  }
}

/**
 * An interval from parts (each may be negative; seconds may have a fraction).
 * @example col('ts').plus(interval({ hours: 1, minutes: 30 }))
 * @example col('d').minus(interval({ months: 1 }))
 */
export function interval(parts: IntervalParts): Interval {
  for (const [k, v] of Object.entries(parts)) {
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new RangeError(`interval part ${k} must be a finite number, got ${v}`);
    if (k !== 'seconds' && !Number.isInteger(v))
      throw new RangeError(`interval part ${k} must be an integer, got ${v}`);
    if (!(k in MICROS) && !['years', 'months', 'weeks', 'days'].includes(k))
      throw new RangeError(
        `unknown interval part ${k}; parts are years, months, weeks, days, ${Object.keys(MICROS).join(', ')}`,
      );
  }
  const months = (parts.years ?? 0) * 12 + (parts.months ?? 0);
  const days = (parts.weeks ?? 0) * 7 + (parts.days ?? 0);
  let micros = 0;
  for (const [k, m] of Object.entries(MICROS)) micros += Math.round(((parts as Record<string, number>)[k] ?? 0) * m);
  if (!Number.isSafeInteger(micros)) throw new RangeError('interval time part is too large');
  return new Interval(months, days, micros);
}
