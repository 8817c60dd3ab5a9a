/**
 * CSV and NDJSON writers: a part file's rows as text. Values are written exactly (int64 and
 * decimals digit for digit, doubles in their shortest round-tripping form with a `.0` on whole
 * numbers so they read back as doubles, dates `yyyy-MM-dd`, timestamps ISO 8601 — instants with
 * their offset — or by `dateFormat` / `timestampFormat` through the date_format kernel). CSV
 * quotes a field only when it must (delimiter, quote, escape, line break, or an empty string,
 * which is `""` so it stays apart from null); NDJSON leaves null fields out, as Spark does.
 */
import type { TextWriteOptions } from '../planner/textFormat.js';
import { timestampText } from '../planner/time.js';
import {
  type DataType,
  daysToDate,
  decimalParts,
  type Field,
  isDecimal,
  isTime,
  isTimestamp,
  type Schema,
} from '../planner/types.js';
import { formatDecimal } from './decimal.js';
import type { Scalar } from './scalar.js';
import { castTyped } from './time/cast.js';
import { TIME_KERNELS } from './time/kernels.js';
import { type Batch, isValid, stringAt, type Vec } from './vector.js';

const encoder = new TextEncoder();
const text = (s: string): Scalar => ({ scalar: true, type: 'string', value: encoder.encode(s) });

const double = (x: number) => (Number.isInteger(x) && Math.abs(x) < 1e21 ? `${x}.0` : String(x));

/** The text of each row of a column (null for nulls). */
function columnTexts(v: Vec, t: DataType, n: number, o: TextWriteOptions): (string | null)[] {
  const out: (string | null)[] = new Array(n);
  const fmt = t === 'date' ? o.dateFormat : isTimestamp(t) ? o.timestampFormat : null;
  if (fmt) {
    const s = TIME_KERNELS.date_format([v, text(fmt), text('UTC')], n, 'string', [t, 'string', 'string']);
    return columnTexts(s, 'string', n, o);
  }
  if (isTime(t)) return columnTexts(castTyped(v, t, 'string', n), 'string', n, o);
  const each = (f: (i: number) => string) => {
    for (let i = 0; i < n; i++) out[i] = isValid(v.validity, i) ? f(i) : null;
    return out;
  };
  const values = (v as { values: ArrayLike<number | bigint> }).values;
  if (isDecimal(t)) return each((i) => formatDecimal(values[i] as bigint, decimalParts(t).scale));
  if (isTimestamp(t)) return each((i) => timestampText(values[i] as bigint, t));
  switch (t) {
    case 'string':
      return each((i) => stringAt(v as Extract<Vec, { type: 'string' }>, i));
    case 'bool':
      return each((i) => (values[i] ? 'true' : 'false'));
    case 'date':
      return each((i) => daysToDate(values[i] as number));
    case 'float64':
      return each((i) => double(values[i] as number));
    default:
      return each((i) => String(values[i]));
  }
}

function csvField(s: string | null, o: TextWriteOptions): string {
  if (s === null) return o.nullValue;
  if (s === '') return `${o.quote}${o.quote}`;
  const needs =
    s.includes(o.delimiter) ||
    s.includes(o.quote) ||
    s.includes('\n') ||
    s.includes('\r') ||
    (o.escape !== o.quote && s.includes(o.escape)) ||
    s === o.nullValue;
  if (!needs) return s;
  const esc = o.escape === o.quote ? s : s.split(o.escape).join(o.escape + o.escape);
  return `${o.quote}${esc.split(o.quote).join(o.escape + o.quote)}${o.quote}`;
}

const JSON_RAW = (t: DataType) => ['int32', 'int64', 'bool'].includes(t) || isDecimal(t);

function jsonValue(s: string, t: DataType): string {
  if (JSON_RAW(t)) return s;
  if (t === 'float64') return /^-?(NaN|Infinity)$/.test(s) ? JSON.stringify(s) : s;
  return JSON.stringify(s);
}

/** A part file's rows as CSV or NDJSON text (CSV with its header line when asked). */
export function encodeText(schema: Schema, batches: readonly Batch[], o: TextWriteOptions): Uint8Array {
  const lines: string[] = [];
  if (o.format === 'csv' && o.header) lines.push(schema.map((f) => csvField(f.name, o)).join(o.delimiter));
  const keys = schema.map((f: Field) => JSON.stringify(f.name));
  for (const b of batches) {
    const cols = schema.map((f, c) => columnTexts(b.columns[c]!, f.type, b.length, o));
    for (let i = 0; i < b.length; i++) {
      if (o.format === 'csv') lines.push(cols.map((col) => csvField(col[i] ?? null, o)).join(o.delimiter));
      else {
        const parts: string[] = [];
        cols.forEach((col, c) => {
          const s = col[i];
          if (s !== null && s !== undefined) parts.push(`${keys[c]}:${jsonValue(s, schema[c]!.type)}`);
        });
        lines.push(`{${parts.join(',')}}`);
      }
    }
  }
  return encoder.encode(lines.length ? `${lines.join('\n')}\n` : '');
}
