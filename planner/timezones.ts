/**
 * Time zones: the offset from UTC of a zone at an instant, and the instant of a wall-clock time
 * in a zone, as java.time resolves it (Spark's rules): a time that occurs twice (clocks set
 * back) takes the earlier instant, a time that does not occur (clocks set forward) moves
 * forward by the gap. Zones are 'UTC', fixed offsets ('+05:30', 'UTC-3') or IANA names
 * ('America/New_York', resolved through Intl and cached per hour of time).
 */
import { PlanError } from './errors.js';

/** The offset in seconds east of UTC at an instant (seconds since the epoch). */
export type OffsetFn = (epochSeconds: number) => number;

const FIXED = /^(?:UTC|GMT|UT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i;
const UTC_NAMES = new Set(['utc', 'z', 'gmt', 'ut', 'etc/utc', 'etc/gmt', 'zulu', 'universal', 'etc/universal']);

/** Seconds of a fixed offset ('+05:30', '-08', 'UTC+1'); null when the text is not one. */
export function fixedOffset(zone: string): number | null {
  if (UTC_NAMES.has(zone.toLowerCase())) return 0;
  const m = FIXED.exec(zone.trim());
  if (!m) return null;
  const [h, mi, s] = [Number(m[2]), Number(m[3] ?? 0), Number(m[4] ?? 0)];
  if (h > 18 || mi > 59 || s > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (h * 3600 + mi * 60 + s);
}

const cache = new Map<string, OffsetFn>();

/** The offset function of a zone; a plan error naming the zone when it does not exist. */
export function offsetFn(zone: string): OffsetFn {
  let f = cache.get(zone);
  if (!f) {
    const fixed = fixedOffset(zone);
    f = fixed !== null ? () => fixed : regionOffsets(zone);
    cache.set(zone, f);
  }
  return f;
}

/** Check a zone name at plan time. */
export function checkTimeZone(zone: string): string {
  offsetFn(zone);
  return zone;
}

export const isUtc = (zone: string): boolean => fixedOffset(zone) === 0;

/** Seconds Date can represent (±8.64e12). */
const DATE_LIMIT = 8.64e12;

function regionOffsets(zone: string): OffsetFn {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    throw new PlanError(
      'BAD_TIME_ZONE',
      `unknown time zone '${zone}': use 'UTC', an offset such as '+05:30' or a region such as 'America/New_York'`,
      { timeZone: zone },
    );
  }
  const exact = (s: number): number => {
    const t = Math.min(DATE_LIMIT, Math.max(-DATE_LIMIT, s));
    const p: Record<string, string> = {};
    for (const part of fmt.formatToParts(new Date(t * 1000))) p[part.type] = part.value;
    let year = Number(p.year);
    if (p.era === 'BC' || p.era === 'B') year = 1 - year;
    const d = new Date(0);
    d.setUTCFullYear(year, Number(p.month) - 1, Number(p.day));
    d.setUTCHours(Number(p.hour), Number(p.minute), Number(p.second), 0);
    return d.getTime() / 1000 - Math.floor(t);
  };
  // Offsets change rarely (twice a year at most, days apart): per window of 2^19 s (~6 days) keep
  // the offset at its start, the second of its one change (if any) and the offset after it.
  const windows = new Map<number, { before: number; at: number; after: number }>();
  return (s) => {
    const w = Math.floor(s / WINDOW_SECONDS);
    let hit = windows.get(w);
    if (!hit) {
      const start = w * WINDOW_SECONDS;
      const end = start + WINDOW_SECONDS - 1;
      const before = exact(start);
      const after = exact(end);
      let at = end + 1;
      if (before !== after) {
        let lo = start; // offset(lo) = before
        let hi = end; // offset(hi) = after
        while (hi - lo > 1) {
          const mid = Math.floor((lo + hi) / 2);
          if (exact(mid) === before) lo = mid;
          else hi = mid;
        }
        at = hi;
      }
      if (windows.size > 100_000) windows.clear();
      hit = { before, at, after };
      windows.set(w, hit);
    }
    return s < hit.at ? hit.before : hit.after;
  };
}

const WINDOW_SECONDS = 2 ** 19;

const WINDOW = 14 * 3600 + 3600;

/** The instant (epoch seconds) of a wall-clock time (seconds since 1970-01-01 00:00 local) in a zone. */
export function localToEpoch(localSeconds: number, off: OffsetFn): number {
  const before = off(localSeconds - WINDOW);
  const after = off(localSeconds + WINDOW);
  if (before === after) return localSeconds - before;
  const okBefore = off(localSeconds - before) === before;
  const okAfter = off(localSeconds - after) === after;
  if (okBefore && okAfter) return Math.min(localSeconds - before, localSeconds - after); // overlap: earlier instant
  if (okBefore) return localSeconds - before;
  if (okAfter) return localSeconds - after;
  return localSeconds - before; // gap: forward by its length
}
