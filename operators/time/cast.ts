/**
 * CAST to and from timestamps and times, by the source's logical type (a timestamp column is an
 * int64 vector, so the vector alone cannot say what it holds). Only casts that need no time
 * zone run here: the analyzer rewrites the others (string/date/naive → instant, instant →
 * date/string/naive) into to_timestamp / to_date / date_format / to_timestamp_ntz calls that
 * carry the session zone. Unit changes are exact toward finer units and floor toward coarser
 * ones; numbers become instants as seconds since the epoch (Spark).
 */
import { InternalError } from '../../planner/errors.js';
import {
  convertUnit,
  parseTimeText,
  parseTimestampText,
  timeText,
  UNITS_BIG,
  wallText,
  wallToUnits,
} from '../../planner/time.js';
import type { DataType, TimeUnit } from '../../planner/types.js';
import { isTemporal, timestampInfo, timeUnitOf, UNITS_PER_SECOND } from '../../planner/types.js';
import { castVec, doubleToLong, float32Strings } from '../cast.js';
import { StringBuilder } from '../stringBuilder.js';
import type { BytesVec, Int64Vec, Vec } from '../vector.js';
import { isValid, newValidity, setValid, stringAt } from '../vector.js';
import { secondsOf } from './local.js';

type Map64 = (x: bigint) => bigint;

function mapLongs(v: Int64Vec, n: number, f: Map64): Int64Vec {
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) if (isValid(v.validity, i)) out[i] = f(v.values[i]!);
  return { type: 'int64', values: out, validity: v.validity };
}

function strings(v: Int64Vec, n: number, f: (x: bigint) => string): Vec {
  const out = new StringBuilder(n, n * 26);
  for (let i = 0; i < n; i++) {
    if (isValid(v.validity, i)) out.appendAscii(f(v.values[i]!));
    out.end(i);
  }
  return out.build(v.validity);
}

/** Parse each string; a row that does not parse is NULL. */
function parsed(v: BytesVec, n: number, f: (s: string) => bigint | null): Int64Vec {
  const out = new BigInt64Array(n);
  const validity = newValidity(n);
  let nulls = false;
  for (let i = 0; i < n; i++) {
    const x = isValid(v.validity, i) ? f(stringAt(v, i)) : null;
    if (x === null) {
      setValid(validity, i, false);
      nulls = true;
    } else out[i] = x;
  }
  return { type: 'int64', values: out, validity: nulls ? validity : null };
}

const zoneDependent = (from: string, to: string) =>
  new InternalError(
    'ZONE_DEPENDENT_CAST',
    `CAST(${from} AS ${to}) needs the session time zone; the analyzer rewrites it`,
    {
      from,
      to,
    },
  );

/** A number column as a count of `unit` since the epoch, from seconds. */
function fromSeconds(v: Vec, unit: TimeUnit, n: number): Int64Vec {
  if (v.type === 'float64') {
    const out = new BigInt64Array(n);
    const per = UNITS_PER_SECOND[unit];
    for (let i = 0; i < n; i++) out[i] = doubleToLong(v.values[i]! * per);
    return { type: 'int64', values: out, validity: v.validity };
  }
  const longs = castVec(v, 'int64', n) as Int64Vec;
  return mapLongs(longs, n, (x) => BigInt.asIntN(64, x * UNITS_BIG[unit]));
}

/** Cast a column of logical type `from` to `to` when either is a timestamp or a time. */
export function castTemporal(v: Vec, from: DataType, to: DataType, n: number): Vec {
  const fts = timestampInfo(from);
  const tts = timestampInfo(to);
  const ftime = timeUnitOf(from);
  const ttime = timeUnitOf(to);
  if (fts && tts) {
    if ((fts.zone === null) !== (tts.zone === null)) throw zoneDependent(from, to);
    return mapLongs(v as Int64Vec, n, (x) => convertUnit(x, fts.unit, tts.unit));
  }
  if (ftime && ttime) return mapLongs(v as Int64Vec, n, (x) => convertUnit(x, ftime, ttime));
  if (fts) {
    const per = UNITS_PER_SECOND[fts.unit];
    const src = v as Int64Vec;
    switch (to) {
      case 'date': {
        if (fts.zone !== null) throw zoneDependent(from, to);
        const out = new Int32Array(n);
        for (let i = 0; i < n; i++) out[i] = Math.floor(secondsOf(src.values[i]!, per) / 86400);
        return { type: 'date', values: out, validity: src.validity };
      }
      case 'string':
        if (fts.zone !== null) throw zoneDependent(from, to);
        return strings(src, n, (x) => wallText(x, fts.unit));
      case 'int64':
      case 'int32':
        return castVec(
          mapLongs(src, n, (x) => BigInt(secondsOf(x, per))),
          to,
          n,
        );
      case 'float64': {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = Number(src.values[i]!) / per;
        return { type: 'float64', values: out, validity: src.validity };
      }
    }
  }
  if (tts) {
    switch (from) {
      case 'date': {
        if (tts.zone !== null) throw zoneDependent(from, to);
        const days = v as Extract<Vec, { values: Int32Array }>;
        const out = new BigInt64Array(n);
        const perDay = 86400n * UNITS_BIG[tts.unit];
        for (let i = 0; i < n; i++) out[i] = BigInt(days.values[i]!) * perDay;
        return { type: 'int64', values: out, validity: days.validity };
      }
      case 'string': {
        if (tts.zone !== null) throw zoneDependent(from, to);
        return parsed(v as BytesVec, n, (s) => {
          const w = parseTimestampText(s);
          return w ? wallToUnits(w, tts.unit) : null;
        });
      }
      case 'int32':
      case 'int64':
      case 'float64':
        return fromSeconds(v, tts.unit, n);
    }
  }
  if (ftime && to === 'string') return strings(v as Int64Vec, n, (x) => timeText(x, from));
  if (ttime && from === 'string') return parsed(v as BytesVec, n, (s) => parseTimeText(s, ttime));
  throw new InternalError('BAD_TEMPORAL_CAST', `no cast from ${from} to ${to}; the analyzer refuses it`, { from, to });
}

/** Cast a column whose logical type is `from` to `to` (the one entry point for CAST). */
export function castTyped(v: Vec, from: DataType, to: DataType, n: number): Vec {
  if (from === to) return v;
  if (from === 'float32' && to === 'string') return float32Strings(v, n);
  return isTemporal(from) || isTemporal(to) ? castTemporal(v, from, to, n) : castVec(v, to, n);
}
