/**
 * Kernels of the date and time functions (signatures in planner/timeFunctions.ts). Each reads
 * its temporal argument as local wall-clock seconds + nanoseconds — an instant in the session
 * zone (the call's last argument, bound at planning), a naive timestamp or a date as it is —
 * computes on those, and converts back to the result's unit (and to an instant through the zone).
 */
import { addMonths, civil, daysFromCivil } from '../../planner/calendar.js';
import { compilePattern, DEFAULT_PATTERN, type PatternToken } from '../../planner/datetimePattern.js';
import { InternalError } from '../../planner/errors.js';
import { DATE_TRUNC_UNITS } from '../../planner/timeFunctions.js';
import { dateText, parseTimestampText, wallText } from '../../planner/time.js';
import type { OffsetFn } from '../../planner/timezones.js';
import { localToEpoch, offsetFn } from '../../planner/timezones.js';
import type { DataType, TimeUnit } from '../../planner/types.js';
import { timestampInfo, UNITS_PER_SECOND } from '../../planner/types.js';
import type { Operand } from '../scalar.js';
import { isScalar, materialize } from '../scalar.js';
import { StringBuilder } from '../stringBuilder.js';
import type { Kernel } from '../strings.js';
import type { Vec } from '../vector.js';
import { isValid, newValidity, setValid, stringAt } from '../vector.js';
import { fromLocal, splitColumn } from './local.js';
import { formatter, type Parsed, parseByPattern } from './pattern.js';

type ArgType = DataType | 'null';
const decoder = new TextDecoder();

/** A string scalar argument's text (the zone, a unit, a format); null for NULL. */
function text(o: Operand | undefined): string | null {
  if (!o) return null;
  if (!isScalar(o)) throw new InternalError('SCALAR_ARGUMENT', 'expected a literal argument');
  return o.value === null ? null : decoder.decode(o.value as Uint8Array);
}

/** The session zone: a call's last argument. */
function zoneOf(args: readonly Operand[], at: number): string {
  const z = text(args[at]);
  if (z === null) throw new InternalError('UNBOUND_TIME_ZONE', 'a time function ran without its session time zone');
  return z;
}

/**
 * Local readings of a column: wall-clock seconds, nanoseconds, the zone's offset, the instant
 * (epoch seconds; naive timestamps count as UTC), and validity.
 */
interface LocalColumn {
  readonly secs: Float64Array;
  readonly nanos: Float64Array;
  readonly offsets: Float64Array;
  readonly epochs: Float64Array;
  readonly valid: Uint8Array;
}

/** Read a date, timestamp or (with `parse`, else CAST's forms) string operand as local wall clocks in `zone`. */
function readLocal(
  a: Operand,
  type: ArgType,
  zone: string,
  n: number,
  parse?: (s: string) => Parsed | null,
): LocalColumn {
  const secs = new Float64Array(n);
  const nanos = new Float64Array(n);
  const offsets = new Float64Array(n);
  const epochs = new Float64Array(n);
  const valid = new Uint8Array(n);
  const col = { secs, nanos, offsets, epochs, valid };
  if (isScalar(a) && a.value === null) return col;
  const v = materialize(a, n);
  const info = type === 'null' ? null : timestampInfo(type);
  const off = offsetFn(zone);
  /** A wall clock read in the session zone. */
  const local = (i: number, wall: number) => {
    const e = localToEpoch(wall, off);
    secs[i] = wall;
    epochs[i] = e;
    offsets[i] = wall - e;
    valid[i] = 1;
  };
  /** An instant read on the session zone's clock. */
  const instant = (i: number, e: number) => {
    const o = off(e);
    secs[i] = e + o;
    epochs[i] = e;
    offsets[i] = o;
    valid[i] = 1;
  };
  if (v.type === 'date') {
    for (let i = 0; i < n; i++) if (isValid(v.validity, i)) local(i, v.values[i]! * 86400);
  } else if (info && v.type === 'int64') {
    const zoned = info.zone !== null;
    const validity = v.validity;
    splitColumn(v.values, UNITS_PER_SECOND[info.unit], n, (i, s, ns) => {
      if (validity && !isValid(validity, i)) return;
      if (zoned) instant(i, s);
      else {
        secs[i] = s;
        epochs[i] = s;
        valid[i] = 1;
      }
      nanos[i] = ns;
    });
  } else if (v.type === 'string') {
    for (let i = 0; i < n; i++) {
      if (!isValid(v.validity, i)) continue;
      const p = (parse ?? parseTimestampText)(stringAt(v, i));
      if (!p) continue;
      const wall = p.days * 86400 + p.seconds;
      if (p.offset !== null) instant(i, wall - p.offset);
      else if (p.zone !== null) {
        const z = safeOffsets(p.zone);
        if (!z) continue;
        instant(i, localToEpoch(wall, z));
      } else local(i, wall);
      nanos[i] = p.nanos;
    }
  } else throw new InternalError('TIME_ARGUMENT', `a time function got a ${type} argument`);
  return col;
}

