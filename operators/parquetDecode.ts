/**
 * Decoding row groups of one Parquet file with parquet-wasm, with failures classified. A read
 * of the file's bytes that fails (the store gave up) is that storage error — retried like any
 * transient failure — even though the decoder reports it as a panic. A decode that fails on its
 * own is corrupt input: it is tried again alone (the panic may have been another call's), then
 * column by column, and fails as CORRUPT_PARQUET naming the file, row group and column — a
 * deterministic error, raised without crashing the process (operators/wasm.ts).
 */
import type * as arrow from 'apache-arrow';
import * as A from 'apache-arrow';
import { parseTable } from 'arrow-js-ffi';
import { ExecutionError, StratusError } from '../planner/errors.js';
import type { RangeReader } from './parquet.js';
import type { FileMetaData } from 'hyparquet';
import { fileMetadata, readFooter } from './parquet.js';
import { gather } from './parquetGather.js';
import { decodeChunk } from './parquetChunk.js';
import { chunkRange, pageDecodable } from './parquetPages.js';
import { withValidityData } from './opaque.js';
import type { OpaqueVec } from './vector.js';
import { exclusive, guarded, type ParquetWasm } from './wasm.js';

type WasmFile = import('parquet-wasm').ParquetFile;
type WasmTable = import('parquet-wasm').Table;

/** A decoded row group, with the instance whose memory holds it. */
interface Decoded {
  readonly pw: ParquetWasm;
  readonly table: WasmTable;
}

const BATCH_ROWS = 1 << 20;

/**
 * Hand a decoded wasm table to apache-arrow through the C data interface (copying out of wasm
 * memory, which parquet-wasm reuses), ~1.5× faster than an IPC round trip.
 */
function toArrow({ pw, table }: Decoded): arrow.Table {
  const ffi = table.intoFFI();
  try {
    return parseTable(pw.wasmMemory().buffer, ffi.arrayAddrs(), ffi.schemaAddr(), true) as unknown as arrow.Table;
  } finally {
    ffi.free();
  }
}

/** Free a wasm object, ignoring an instance that has since trapped. */
function free(o: { free(): void }): void {
  try {
    o.free();
  } catch {
    // A retired instance: its memory goes with it.
  }
}

/** The row groups of one file, decoded on request (several may be in flight). */
export class RowGroupReader {
  /** Open files per instance (a fresh instance after a panic opens the file again). */
  private readonly files = new Map<ParquetWasm, Promise<WasmFile>>();
  /** The file's raw footer, read once when an INTERVAL column needs its chunk offsets. */
  private md: Promise<FileMetaData> | undefined;
  /** The first read of the file's bytes that failed: the real cause of a decoder failure. */
  private ioError: unknown;

  constructor(
    readonly r: RangeReader,
    /** Columns to decode (all when undefined). */
    readonly columns: readonly string[] | undefined,
    /** Top-level INTERVAL columns among them (parquet-wasm drops their months: decoded here). */
    readonly intervals: readonly string[] = [],
  ) {}

  /** parquet-wasm reads through a Blob-like object; ours is backed by ranged reads. */
  private blob(): Blob {
    const make = (start: number, end: number) => ({
      size: end - start,
      slice: (a: number, b?: number) => make(start + a, b === undefined ? end : start + b),
      arrayBuffer: async () => {
        try {
          const bytes = await this.r.read(start, end);
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        } catch (e) {
          this.ioError ??= e;
          throw e;
        }
      },
    });
    return make(0, this.r.size) as unknown as Blob;
  }

  private open(pw: ParquetWasm): Promise<WasmFile> {
    let f = this.files.get(pw);
    if (!f) {
      f = pw.ParquetFile.fromFile(this.blob());
      f.catch(() => this.files.delete(pw));
      this.files.set(pw, f);
    }
    return f;
  }

  private async decode(pw: ParquetWasm, rg: number, columns: readonly string[] | undefined): Promise<Decoded> {
    const file = await this.open(pw).catch((e: unknown) => {
      throw new FooterFailure(e);
    });
    const table = await file.read({ columns: columns && [...columns], rowGroups: [rg], batchSize: BATCH_ROWS });
    return { pw, table };
  }

  /** Row group `rg` as an Arrow table. */
  async read(rg: number): Promise<arrow.Table> {
    if (!this.intervals.length) return this.readWasm(rg, this.columns);
    // INTERVAL columns are ours (parquet-wasm drops their months); the rest is parquet-wasm's.
    const names = this.columns ?? (await readFooter(this.r)).schema.map((f) => f.name);
    const own = new Set(this.intervals.filter((n) => names.includes(n)));
    const rest = names.filter((n) => !own.has(n));
    this.md ??= fileMetadata(this.r);
    const md = this.md;
    const [base, intervals] = await Promise.all([
      rest.length ? this.readWasm(rg, rest) : null,
      Promise.all([...own].map(async (n) => [n, await readInterval(this.r, md, rg, n)] as const)),
    ]);
    return withColumns(base, new Map(intervals), names);
  }

