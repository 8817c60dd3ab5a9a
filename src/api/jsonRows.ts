/**
 * Results a script can use: an Arrow table as plain rows that `JSON.stringify` accepts, with no
 * value rounded. int64 / uint64 are numbers when exact (|v| ≤ 2^53 − 1) and decimal strings
 * beyond (or always strings, `{ int64: 'string' }`); decimals are exact strings ('12.50');
 * dates 'YYYY-MM-DD'; timestamps ISO 8601 ('2024-03-01T12:00:00.000000Z' with a time zone — the
 * instant in UTC — and without 'Z' when naive), digits per unit; times 'HH:MM:SS.ffffff'; NaN
 * and ±Infinity the strings 'NaN', 'Infinity', '-Infinity'; binaries base64; uuids
 * '8-4-4-4-12' hex; lists arrays; structs objects; maps arrays of { key, value } (keys of any
 * type, order and duplicates kept).
 */
import * as arrow from 'apache-arrow';
import { intervalJson } from '../../operators/parquetInterval.js';
import { formatDecimal } from '../../operators/decimal.js';
import { civil } from '../../planner/calendar.js';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface JsonRowsOptions {
  /** 'auto' (default): an int64 is a number when exact, else a string; 'string': always a string. */
  readonly int64?: 'auto' | 'string';
}

/** Reads the JSON value of row i of one Arrow data chunk. */
type Reader = (i: number) => JsonValue;

const isValidAt = (d: arrow.Data, i: number) =>
  d.typeId !== arrow.Type.Null &&
  (!d.nullBitmap ||
    d.nullBitmap.length === 0 ||
    ((d.nullBitmap[(d.offset + i) >> 3]! >> ((d.offset + i) & 7)) & 1) === 1);

const float = (x: number): JsonValue =>
  Number.isFinite(x) ? x : Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';

const pad = (n: number | bigint, w: number) => String(n).padStart(w, '0');

/**
 * Days since 1970-01-01 as 'YYYY-MM-DD' in the proleptic Gregorian calendar, exact over the
 * whole int32 range (beyond JS Date's), through the planner's one calendar (`civil`).
 */
