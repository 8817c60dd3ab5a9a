/**
 * Helpers for tests that run the engine on the S3 protocol (s3rver from the vitest globalSetup,
 * see s3-global-setup.ts): unique prefixes, bounded-parallel uploads of local files, TPC-H
 * tables as `s3://bucket/prefix/<table>` DataFrames, Parquet fixtures written by DuckDB, and
 * per-stage views of a job summary.
 *
 * @example
 * const prefix = uniquePrefix('e2e');
 * await uploadDir(SF01, { endpoint, bucket, prefix: `${prefix}/tpch` });
 * const t = s3TpchTables(s, `s3://${bucket}/${prefix}/tpch`);
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DataFrame, Session } from '../../src/index.js';
import type { JobSummary } from '../../src/runtime/jobState.js';
import { mapLimit } from '../../src/util/limit.js';
import { S3Store } from '../../src/storage/s3/store.js';
import { emptyStats, type StoreStats } from '../../src/storage/store.js';
import { TABLE_NAMES, type Tables } from '../../benchmarks/tpch/queries/index.js';
import type { Cell, ResultSet } from './compare.js';

/** Concurrent PUTs of the upload helpers: bounded, so s3rver (one process) is not swamped. */
export const UPLOAD_PARALLELISM = 8;

/** A prefix no other file or run uses in the shared bucket. */
export function uniquePrefix(name: string): string {
  return `${name}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

export interface S3Target {
  readonly endpoint: string;
  readonly bucket: string;
  /** Key prefix, no leading or trailing '/'. */
  readonly prefix: string;
}

/** A store writing under `s3://bucket/prefix` (hedging off: uploads need no straggler duplicates). */
export function s3Store(t: S3Target): S3Store {
  return new S3Store({ bucket: t.bucket, prefix: t.prefix, endpoint: t.endpoint, straggler: { enabled: false } });
}

/** All files below `dir` (relative paths, '/'-separated, sorted). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) out.push(r);
    }
  };
  walk('');
  return out.sort();
}

/**
 * Upload every file below `dir` to `s3://bucket/prefix/<relative path>` with at most
 * `UPLOAD_PARALLELISM` PUTs in flight. Returns the number of files and bytes.
 */
export async function uploadDir(dir: string, t: S3Target): Promise<{ files: number; bytes: number }> {
  const store = s3Store(t);
  const files = listFiles(dir);
  let bytes = 0;
  await mapLimit(files, UPLOAD_PARALLELISM, async (rel) => {
    const body = fs.readFileSync(path.join(dir, rel));
    bytes += body.byteLength;
    await store.put(rel, body);
  });
  return { files: files.length, bytes };
}

/** PUT the same body under many keys, bounded parallelism. */
export async function putCopies(t: S3Target, keys: readonly string[], body: Uint8Array): Promise<void> {
  const store = s3Store(t);
  await mapLimit(keys, UPLOAD_PARALLELISM * 2, (k) => store.put(k, body));
}

/** The eight TPC-H tables under an `s3://bucket/prefix` base URL (one sub-directory per table). */
export function s3TpchTables(s: Session, baseUrl: string): Tables {
  const base = baseUrl.replace(/\/+$/, '');
  return Object.fromEntries(
    TABLE_NAMES.map((n) => [n, (): DataFrame => s.read.parquet(`${base}/${n}`)]),
  ) as unknown as Tables;
}

/** Run DuckDB statements (e.g. `COPY (...) TO '<file>' (FORMAT parquet)`) in a throwaway instance. */
export async function duckdbRun(sql: string): Promise<void> {
  await duckdbRows(sql);
}

/**
 * Rows of a DuckDB query over local files, in a throwaway instance (numbers only: BIGINT
 * and HUGEINT become numbers, DOUBLE stays; cast anything else in the SQL).
 */
export async function duckdbRows(sql: string): Promise<ResultSet> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    const r = await c.runAndReadAll(sql);
    return {
      columns: r.columnNames(),
      rows: r.getRows().map((row) => row.map((v): Cell => (typeof v === 'bigint' ? Number(v) : (v as Cell)))),
    };
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

/** Row groups of a local Parquet file, by DuckDB (so a fixture is what a test assumes). */
export async function parquetRowGroups(file: string): Promise<number> {
  const r = await duckdbRows(
    `select count(distinct row_group_id)::INTEGER as n from parquet_metadata('${file.replaceAll("'", "''")}')`,
  );
  return Number(r.rows[0]![0]);
}

/** One stage of a job summary with its store requests as a full `StoreStats`. */
export type StageRow = JobSummary['stages'][number] & { readonly requests: StoreStats };

export function stageRows(summary: JobSummary | undefined): StageRow[] {
  if (!summary) throw new Error('no job summary: did the job run?');
  return summary.stages.map((st) => ({ ...st, requests: { ...emptyStats(), ...(st.stats as Partial<StoreStats>) } }));
}

/** Store requests summed over every stage of one or more job summaries. */
export function totalStats(...summaries: (JobSummary | undefined)[]): StoreStats {
  const out = emptyStats();
  for (const s of summaries)
    for (const st of stageRows(s)) for (const k of Object.keys(out) as (keyof StoreStats)[]) out[k] += st.requests[k];
  return out;
}

const kib = (n: number): string => (n / 1024).toFixed(1);

/** A fixed-width table of requests and bytes per stage (for console output and reports). */
export function formatStageTable(summary: JobSummary | undefined): string {
  const rows = stageRows(summary);
  const head = [
    'stage',
    'tasks',
    'attempts',
    'PUT',
    'GET',
    'LIST',
    'HEAD',
    'DEL',
    'KiB in',
    'KiB out',
    'retries',
    'dups',
    'task ms',
  ];
  const body = rows.map((r) => [
    String(r.id),
    String(r.tasks),
    String(r.attempts),
    String(r.requests.put),
    String(r.requests.get),
    String(r.requests.list),
    String(r.requests.head),
    String(r.requests.delete),
    kib(r.requests.bytesIn),
    kib(r.requests.bytesOut),
    String(r.requests.retries),
    String(r.requests.duplicates),
    r.taskMillis.toFixed(0),
  ]);
  const t = totalStats(summary);
  body.push([
    'total',
    String(rows.reduce((a, r) => a + r.tasks, 0)),
    String(rows.reduce((a, r) => a + r.attempts, 0)),
    String(t.put),
    String(t.get),
    String(t.list),
    String(t.head),
    String(t.delete),
    kib(t.bytesIn),
    kib(t.bytesOut),
    String(t.retries),
    String(t.duplicates),
    rows.reduce((a, r) => a + r.taskMillis, 0).toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}
