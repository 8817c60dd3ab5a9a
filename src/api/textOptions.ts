/**
 * CSV / NDJSON options as a user gives them (Spark's names, case-insensitive, values as
 * strings, booleans or numbers) normalized into the plain options a plan carries
 * (planner/textFormat.ts). A schema is a list of fields or a DDL string (`'id INT, price
 * DECIMAL(10,2), at TIMESTAMP'`). Unknown options and bad values fail here, naming the option.
 */
import { compilePattern } from '../../planner/datetimePattern.js';
import { PlanError } from '../../planner/errors.js';
import {
  DEFAULT_SPLIT_BYTES,
  PARSE_MODES,
  type ParseMode,
  type TextFormat,
  type TextReadOptions,
  type TextWriteOptions,
} from '../../planner/textFormat.js';
import { type DataType, field, isDataType, isOpaque, type Schema } from '../../planner/types.js';

export type TextOptionValue = string | boolean | number | Schema;

const CSV_ONLY = ['header', 'sep', 'delimiter', 'quote', 'escape', 'nullValue', 'inferSchema', 'multiLine'];
const READ = [
  ...CSV_ONLY,
  'schema',
  'dateFormat',
  'timestampFormat',
  'mode',
  'columnNameOfCorruptRecord',
  'splitBytes',
];
const WRITE = ['header', 'sep', 'delimiter', 'quote', 'escape', 'nullValue', 'dateFormat', 'timestampFormat'];

/** Every read option name of the text formats. */
export const TEXT_READ_OPTIONS: readonly string[] = READ;

const bad = (code: string, option: string, msg: string) => new PlanError(code, msg, { option });

/** Options keyed by lower-case name; unknown names fail, listing the valid ones. */
function byName(
  opts: Readonly<Record<string, TextOptionValue | undefined>>,
  allowed: readonly string[],
  what: string,
  code: string,
): Map<string, TextOptionValue> {
  const out = new Map<string, TextOptionValue>();
  for (const [name, value] of Object.entries(opts)) {
    if (value === undefined) continue;
    const key = name.toLowerCase();
    if (!allowed.some((a) => a.toLowerCase() === key))
      throw bad(code, name, `unknown ${what} option '${name}'; ${what} options are ${allowed.join(', ')} (any case)`);
    out.set(key, value);
  }
  return out;
}

function bool(m: Map<string, TextOptionValue>, key: string, dflt: boolean, code: string): boolean {
  const v = m.get(key);
  if (v === undefined) return dflt;
  if (v === true || v === 'true') return true;
  if (v === false || v === 'false') return false;
  throw bad(code, key, `option '${key}' takes true or false, got ${JSON.stringify(v)}`);
}

function char(m: Map<string, TextOptionValue>, keys: readonly string[], dflt: string, code: string): string {
  const key = keys.find((k) => m.has(k));
  const v = key ? m.get(key) : dflt;
  if (typeof v !== 'string' || [...v].length !== 1)
    throw bad(code, key ?? keys[0]!, `option '${key}' takes one character, got ${JSON.stringify(v)}`);
  return v;
}

function text(m: Map<string, TextOptionValue>, key: string, dflt: string | null, code: string): string | null {
  const v = m.get(key);
  if (v === undefined) return dflt;
  if (typeof v !== 'string') throw bad(code, key, `option '${key}' takes a string, got ${JSON.stringify(v)}`);
  return v;
}

function pattern(m: Map<string, TextOptionValue>, key: string, code: string): string | null {
  const p = text(m, key, null, code);
  if (p !== null) {
    try {
      compilePattern(p);
    } catch (e) {
      throw bad(code, key, `option '${key}': ${(e as Error).message}`);
    }
  }
  return p;
}

