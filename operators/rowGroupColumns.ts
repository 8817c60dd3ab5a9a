/**
 * One row group's columns for the late scan (operators/scanLate.ts): each chunk decoded once —
 * whole, or at a selection's rows only while it keeps few — and gathered at the rows a filter or
 * the output asks for; dictionary columns as codes; chunks our decoder does not read through
 * parquet-wasm. What the row group decoded and did not hand on goes back to the spare arrays.
 */
import type { ColumnMetaData, FileMetaData, SchemaElement } from 'hyparquet';
import { ExecutionError, StratusError } from '../planner/errors.js';
import { recycleColumn } from './spareArrays.js';
import { releaseColumns } from './ownedColumns.js';
import type { RangeReader } from './parquet.js';
import { type ChunkColumn, decodeChunk, decodeChunkAt } from './parquetChunk.js';
import { chunkDictionary } from './parquetPages.js';
import { gather } from './parquetGather.js';
import type { LateScanSpec, ScanBuffers } from './scanLate.js';
import type { Vec } from './vector.js';
import { take } from './vector.js';

/** Where each scan column is in the file: its leaf's schema element and chunk index. */
export interface Leaf {
  readonly element: SchemaElement;
  readonly chunk: number;
}

/** Where each row of `sel` is in `rows` (both ascending, `sel` a subset of `rows`). */
export function positionsIn(rows: Int32Array, sel: Int32Array): Int32Array {
  const out = new Int32Array(sel.length);
  for (let k = 0, p = 0; k < sel.length; k++) {
    const r = sel[k]!;
    while (rows[p]! < r) p++;
    out[k] = p;
  }
  return out;
}

/** `codes` at the selected rows. */
export function codesAt(codes: Int32Array, sel: Int32Array): Int32Array {
  const out = new Int32Array(sel.length);
  for (let k = 0; k < sel.length; k++) out[k] = codes[sel[k]!]!;
  return out;
}

/**
 * A selection keeping more than this share of a row group's rows decodes whole chunks (then
 * gathers); a smaller one decodes the chunks at its rows only (`decodeChunkAt`). Near half the
 * rows, reading each value by its offset cost more than decoding the pages whole (orders at
 * o_orderdate < 1995-03-15, 48%: ~5% more CPU at 0.5).
 */
export const DENSE = 0.3;

/** A chunk decoded at some rows: row rows[k] is row k of `col`; all rows when `rows` is null. */
interface ChunkRows {
  readonly rows: Int32Array | null;
  readonly col: ChunkColumn;
}

/** The decoded columns of one row group. */
export class RowGroupColumns {
  private readonly decoded = new Map<number, ChunkRows>();
  private readonly wasm = new Map<number, Vec>();
  constructor(
    private readonly r: RangeReader,
    private readonly md: FileMetaData,
    private readonly spec: LateScanSpec,
    private readonly leaves: readonly Leaf[],
    readonly rg: number,
    readonly n: number,
    /** Raw bytes of the chunks our decoder reads. */
    readonly bytes: ReadonlyMap<number, Uint8Array>,
    /** Columns a filter reads (kept as dictionary codes; the others' codes are not kept). */
    private readonly filtered: ReadonlySet<number>,
    private readonly wasmRead: (rg: number, cols: readonly number[]) => Promise<Map<number, Vec>>,
    readonly buffers: ScanBuffers,
  ) {}

  private meta(i: number): ColumnMetaData {
    return this.md.row_groups[this.rg]!.columns[this.leaves[i]!.chunk]!.meta_data as ColumnMetaData;
  }

  /**
   * Column i's chunk at the rows of `sel` (all rows when null) or more: decoded whole when `sel`
   * keeps most rows, else at its rows only; a chunk decoded before (at these or more rows, as
   * selections only shrink within a row group) is reused.
   */
  chunk(i: number, sel: Int32Array | null): ChunkRows {
    let c = this.decoded.get(i);
    if (!c) {
      const type = this.spec.schema[i]!.type;
      const [bytes, element, m] = [this.bytes.get(i)!, this.leaves[i]!.element, this.meta(i)];
      try {
        c =
          sel && sel.length <= this.n * DENSE
            ? { rows: sel, col: decodeChunkAt(bytes, element, m, type, this.n, sel) }
            : {
                rows: null,
                col: decodeChunk(bytes, element, m, type, this.n, {
                  keepCodes: this.filtered.has(i),
                  codesBuffer: this.buffers.codesOf(i, this.n),
                  flags: true,
                }),
              };
      } catch (e) {
        throw corrupt(this.r.name, this.rg, this.spec.columns[i]!, e);
      }
      this.decoded.set(i, c);
    }
    return c;
  }

  /**
   * Hands back the arrays of the chunks decoded whole that are not among `kept` (the row group's
   * output columns), and the codes decoded at a selection: only gathers of them left the row
   * group. None may be read after.
   */
  releaseDecoded(kept: readonly Vec[]): void {
    const keep = new Set(kept);
    for (const { col } of this.decoded.values()) {
      if (col.kind === 'plain') {
        if (!keep.has(col.vec)) releaseColumns([col.vec]);
      } else if (col.ownCodes) recycleColumn(col.codes);
    }
    this.decoded.clear();
  }

  /** Column i's dictionary with a null entry last (`chunkDictionary`), or null. */
  dictionary(i: number): Vec | null {
    try {
      return chunkDictionary(this.bytes.get(i)!, this.leaves[i]!.element, this.meta(i), this.spec.schema[i]!.type);
    } catch (e) {
      throw corrupt(this.r.name, this.rg, this.spec.columns[i]!, e);
    }
  }

  /** Decode with parquet-wasm the columns among `cols` that are not ours and not decoded yet. */
  async ensureWasm(cols: readonly number[]): Promise<void> {
    const missing = cols.filter((i) => !this.bytes.has(i) && !this.wasm.has(i));
    if (missing.length) for (const [i, v] of await this.wasmRead(this.rg, missing)) this.wasm.set(i, v);
  }

  /**
   * Hands back column i as `column` gave it for a filter (read, nothing of it kept): a gather's
   * arrays go back to the column spares; the chunk decoded whole (still in use) never does.
   */
  releaseGathered(i: number, v: Vec): void {
    const c = this.decoded.get(i);
    if (c && c.col.kind === 'plain' && c.col.vec === v) return;
    releaseColumns([v]);
  }

  /** Column i at the selected rows (all rows when `sel` is null). */
  column(i: number, sel: Int32Array | null): Vec {
    if (this.bytes.has(i)) {
      const { rows, col } = this.chunk(i, sel);
      const idx = rows === null ? sel : rows === sel ? null : positionsIn(rows, sel!);
      if (col.kind === 'plain') return idx ? gather(col.vec, idx) : col.vec;
      return gather(col.dict, idx ? codesAt(col.codes, idx) : col.codes);
    }
    const v = this.wasm.get(i)!;
    return sel ? take(v, sel) : v;
  }
}

export function corrupt(file: string, rowGroup: number, column: string, e: unknown): Error {
  if (e instanceof StratusError && e.code !== 'CORRUPT_PARQUET') return e;
  const why = e instanceof Error ? e.message : String(e);
  return new ExecutionError(
    'CORRUPT_PARQUET',
    `${file}: row group ${rowGroup}, column '${column}' cannot be decoded — the file is corrupt (${why})`,
    { file, rowGroup, column },
  );
}
