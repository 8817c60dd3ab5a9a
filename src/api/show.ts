/**
 * Rendering results: Arrow tables as plain rows and as Spark-style text tables.
 */
import * as arrow from 'apache-arrow';
import { formatDecimal } from '../../operators/decimal.js';
import { temporalCells } from '../../operators/time/arrowTypes.js';
import { type JsonValue, toJSONRows } from './jsonRows.js';

/**
 * A cell as a plain value: an int64 is a number when that is exact, else it stays a BigInt; a
 * decimal is its exact text ('12.30').
 */
function plain(v: unknown, type: arrow.DataType): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : v;
  if (arrow.DataType.isDecimal(type)) return formatDecimal(BigInt(String(v)), type.scale);
  if (String(type).startsWith('Date'))
    return new Date(typeof v === 'number' ? v : (v as Date).getTime()).toISOString().slice(0, 10);
  return v;
}

/**
 * Rows as plain objects. Timestamps and times are text as DuckDB prints them: naive ones as
 * their wall clock, instants in the session zone `timeZone` with its offset.
 */
export function tableRows(t: arrow.Table, timeZone = 'UTC'): Record<string, unknown>[] {
  const fields = t.schema.fields;
  const cols = fields.map((f) => t.getChild(f.name)!);
  const temporal = cols.map((c) => temporalCells(c, timeZone));
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < t.numRows; i++) {
    const r: Record<string, unknown> = {};
    fields.forEach((f, k) => {
      const cells = temporal[k];
      r[f.name] = cells ? cells[i] : plain(cols[k]!.get(i), f.type);
    });
    out.push(r);
  }
  return out;
}

function cell(v: JsonValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number' && !Number.isInteger(v)) return String(Math.round(v * 1e6) / 1e6);
  if (typeof v === 'object') return JSON.stringify(v); // lists, structs, maps
  return String(v);
}

/**
 * A Spark-style text table: timestamps and times as `tableRows` shows them (in the session zone),
 * every other value in its exact JSON-row form (decimals, int64, binaries, nested values).
 */
export function formatTable(t: arrow.Table, timeZone = 'UTC'): string {
  const names = t.schema.fields.map((f) => f.name);
  const temporal = names.map((_, k) => temporalCells(t.getChildAt(k)!, timeZone));
  const rows = toJSONRows(t).map((r, i) =>
    names.map((n, k) => {
      const cells = temporal[k];
      return cells ? cell(cells[i] ?? null) : cell(r[n]!);
    }),
  );
  const widths = names.map((n, i) => Math.max(n.length, ...rows.map((r) => r[i]!.length)));
  const sep = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [sep, line(names), sep, ...rows.map(line), sep].join('\n');
}