function safeOffsets(zone: string): OffsetFn | null {
  try {
    return offsetFn(zone);
  } catch {
    return null;
  }
}

function validityOf(valid: Uint8Array, n: number): Uint8Array | null {
  let all = true;
  for (let i = 0; i < n; i++) if (!valid[i]) all = false;
  if (all) return null;
  const out = newValidity(n, false);
  for (let i = 0; i < n; i++) if (valid[i]) setValid(out, i, true);
  return out;
}

const floorDay = (s: number) => Math.floor(s / 86400);

/** An int32 field of each row's local reading. */
function fieldKernel(f: (secs: number, days: number) => number): Kernel {
  return (args, n, _out, types) => {
    const l = readLocal(args[0]!, types![0]!, zoneOf(args, 1), n);
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) if (l.valid[i]) out[i] = f(l.secs[i]!, floorDay(l.secs[i]!));
    return { type: 'int32', values: out, validity: validityOf(l.valid, n) };
  };
}

const secOfDay = (s: number, d: number) => s - d * 86400;

/** How results computed on the wall clock become instants again. */
type Back =
  /** The readings' own instants (nothing was computed on the wall clock). */
  | 'same'
  /** The wall clock read in the session zone (a time that occurs twice: the earlier; skipped: moved forward). */
  | 'wall'
  /** As 'wall', but keeping the reading's own offset where it is still valid (java.time's truncatedTo). */
  | 'wallKeepOffset';

/** A timestamp column of type `out` from local readings. */
function timestamps(out: DataType, zone: string, l: LocalColumn, n: number, back: Back): Vec {
  const info = timestampInfo(out);
  if (!info) throw new InternalError('TIME_RESULT', `expected a timestamp result, got ${out}`);
  const values = new BigInt64Array(n);
  const off = info.zone === null ? null : offsetFn(zone);
  for (let i = 0; i < n; i++) {
    if (!l.valid[i]) continue;
    if (!off) values[i] = fromLocal(l.secs[i]!, l.nanos[i]!, info.unit, null);
    else if (back === 'same') values[i] = fromLocal(l.epochs[i]!, l.nanos[i]!, info.unit, null);
    else {
      const own = l.offsets[i]!;
      const keep = back === 'wallKeepOffset' && off(l.secs[i]! - own) === own;
      values[i] = keep
        ? fromLocal(l.secs[i]! - own, l.nanos[i]!, info.unit, null)
        : fromLocal(l.secs[i]!, l.nanos[i]!, info.unit, off);
    }
  }
  return { type: 'int64', values, validity: validityOf(l.valid, n) };
}

/** Truncate a local reading (in place) to a unit. */
function truncate(unit: string, secs: Float64Array, nanos: Float64Array, i: number): void {
  const s = secs[i]!;
  const d = floorDay(s);
  switch (unit) {
    case 'year':
    case 'yyyy':
    case 'yy':
    case 'quarter':
    case 'month':
    case 'mon':
    case 'mm': {
      const [y, m] = civil(d);
      const month = unit === 'quarter' ? m - ((m - 1) % 3) : unit.startsWith('y') ? 1 : m;
      secs[i] = daysFromCivil(y, month, 1) * 86400;
      nanos[i] = 0;
      return;
    }
    case 'week':
      secs[i] = (d - ((((d + 3) % 7) + 7) % 7)) * 86400; // back to Monday
      nanos[i] = 0;
      return;
    case 'day':
    case 'dd':
      secs[i] = d * 86400;
      nanos[i] = 0;
      return;
    case 'hour':
      secs[i] = Math.floor(s / 3600) * 3600;
      nanos[i] = 0;
      return;
    case 'minute':
      secs[i] = Math.floor(s / 60) * 60;
      nanos[i] = 0;
      return;
    case 'second':
      nanos[i] = 0;
      return;
    case 'millisecond':
      nanos[i] = Math.floor(nanos[i]! / 1e6) * 1e6;
      return;
    case 'microsecond':
      nanos[i] = Math.floor(nanos[i]! / 1e3) * 1e3;
      return;
  }
}

