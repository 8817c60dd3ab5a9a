/**
 * Canonical rows for comparing Stratus results with DuckDB's: every cell as text (null kept),
 * numbers in one form, timestamps as `yyyy-MM-dd HH:mm:ss[.fff]` (ISO 'T' and trailing zeros of
 * the fraction dropped), rows sorted — for results whose order is not the point.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { Table } from 'apache-arrow';
import { toJSONRows } from '../../src/api/jsonRows.js';

const TS = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d*?))?0*(Z|[+-]\d{2}:\d{2})?$/;

/** One cell as text. */
export function cellText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  const s = String(v);
  const m = TS.exec(s);
  if (m) return `${m[1]} ${m[2]}${m[3] ? `.${m[3]}` : ''}${m[4] && m[4] !== 'Z' && m[4] !== '+00:00' ? m[4] : ''}`;
  // Numbers held as text (int64, decimals) compare as text; numeric text of a double as a number.
  return s;
}

const sorted = (rows: (string | null)[][]): string[] => rows.map((r) => JSON.stringify(r)).sort();

/** Stratus rows, canonical and sorted. */
export function ourRows(t: Table): string[] {
  return sorted(toJSONRows(t).map((r) => Object.values(r).map(cellText)));
}

/** DuckDB rows of a query, canonical and sorted. */
export async function duckRowsCanon(conn: DuckDBConnection, sql: string): Promise<string[]> {
  const r = await conn.runAndReadAll(sql);
  return sorted(
    r.getRows().map((row) => row.map((v) => cellText(typeof v === 'object' && v !== null ? String(v) : v))),
  );
}
