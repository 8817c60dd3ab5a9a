/**
 * Timestamps and times between Arrow and the engine: Arrow Timestamp(unit, zone) is
 * `timestamp[unit]` / `timestamp[unit, zone]`, Time32/Time64(unit) is `time[unit]`; values are
 * int64 counts of the unit both sides (Time32's int32 widened), kept exactly as stored.
 */
import * as arrow from 'apache-arrow';
import { convertUnit, temporalText } from '../../planner/time.js';
import type { DataType, Schema, TimeUnit } from '../../planner/types.js';
import { field, timestampInfo, timestampType, timeUnitOf } from '../../planner/types.js';
import type { Batch, Int64Vec } from '../vector.js';

const FROM_ARROW: Readonly<Record<arrow.TimeUnit, TimeUnit>> = {
  [arrow.TimeUnit.SECOND]: 's',
  [arrow.TimeUnit.MILLISECOND]: 'ms',
  [arrow.TimeUnit.MICROSECOND]: 'us',
  [arrow.TimeUnit.NANOSECOND]: 'ns',
};
const TO_ARROW: Readonly<Record<TimeUnit, arrow.TimeUnit>> = {
  s: arrow.TimeUnit.SECOND,
  ms: arrow.TimeUnit.MILLISECOND,
  us: arrow.TimeUnit.MICROSECOND,
  ns: arrow.TimeUnit.NANOSECOND,
};

/** The engine type of an Arrow Timestamp or Time type; undefined for other types. */
export function temporalEngineType(t: arrow.DataType): DataType | undefined {
  if (arrow.DataType.isTimestamp(t)) return timestampType(FROM_ARROW[t.unit], t.timezone ?? null);
  if (arrow.DataType.isTime(t)) return `time[${FROM_ARROW[t.unit]}]`;
  return undefined;
}

/** The Arrow type of a timestamp or time engine type; undefined for other types. */
export function temporalArrowType(t: DataType): arrow.DataType | undefined {
  const ts = timestampInfo(t);
  if (ts) return new arrow.Timestamp(TO_ARROW[ts.unit], ts.zone);
  const unit = timeUnitOf(t);
  if (unit) return new arrow.Time(TO_ARROW[unit], unit === 's' || unit === 'ms' ? 32 : 64);
  return undefined;
}

/** The unit of an engine type's values (timestamps and times). */
function unitOf(t: DataType): TimeUnit | null {
  return timestampInfo(t)?.unit ?? timeUnitOf(t);
}

/**
 * One Arrow Timestamp/Time chunk as an int64 column of the engine type `type` (zero-copy when
 * the units agree; a file whose embedded Arrow schema names another unit is converted exactly).
 */
export function temporalFromArrow(d: arrow.Data, type: DataType, validity: Uint8Array | null): Int64Vec {
  const from = FROM_ARROW[(d.type as arrow.Timestamp | arrow.Time).unit];
  const to = unitOf(type) ?? from;
  const src = d.values as BigInt64Array | Int32Array;
  if (src instanceof BigInt64Array && from === to)
    return { type: 'int64', values: src.subarray(0, d.length), validity };
  const out = new BigInt64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = convertUnit(BigInt(src[i]!), from, to);
  return { type: 'int64', values: out, validity };
}

/** An engine column of a timestamp or time type as Arrow data of that type. */
export function temporalToArrow(v: Int64Vec, type: DataType, length: number): arrow.Data {
  const t = temporalArrowType(type)!;
  const nullBitmap = v.validity ?? undefined;
  if (arrow.DataType.isTime(t) && t.bitWidth === 32) {
    const out = new Int32Array(length);
    for (let i = 0; i < length; i++) out[i] = Number(v.values[i]!);
    return arrow.makeData({ type: t, length, data: out, nullBitmap });
  }
  return arrow.makeData({ type: t as arrow.Timestamp, length, data: v.values, nullBitmap });
}

/**
 * Parquet has no seconds unit (the writer would store plain INT64): seconds timestamps and
 * times are written as milliseconds, the same instants.
 */
export function parquetCompatible(schema: Schema, batches: readonly Batch[]): { schema: Schema; batches: Batch[] } {
  const seconds = schema.map((f) => timestampInfo(f.type)?.unit === 's' || timeUnitOf(f.type) === 's');
  if (!seconds.some(Boolean)) return { schema, batches: [...batches] };
  const out = schema.map((f, i) => {
    if (!seconds[i]) return f;
    const ts = timestampInfo(f.type);
    return field(f.name, ts ? timestampType('ms', ts.zone) : 'time[ms]', f.nullable);
  });
  return {
    schema: out,
    batches: batches.map((b) => ({
      ...b,
      schema: out,
      columns: b.columns.map((c, i) => {
        if (!seconds[i]) return c;
        const v = c as Int64Vec;
        const values = new BigInt64Array(b.length);
        for (let k = 0; k < b.length; k++) values[k] = BigInt.asIntN(64, v.values[k]! * 1000n);
        return { type: 'int64', values, validity: v.validity };
      }),
    })),
  };
}

/**
 * The cells of an Arrow column of a timestamp or time type as text (null cells null), read
 * from the raw values (arrow-js would round them to milliseconds); null for other columns.
 */
export function temporalCells(v: arrow.Vector, timeZone: string): (string | null)[] | null {
  const type = temporalEngineType(v.type);
  if (!type) return null;
  const out: (string | null)[] = [];
  for (const d of v.data) {
    const vec = temporalFromArrow(d, type, null);
    for (let i = 0; i < d.length; i++) out.push(d.getValid(i) ? temporalText(vec.values[i]!, type, timeZone) : null);
  }
  return out;
}