const dateTrunc: Kernel = (args, n, outType, types) => {
  const zone = zoneOf(args, 2);
  const unit = text(args[0])?.toLowerCase();
  const l = readLocal(args[1]!, types![1]!, zone, n);
  if (unit === undefined || !DATE_TRUNC_UNITS.includes(unit))
    l.valid.fill(0); // Spark: NULL for an unknown unit
  else for (let i = 0; i < n; i++) if (l.valid[i]) truncate(unit, l.secs, l.nanos, i);
  return timestamps(outType, zone, l, n, 'wallKeepOffset');
};

/** The pattern of a format argument (null: none given). */
function patternOf(o: Operand | undefined): readonly PatternToken[] | null {
  const f = text(o);
  return f === null ? null : compilePattern(f);
}

const parser = (tokens: readonly PatternToken[] | null) =>
  tokens ? (s: string) => parseByPattern(tokens, s) : undefined;

const toDate: Kernel = (args, n, _out, types) => {
  const l = readLocal(args[0]!, types![0]!, zoneOf(args, 2), n, parser(patternOf(args[1])));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) if (l.valid[i]) out[i] = floorDay(l.secs[i]!);
  return { type: 'date', values: out, validity: validityOf(l.valid, n) };
};

/** to_timestamp / to_timestamp_ntz: the local reading as the result type. */
const toTimestamp: Kernel = (args, n, outType, types) => {
  const zone = zoneOf(args, 2);
  const l = readLocal(args[0]!, types![0]!, zone, n, parser(patternOf(args[1])));
  // A naive timestamp becomes an instant by its wall clock in the session zone.
  const naive = types![0] !== 'null' && timestampInfo(types![0]!)?.zone === null;
  return timestamps(outType, zone, l, n, naive ? 'wall' : 'same');
};

/** Local readings as text: by a pattern, or (no pattern) as CAST prints them. */
function formatColumn(
  l: LocalColumn,
  tokens: readonly PatternToken[] | null,
  zone: string,
  dateOnly: boolean,
  n: number,
): Vec {
  const out = new StringBuilder(n, n * 20);
  const format = tokens ? formatter(tokens) : null;
  // Only literal text in the pattern can be outside ASCII.
  const ascii = !tokens?.some((t) => t.kind === 'text' && /[^\x20-\x7e]/.test(t.text));
  const reading = { days: 0, seconds: 0, nanos: 0, offset: 0, zone };
  for (let i = 0; i < n; i++) {
    if (l.valid[i]) {
      const s = l.secs[i]!;
      const days = floorDay(s);
      if (format) {
        reading.days = days;
        reading.seconds = s - days * 86400;
        reading.nanos = l.nanos[i]!;
        reading.offset = l.offsets[i]!;
        const text = format(reading);
        if (ascii) out.appendAscii(text);
        else out.appendText(text);
      } else if (dateOnly) out.appendAscii(dateText(days));
      else out.appendAscii(wallText(BigInt(s) * 1_000_000_000n + BigInt(l.nanos[i]!), 'ns'));
    }
    out.end(i);
  }
  return out.build(validityOf(l.valid, n));
}

const dateFormat: Kernel = (args, n, _out, types) => {
  const zone = zoneOf(args, 2);
  const l = readLocal(args[0]!, types![0]!, zone, n);
  return formatColumn(l, patternOf(args[1]), zone, types![0] === 'date', n);
};

const datediff: Kernel = (args, n, _out, types) => {
  const zone = zoneOf(args, 2);
  const end = readLocal(args[0]!, types![0]!, zone, n);
  const start = readLocal(args[1]!, types![1]!, zone, n);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    end.valid[i] = end.valid[i]! & start.valid[i]!;
    if (end.valid[i]) out[i] = floorDay(end.secs[i]!) - floorDay(start.secs[i]!);
  }
  return { type: 'int32', values: out, validity: validityOf(end.valid, n) };
};

const unixTimestamp: Kernel = (args, n, _out, types) => {
  const zone = zoneOf(args, 2);
  const tokens = types![0] === 'string' ? (patternOf(args[1]) ?? compilePattern(DEFAULT_PATTERN)) : null;
  const l = readLocal(args[0]!, types![0]!, zone, n, parser(tokens));
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) if (l.valid[i]) out[i] = BigInt(l.epochs[i]!); // a naive timestamp counts as UTC
  return { type: 'int64', values: out, validity: validityOf(l.valid, n) };
};