export function dayString(days: number): string {
  const [y, m, d] = civil(days);
  return `${y < 0 ? `-${pad(-y, 4)}` : pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

const UNIT_DIGITS: Record<number, number> = {
  [arrow.TimeUnit.SECOND]: 0,
  [arrow.TimeUnit.MILLISECOND]: 3,
  [arrow.TimeUnit.MICROSECOND]: 6,
  [arrow.TimeUnit.NANOSECOND]: 9,
};

/** Units since the epoch (or midnight) split into whole days, and the rest as 'HH:MM:SS[.f…]'. */
function splitTime(v: bigint, digits: number): { days: number; clock: string } {
  const perSecond = 10n ** BigInt(digits);
  const perDay = 86_400n * perSecond;
  let days = v / perDay;
  let rest = v % perDay;
  if (rest < 0n) {
    rest += perDay;
    days -= 1n;
  }
  const secs = rest / perSecond;
  const frac = rest % perSecond;
  const clock = `${pad(secs / 3600n, 2)}:${pad((secs / 60n) % 60n, 2)}:${pad(secs % 60n, 2)}${digits ? `.${pad(frac, digits)}` : ''}`;
  return { days: Number(days), clock };
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function uuidString(b: Uint8Array): string {
  const h = Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const isUuid = (f: arrow.Field | null) => f?.metadata.get('ARROW:extension:name') === 'arrow.uuid';

/** The reader of one chunk's values (valid rows only; nulls are handled by `reader`). */
function valueReader(d: arrow.Data, field: arrow.Field | null, opts: JsonRowsOptions): Reader {
  const t = d.type;
  const int64 = (v: bigint): JsonValue =>
    opts.int64 !== 'string' && v <= 9_007_199_254_740_991n && v >= -9_007_199_254_740_991n ? Number(v) : v.toString();
  switch (t.typeId) {
    case arrow.Type.Bool: {
      const bits = d.values as Uint8Array;
      return (i) => ((bits[(d.offset + i) >> 3]! >> ((d.offset + i) & 7)) & 1) === 1;
    }
    case arrow.Type.Int: {
      const v = d.values as ArrayLike<number | bigint>;
      if ((t as arrow.Int).bitWidth === 64) return (i) => int64(BigInt(v[i]!));
      return (i) => Number(v[i]!);
    }
    case arrow.Type.Float: {
      if ((t as arrow.Float).precision === arrow.Precision.HALF) {
        const v = new arrow.Vector([d]);
        return (i) => float(v.get(i) as number);
      }
      const v = d.values as Float32Array | Float64Array;
      return (i) => float(v[i]!);
    }
    case arrow.Type.Decimal: {
      const { scale, bitWidth } = t as arrow.Decimal;
      const words = d.values as Uint32Array;
      const stride = bitWidth / 32;
      return (i) => {
        let v = 0n;
        for (let k = stride - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[i * stride + k]!);
        return formatDecimal(BigInt.asIntN(bitWidth, v), scale);
      };
    }
    case arrow.Type.Date: {
      const v = d.values as ArrayLike<number | bigint>;
      if ((t as arrow.Date_).unit === arrow.DateUnit.DAY) return (i) => dayString(Number(v[i]!));
      return (i) => dayString(Math.floor(Number(v[i]!) / 86_400_000));
    }
    case arrow.Type.Timestamp: {
      const { unit, timezone } = t as arrow.Timestamp;
      const digits = UNIT_DIGITS[unit]!;
      const v = d.values as unknown as BigInt64Array;
      return (i) => {
        const { days, clock } = splitTime(BigInt(v[i]!), digits);
        return `${dayString(days)}T${clock}${timezone ? 'Z' : ''}`;
      };
    }
    case arrow.Type.Time: {
      const digits = UNIT_DIGITS[(t as arrow.Time).unit]!;
      const v = d.values as ArrayLike<number | bigint>;
      return (i) => splitTime(BigInt(v[i]!), digits).clock;
    }
    case arrow.Type.Duration: {
      const v = d.values as unknown as BigInt64Array;
      return (i) => int64(v[i]!);
    }
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8: {
      const o = d.valueOffsets as ArrayLike<number | bigint>;
      const bytes = d.values as Uint8Array;
      const dec = new TextDecoder();
      return (i) => dec.decode(bytes.subarray(Number(o[i]!), Number(o[i + 1]!)));
    }
    case arrow.Type.Binary:
    case arrow.Type.LargeBinary: {
      const o = d.valueOffsets as ArrayLike<number | bigint>;
      const bytes = d.values as Uint8Array;
      return (i) => base64(bytes.subarray(Number(o[i]!), Number(o[i + 1]!)));
    }
    case arrow.Type.FixedSizeBinary: {
      const w = (t as arrow.FixedSizeBinary).byteWidth;
      const bytes = d.values as Uint8Array;
      const uuid = isUuid(field) && w === 16;
      return (i) => (uuid ? uuidString : base64)(bytes.subarray(i * w, i * w + w));
    }
    case arrow.Type.List:
    case arrow.Type.LargeList: {
      const o = d.valueOffsets as ArrayLike<number | bigint>;
      const child = reader(d.children[0]!, (t as arrow.List).children[0]!, opts);
      return (i) => {
        const out: JsonValue[] = [];
        for (let j = Number(o[i]!); j < Number(o[i + 1]!); j++) out.push(child(j));
        return out;
      };
    }
    case arrow.Type.FixedSizeList: {
      const size = (t as arrow.FixedSizeList).listSize;
      const child = reader(d.children[0]!, (t as arrow.FixedSizeList).children[0]!, opts);
      return (i) => Array.from({ length: size }, (_, k) => child(i * size + k));
    }
    case arrow.Type.Struct: {
      const fields = (t as arrow.Struct).children;
      const children = fields.map((f, k) => reader(d.children[k]!, f, opts));
      return (i) => Object.fromEntries(fields.map((f, k) => [f.name, children[k]!(i)]));
    }
    case arrow.Type.Map: {
      const o = d.valueOffsets as Int32Array;
      const entries = d.children[0]!;
      const [kf, vf] = (t as arrow.Map_).children[0]!.type.children as arrow.Field[];
      const key = reader(entries.children[0]!, kf!, opts);
      const value = reader(entries.children[1]!, vf!, opts);
      return (i) => {
        const out: JsonValue[] = [];
        for (let j = o[i]!; j < o[i + 1]!; j++) out.push({ key: key(j), value: value(j) });
        return out;
      };
    }
    case arrow.Type.Dictionary: {
      const dict = (t as arrow.Dictionary).dictionary;
      const values = reader(d.dictionary!.data[0]!, new arrow.Field('', dict), opts);
      const codes = d.values as ArrayLike<number | bigint>;
      return (i) => values(Number(codes[i]!));
    }
    case arrow.Type.Null:
      return () => null;
    case arrow.Type.Interval:
      if ((t as arrow.Interval).unit === arrow.IntervalUnit.MONTH_DAY_NANO) {
        // An interval as Spark's CalendarInterval holds it: { months, days, micros }.
        const v = d.values as Int32Array;
        return (i) => intervalJson(v.subarray(4 * i, 4 * i + 4)); // values start at the data's first row
      }
      return defaultReader(d);
    default:
      return defaultReader(d);
  }
}

/** Any other type (union, other intervals): Arrow's own JS value, made JSON-safe. */
function defaultReader(d: arrow.Data): Reader {
  const v = new arrow.Vector([d]);
  return (i) => JSON.parse(JSON.stringify(v.get(i), (_, x) => (typeof x === 'bigint' ? x.toString() : x))) as JsonValue;
}

/** The reader of one chunk, nulls included. */
function reader(d: arrow.Data, field: arrow.Field | null, opts: JsonRowsOptions): Reader {
  const value = valueReader(d, field, opts);
  if (d.typeId !== arrow.Type.Null && (!d.nullBitmap || d.nullBitmap.length === 0 || d.nullCount === 0)) return value;
  return (i) => (isValidAt(d, i) ? value(i) : null);
}

/**
 * An Arrow table as JSON-safe rows (see the module header for each type's form).
 * @example JSON.stringify(toJSONRows(await df.collect()))
 */
export function toJSONRows(table: arrow.Table, opts: JsonRowsOptions = {}): Record<string, JsonValue>[] {
  const fields = table.schema.fields;
  const rows: Record<string, JsonValue>[] = [];
  for (const batch of table.batches) {
    const readers = fields.map((f, k) => reader(batch.getChildAt(k)!.data[0]!, f, opts));
    for (let i = 0; i < batch.numRows; i++) {
      const r: Record<string, JsonValue> = {};
      fields.forEach((f, k) => {
        r[f.name] = readers[k]!(i);
      });
      rows.push(r);
    }
  }
  return rows;
}
