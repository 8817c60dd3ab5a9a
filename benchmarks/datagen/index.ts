/**
 * Stratus's own deterministic TPC-H data generator: all eight tables as Parquet, one directory per
 * table (`<dir>/lineitem/part-0.parquet`, ...), with the column order of the official files (money columns DECIMAL(15,2) by default, see schema.ts). Values follow
 * the spec's rules (spec.ts, dists.ts) but not dbgen's random streams. Same scale factor → the same
 * values and byte-identical files; the values do not depend on the file split either.
 *
 * @example
 *   const rows = await generateTpch({ sf: 0.1, dir: '/tmp/tpch-sf0.1' });
 *   rows.lineitem; // ≈ 600k
 */
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Data, RecordBatch, Schema } from 'apache-arrow';
import { createContext, type GenContext } from './context.js';
import { nationColumns, regionColumns } from './gen-fixed.js';
import { orderColumns } from './gen-orders.js';
import { partColumns, partsuppColumns } from './gen-part.js';
import { customerColumns, supplierColumns } from './gen-supplier.js';
import { chunks, fileCount, splitRanges, splitUnits, type Range } from './plan.js';
import { schemasFor, TABLES, type MoneyType, type TableName } from './schema.js';
import { MAX_SF } from './spec.js';
import { recordBatch, writeParquetFile, type Compression, type WriteOptions } from './writer.js';

export { TABLES, SCHEMAS, DOUBLE_SCHEMAS, type MoneyType, type TableName } from './schema.js';
export { cardinalities } from './spec.js';
export type { Compression } from './writer.js';

export interface GenerateOptions {
  /** Scale factor: SF 1 ≈ 1 GB of CSV, 6M lineitem rows. */
  readonly sf: number;
  /** Output directory; gets one sub-directory per table. Old `part-*.parquet` files there are removed. */
  readonly dir: string;
  /** Default 'zstd', like the official files. */
  readonly compression?: Compression;
  /** Rows per row group; default 122,880 like the official files. */
  readonly rowGroupSize?: number;
  /** Files for every table but REGION and NATION; default ceil(4·SF) lineitem, ceil(2·SF) orders/partsupp, else 1. */
  readonly filesPerTable?: number;
  /** Money and quantity columns: 'decimal' (DECIMAL(15,2), like dbgen; the default) or 'double' (like the official SF 0.1 files). */
  readonly money?: MoneyType;
  /** Called after each file with the table and its rows written so far. */
  readonly onProgress?: (table: string, rows: number) => void;
}

const DEFAULT_ROW_GROUP_SIZE = 122_880;
/** Orders generated per batch (about 4× as many lines). */
const ORDER_BATCH = 32_768;

type ColumnsFn = (ctx: GenContext, from: number, to: number) => Data[];

const SIMPLE: Record<Exclude<TableName, 'orders' | 'lineitem'>, ColumnsFn> = {
  region: (ctx) => regionColumns(ctx),
  nation: (ctx) => nationColumns(ctx),
  supplier: supplierColumns,
  customer: customerColumns,
  part: partColumns,
  partsupp: partsuppColumns,
};

function validate(opts: GenerateOptions): void {
  const bad = (what: string) => {
    throw new RangeError(`generateTpch: ${what}`);
  };
  if (!Number.isFinite(opts.sf) || opts.sf <= 0 || opts.sf > MAX_SF)
    bad(`sf must be in (0, ${MAX_SF}] (INT32 keys), got ${opts.sf}`);
  const rg = opts.rowGroupSize;
  if (rg !== undefined && !(Number.isInteger(rg) && rg >= 1)) bad(`rowGroupSize must be a positive integer, got ${rg}`);
  const f = opts.filesPerTable;
  if (f !== undefined && !(Number.isInteger(f) && f >= 1)) bad(`filesPerTable must be a positive integer, got ${f}`);
}

/** Generates all eight tables under `opts.dir`; returns the rows written per table. */
export async function generateTpch(opts: GenerateOptions): Promise<Record<string, number>> {
  validate(opts);
  const ctx = createContext(opts.sf);
  const SCHEMAS = schemasFor(opts.money ?? 'decimal');
  const write: WriteOptions = {
    compression: opts.compression ?? 'zstd',
    rowGroupSize: opts.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE,
  };
  const rows = Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<TableName, number>;
  const files = {} as Record<TableName, Range[]>;
  for (const table of TABLES) {
    const units = splitUnits(table, ctx.card);
    files[table] = splitRanges(units, fileCount(table, opts.sf, units, opts.filesPerTable));
    await prepareDir(join(opts.dir, table));
  }
  const emit = async (table: TableName, index: number, batches: RecordBatch[]) => {
    await writeParquetFile(join(opts.dir, table, `part-${index}.parquet`), SCHEMAS[table], batches, write);
    rows[table] += batches.reduce((s, b) => s + b.numRows, 0);
    opts.onProgress?.(table, rows[table]);
  };

  for (const table of Object.keys(SIMPLE) as (keyof typeof SIMPLE)[]) {
    const perBatch = table === 'partsupp' ? Math.ceil(write.rowGroupSize / 4) : write.rowGroupSize;
    for (const [index, range] of files[table].entries()) {
      const batches = [...chunks(range, perBatch)].map((c) =>
        recordBatch(SCHEMAS[table], SIMPLE[table](ctx, c.from, c.to)),
      );
      await emit(table, index, batches);
    }
  }
  await generateOrders(ctx, SCHEMAS, files.orders, files.lineitem, emit);
  return rows;
}

/** Removes stale `part-*.parquet` files left by an earlier run with more files. */
async function prepareDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) {
    if (/^part-\d+\.parquet$/.test(name)) await rm(join(dir, name));
  }
}

/**
 * ORDERS and LINEITEM in one pass over the orders, cut at every file boundary of either table, so
 * only the open file of each table is held in memory.
 */
async function generateOrders(
  ctx: GenContext,
  SCHEMAS: Record<TableName, Schema>,
  orderFiles: readonly Range[],
  lineFiles: readonly Range[],
  emit: (table: TableName, index: number, batches: RecordBatch[]) => Promise<void>,
): Promise<void> {
  let o = 0;
  let l = 0;
  let orders: RecordBatch[] = [];
  let lines: RecordBatch[] = [];
  for (let pos = 0; pos < ctx.card.orders; ) {
    const end = Math.min(pos + ORDER_BATCH, orderFiles[o]!.to, lineFiles[l]!.to);
    const batch = orderColumns(ctx, pos, end);
    orders.push(recordBatch(SCHEMAS.orders, batch.orders));
    lines.push(recordBatch(SCHEMAS.lineitem, batch.lineitem));
    pos = end;
    if (pos === orderFiles[o]!.to) {
      await emit('orders', o++, orders);
      orders = [];
    }
    if (pos === lineFiles[l]!.to) {
      await emit('lineitem', l++, lines);
      lines = [];
    }
  }
}