const fromUnixtime: Kernel = (args, n) => {
  const zone = zoneOf(args, 2);
  const v = materialize(args[0]!, n);
  const off = offsetFn(zone);
  const secs = new Float64Array(n);
  const offsets = new Float64Array(n);
  const epochs = new Float64Array(n);
  const valid = new Uint8Array(n);
  if (!(isScalar(args[0]!) && args[0].value === null))
    for (let i = 0; i < n; i++) {
      if (!isValid(v.validity, i)) continue;
      const s = v.type === 'int64' ? Number(v.values[i]!) : (v as { values: Int32Array }).values[i]!;
      epochs[i] = s;
      offsets[i] = off(s);
      secs[i] = s + offsets[i]!;
      valid[i] = 1;
    }
  const tokens = patternOf(args[1]) ?? compilePattern(DEFAULT_PATTERN);
  return formatColumn({ secs, nanos: new Float64Array(n), offsets, epochs, valid }, tokens, zone, false, n);
};

/**
 * Spark's timestamp + interval: months (clamped to the month's end), then days, on the local
 * wall clock; then the exact time part. With no months or days the instant moves exactly.
 */
const addInterval: Kernel = (args, n, outType, types) => {
  const zone = zoneOf(args, 4);
  const l = readLocal(args[0]!, types![0]!, zone, n);
  const [months, days, micros] = [args[1]!, args[2]!, args[3]!].map((a) => materialize(a, n));
  const num = (v: Vec, i: number) =>
    v.type === 'int64' ? Number(v.values[i]!) : (v as { values: Int32Array }).values[i]!;
  const moved = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!isValid(months!.validity, i) || !isValid(days!.validity, i) || !isValid(micros!.validity, i)) l.valid[i] = 0;
    const m = num(months!, i);
    const d = num(days!, i);
    if (!l.valid[i] || (m === 0 && d === 0)) continue;
    const s = l.secs[i]!;
    const day = floorDay(s);
    l.secs[i] = (addMonths(day, m) + d) * 86400 + (s - day * 86400);
    moved[i] = 1;
  }
  if (outType === 'date') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) if (l.valid[i]) out[i] = floorDay(l.secs[i]!);
    return { type: 'date', values: out, validity: validityOf(l.valid, n) };
  }
  const info = timestampInfo(outType)!;
  const off = info.zone === null ? null : offsetFn(zone);
  const x = materialize(args[0]!, n) as { values: BigInt64Array };
  const values = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    if (!l.valid[i]) continue;
    const base = moved[i] ? fromLocal(l.secs[i]!, l.nanos[i]!, info.unit, off) : x.values[i]!;
    values[i] = BigInt.asIntN(64, base + microsIn(num(micros!, i), info.unit));
  }
  return { type: 'int64', values, validity: validityOf(l.valid, n) };
};

function microsIn(micros: number, unit: TimeUnit): bigint {
  const m = BigInt(micros);
  if (unit === 'ns') return m * 1000n;
  if (unit === 'us') return m;
  const per = unit === 'ms' ? 1000n : 1_000_000n;
  return m >= 0n ? m / per : -((-m + per - 1n) / per);
}

const unbound: Kernel = () => {
  throw new InternalError(
    'UNBOUND_CURRENT_TIME',
    'current_date/current_timestamp must be fixed when the job is planned',
  );
};

export const TIME_KERNELS = {
  year: fieldKernel((_s, d) => civil(d)[0]),
  month: fieldKernel((_s, d) => civil(d)[1]),
  day: fieldKernel((_s, d) => civil(d)[2]),
  hour: fieldKernel((s, d) => Math.floor(secOfDay(s, d) / 3600)),
  minute: fieldKernel((s, d) => Math.floor(secOfDay(s, d) / 60) % 60),
  second: fieldKernel((s, d) => secOfDay(s, d) % 60),
  dayofweek: fieldKernel((_s, d) => ((((d + 4) % 7) + 7) % 7) + 1),
  dayofyear: fieldKernel((_s, d) => d - daysFromCivil(civil(d)[0], 1, 1) + 1),
  quarter: fieldKernel((_s, d) => Math.floor((civil(d)[1] - 1) / 3) + 1),
  date_trunc: dateTrunc,
  to_date: toDate,
  to_timestamp: toTimestamp,
  to_timestamp_ntz: toTimestamp,
  date_format: dateFormat,
  datediff,
  unix_timestamp: unixTimestamp,
  from_unixtime: fromUnixtime,
  add_interval: addInterval,
  current_date: unbound,
  current_timestamp: unbound,
} satisfies Record<string, Kernel>;