  private async readWasm(rg: number, columns: readonly string[] | undefined): Promise<arrow.Table> {
    let decoded: Decoded;
    try {
      decoded = await guarded((pw) => this.decode(pw, rg, columns));
    } catch (e) {
      decoded = await this.diagnose(rg, e, columns);
    }
    try {
      return toArrow(decoded);
    } finally {
      free(decoded.table);
    }
  }

  /** After a failed decode: the storage error behind it, a retry alone, or the corrupt column. */
  private diagnose(rg: number, cause: unknown, columns: readonly string[] | undefined): Promise<Decoded> {
    this.rethrowIo(cause);
    return exclusive(async (alone) => {
      const once = (columns: readonly string[] | undefined) => alone((pw) => this.decode(pw, rg, columns));
      try {
        return await once(columns);
      } catch (again) {
        this.rethrowIo(again);
        if (again instanceof FooterFailure) {
          this.rethrowIo(again.cause);
          throw new ExecutionError(
            'CORRUPT_PARQUET',
            `${this.r.name} is not a readable Parquet file: its footer cannot be decoded (${message(again.cause)})`,
            { file: this.r.name },
          );
        }
        const names = columns ?? (await readFooter(this.r)).schema.map((f) => f.name);
        for (const c of names) {
          try {
            free((await once([c])).table);
          } catch (e) {
            this.rethrowIo(e);
            throw corrupt(this.r.name, rg, c, e);
          }
        }
        throw corrupt(this.r.name, rg, undefined, again);
      }
    });
  }

  /** A failure whose cause was reading the file's bytes is that error (the store's), not corruption. */
  private rethrowIo(e: unknown): void {
    if (e instanceof StratusError) throw e;
    if (this.ioError !== undefined) {
      const io = this.ioError;
      this.ioError = undefined;
      throw io;
    }
  }

  /** Release the open files. */
  close(): void {
    // Not awaited: a file a panic cut short never finishes opening.
    for (const f of this.files.values()) void f.then(free, () => undefined);
    this.files.clear();
  }
}

/** Row group `rg` of a top-level INTERVAL column, decoded exactly by the page decoder. */
async function readInterval(
  r: RangeReader,
  meta: Promise<FileMetaData>,
  rg: number,
  name: string,
): Promise<arrow.Data> {
  const md = await meta;
  const group = md.row_groups[rg]!;
  const chunk = group.columns.find(
    (c) => c.meta_data?.path_in_schema.length === 1 && c.meta_data.path_in_schema[0] === name,
  );
  const element = md.schema.find((e, i) => i > 0 && e.name === name && !e.num_children);
  const m = chunk?.meta_data;
  if (!m || !element || !pageDecodable(element, m, 'interval'))
    throw new ExecutionError(
      'UNSUPPORTED_TYPE',
      `column '${name}' of ${r.name} is an INTERVAL stored as ${m ? `${m.codec} ${m.encodings.join('/')}` : 'an unknown chunk'}; the engine reads INTERVAL columns itself (its Parquet decoder drops the months) and only from SNAPPY or uncompressed, plain or dictionary pages`,
      { file: r.name, column: name },
    );
  const [start, end] = chunkRange(m);
  const col = decodeChunk(await r.read(start, end), element, m, 'interval', Number(group.num_rows));
  const vec = (col.kind === 'dict' ? gather(col.dict, col.codes) : col.vec) as OpaqueVec;
  return withValidityData(vec.arrow, vec.validity);
}

/** The table's batches with the decoded columns added, the columns in `names` order. */
function withColumns(
  base: arrow.Table | null,
  own: ReadonlyMap<string, arrow.Data>,
  names: readonly string[],
): arrow.Table {
  const length = own.values().next().value!.length;
  const slices = base ? base.batches.map((b) => b.numRows) : [length];
  const fields = names.map((n) => {
    const d = own.get(n);
    return d ? new A.Field(n, d.type, true) : base!.schema.fields.find((f) => f.name === n)!;
  });
  const schema = new A.Schema(fields);
  let at = 0;
  const batches = slices.map((rows, k) => {
    const children = names.map((n) => {
      const d = own.get(n);
      return d ? d.slice(at, rows) : base!.batches[k]!.getChild(n)!.data[0]!;
    });
    at += rows;
    return new A.RecordBatch(schema, A.makeData({ type: new A.Struct(fields), length: rows, children, nullCount: 0 }));
  });
  return new A.Table(schema, batches);
}

/** Opening the file (reading its footer) failed. */
class FooterFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(message(cause));
  }
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function corrupt(file: string, rowGroup: number, column: string | undefined, e: unknown): ExecutionError {
  const why = message(e);
  return new ExecutionError(
    'CORRUPT_PARQUET',
    `${file}: row group ${rowGroup}${column === undefined ? '' : `, column '${column}'`} cannot be decoded — the file is corrupt (${why})`,
    { file, rowGroup, ...(column === undefined ? {} : { column }) },
  );
}