/** Normalize read options for `format`; `timeZone` is the session's. */
export function textReadOptions(
  format: TextFormat,
  opts: Readonly<Record<string, TextOptionValue | undefined>>,
  timeZone: string,
): TextReadOptions {
  const code = 'BAD_READ_OPTION';
  const m = byName(opts, format === 'csv' ? READ : READ.filter((k) => !CSV_ONLY.includes(k)), `${format} read`, code);
  const mode = String(m.get('mode') ?? 'PERMISSIVE').toUpperCase() as ParseMode;
  if (!PARSE_MODES.includes(mode))
    throw bad(code, 'mode', `option 'mode' is one of ${PARSE_MODES.join(', ')}, got ${JSON.stringify(m.get('mode'))}`);
  const split = m.get('splitbytes') ?? DEFAULT_SPLIT_BYTES;
  const splitBytes = Number(split);
  if (!Number.isInteger(splitBytes) || splitBytes < 1)
    throw bad(code, 'splitBytes', `option 'splitBytes' takes a positive integer, got ${JSON.stringify(split)}`);
  const multiLine = bool(m, 'multiline', false, code);
  const schema = m.has('schema') ? parseSchema(m.get('schema')!, timeZone) : null;
  const o: TextReadOptions = {
    format,
    header: bool(m, 'header', false, code),
    delimiter: char(m, ['sep', 'delimiter'], ',', code),
    quote: char(m, ['quote'], '"', code),
    escape: char(m, ['escape'], '\\', code),
    nullValue: text(m, 'nullvalue', '', code)!,
    inferSchema: bool(m, 'inferschema', false, code),
    schema,
    dateFormat: pattern(m, 'dateformat', code),
    timestampFormat: pattern(m, 'timestampformat', code),
    mode,
    columnNameOfCorruptRecord: text(m, 'columnnameofcorruptrecord', null, code),
    multiLine,
    splitBytes,
    timeZone,
  };
  if (o.delimiter === o.quote || o.delimiter === '\n')
    throw bad(code, 'delimiter', `the delimiter ${JSON.stringify(o.delimiter)} cannot be the quote or a line break`);
  const corrupt = schema?.find((f) => f.name === o.columnNameOfCorruptRecord);
  if (corrupt && corrupt.type !== 'string')
    throw bad(
      code,
      'columnNameOfCorruptRecord',
      `the corrupt-record column '${corrupt.name}' must be a string column, not ${corrupt.type}`,
    );
  return o;
}

/** Normalize write options for `format`. */
export function textWriteOptions(
  format: TextFormat,
  opts: Readonly<Record<string, TextOptionValue | undefined>>,
): TextWriteOptions {
  const code = 'BAD_WRITE_OPTION';
  const allowed = format === 'csv' ? WRITE : ['dateFormat', 'timestampFormat'];
  const m = byName(opts, allowed, `${format} write`, code);
  const quote = char(m, ['quote'], '"', code);
  return {
    format,
    header: bool(m, 'header', false, code),
    delimiter: char(m, ['sep', 'delimiter'], ',', code),
    quote,
    escape: char(m, ['escape'], quote, code),
    nullValue: text(m, 'nullvalue', '', code)!,
    dateFormat: pattern(m, 'dateformat', code),
    timestampFormat: pattern(m, 'timestampformat', code),
  };
}

/** Spark's type names, and the engine's own (`int64`, `decimal(10,2)`, `timestamp[us, UTC]`). */
const TYPE_NAMES: Readonly<Record<string, DataType>> = {
  int: 'int32',
  integer: 'int32',
  bigint: 'int64',
  long: 'int64',
  double: 'float64',
  float: 'float64',
  boolean: 'bool',
  string: 'string',
  varchar: 'string',
  date: 'date',
  timestamp_ntz: 'timestamp[us]',
};

function typeOf(name: string, column: string, timeZone: string): DataType {
  const t = name.trim();
  const lower = t.toLowerCase();
  if (lower === 'timestamp') return `timestamp[us, ${timeZone}]`;
  const decimal = /^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/.exec(lower);
  const resolved = TYPE_NAMES[lower] ?? (decimal ? `decimal(${decimal[1]},${decimal[2]})` : t);
  if (!isDataType(resolved) || isOpaque(resolved) || resolved === 'binary')
    throw new PlanError(
      'BAD_SCHEMA',
      `column '${column}' has type '${name}', which the CSV and JSON readers do not read; use int, bigint, double, decimal(p,s), boolean, string, date, timestamp or timestamp_ntz`,
      { column, type: name },
    );
  return resolved;
}

/** A schema from fields or a DDL string: `'id INT, name STRING'`. */
export function parseSchema(v: TextOptionValue, timeZone: string): Schema {
  if (Array.isArray(v)) return v.map((f) => field(f.name, typeOf(f.type, f.name, timeZone), f.nullable ?? true));
  if (typeof v !== 'string')
    throw new PlanError('BAD_SCHEMA', `a schema is a list of fields or a DDL string, got ${JSON.stringify(v)}`, {});
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of v) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) parts.push(cur);
  const schema = parts.map((p) => {
    const m = /^\s*(`[^`]+`|\S+)\s+(.+?)\s*$/.exec(p);
    if (!m) throw new PlanError('BAD_SCHEMA', `cannot read '${p.trim()}' in the schema: write 'name TYPE'`, {});
    const name = m[1]!.replace(/^`|`$/g, '');
    return field(name, typeOf(m[2]!.replace(/\s+not\s+null$/i, ''), name, timeZone), !/\s+not\s+null$/i.test(m[2]!));
  });
  const dup = schema.find((f, i) => schema.findIndex((g) => g.name === f.name) !== i);
  if (dup) throw new PlanError('BAD_SCHEMA', `column '${dup.name}' appears twice in the schema`, { column: dup.name });
  if (!schema.length) throw new PlanError('BAD_SCHEMA', 'the schema names no column', {});
  return schema;
}
