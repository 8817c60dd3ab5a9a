/**
 * Timestamp values as local wall-clock readings and back: a count of its unit splits into
 * seconds (floored) and nanoseconds; an instant moves to the session zone's wall clock by the
 * zone's offset at that instant. Number arithmetic where it is exact (|count| < 2^53), BigInt
 * beyond (nanoseconds, far years).
 */
import { floorDiv, UNITS_BIG } from '../../planner/time.js';
import type { OffsetFn } from '../../planner/timezones.js';
import { localToEpoch, offsetFn } from '../../planner/timezones.js';
import type { DataType, TimeUnit } from '../../planner/types.js';
import { timestampInfo, UNITS_PER_SECOND } from '../../planner/types.js';

const SAFE = 2 ** 53;

/** Seconds (floored) of a count of a unit with `perSecond` units per second. */
export function secondsOf(v: bigint, perSecond: number): number {
  if (perSecond === 1) return Number(v);
  const x = Number(v);
  if (x > -SAFE && x < SAFE) {
    let q = Math.floor(x / perSecond);
    const r = x - q * perSecond;
    if (r < 0) q--;
    else if (r >= perSecond) q++;
    return q;
  }
  return Number(floorDiv(v, BigInt(perSecond)));
}

/** The sub-second part of a count, in nanoseconds, given its floored seconds. */
export function nanosOf(v: bigint, seconds: number, perSecond: number): number {
  if (perSecond === 1) return 0;
  const x = Number(v);
  if (x > -SAFE && x < SAFE) return (x - seconds * perSecond) * (1e9 / perSecond);
  return Number(v - BigInt(seconds) * BigInt(perSecond)) * (1e9 / perSecond);
}

/** How to read a timestamp column's values as local wall clocks. */
export interface Localizer {
  readonly unit: TimeUnit;
  readonly perSecond: number;
  /** The zone's offset for instants; null for naive values (already wall clocks). */
  readonly off: OffsetFn | null;
}

/** A localizer for a timestamp type in the session zone (`zone`); null when `type` is not a timestamp. */
export function localizer(type: DataType, zone: string): Localizer | null {
  const info = timestampInfo(type);
  if (!info) return null;
  return { unit: info.unit, perSecond: UNITS_PER_SECOND[info.unit], off: info.zone === null ? null : offsetFn(zone) };
}

/** Local wall-clock seconds of a value. */
export function localSeconds(l: Localizer, v: bigint): number {
  const s = secondsOf(v, l.perSecond);
  return l.off ? s + l.off(s) : s;
}

/** A count of `unit` from local wall-clock seconds and nanoseconds (an instant via the zone when `off` is given). */
export function fromLocal(seconds: number, nanos: number, unit: TimeUnit, off: OffsetFn | null): bigint {
  const s = off ? localToEpoch(seconds, off) : seconds;
  const per = UNITS_PER_SECOND[unit];
  const sub = Math.floor(nanos / (1e9 / per));
  const x = s * per + sub;
  return Number.isSafeInteger(x) ? BigInt(x) : BigInt(s) * UNITS_BIG[unit] + BigInt(sub);
}

/**
 * Split each count of a column into floored seconds and nanoseconds, reading the int64 through
 * its 32-bit words (no BigInt per value) where a double holds it exactly.
 */
export function splitColumn(
  values: BigInt64Array,
  perSecond: number,
  n: number,
  each: (i: number, seconds: number, nanos: number) => void,
): void {
  const words = new Int32Array(values.buffer, values.byteOffset, n * 2);
  const scale = 1e9 / perSecond;
  for (let i = 0; i < n; i++) {
    const x = words[2 * i + 1]! * 4294967296 + (words[2 * i]! >>> 0);
    if (x > -SAFE && x < SAFE) {
      let q = Math.floor(x / perSecond);
      let r = x - q * perSecond;
      if (r < 0) {
        q--;
        r += perSecond;
      } else if (r >= perSecond) {
        q++;
        r -= perSecond;
      }
      each(i, q, r * scale);
    } else {
      const s = secondsOf(values[i]!, perSecond);
      each(i, s, nanosOf(values[i]!, s, perSecond));
    }
  }
}
