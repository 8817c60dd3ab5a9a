/**
 * Parquet footers: schema, row groups, column-chunk sizes and min/max statistics, read with one
 * or two ranged reads through any `RangeReader` (local file, S3). Used for planning and pruning.
 */
import type * as arrow from 'apache-arrow';
import { type FileMetaData, parquetMetadataAsync } from 'hyparquet';
import { ExecutionError, StratusError } from '../planner/errors.js';
import type { DataType, Schema } from '../planner/types.js';
import { decimalType, field, isDecimal, isOpaque, isTemporal, MAX_DECIMAL_PRECISION } from '../planner/types.js';
import { columnTypeName, leafTypeName, type SchemaElement, type SchemaNode, schemaTree } from './parquetTypes.js';
import { embeddedArrowTypes, temporalBound, temporalElementType } from './time/parquetTypes.js';
import type { MinMax } from '../planner/optimizer/rules/row_group_pruning.js';
import type { SplitRowGroup } from '../planner/tasks.js';

/** Random access to one file's bytes. */
export interface RangeReader {
  readonly name: string;
  readonly size: number;
  /** Bytes [start, end); `ahead`: read ahead of their use, without blocking this thread (ObjectStore.getRange). */
  read(start: number, end: number, ahead?: boolean): Promise<Uint8Array>;
}

/** Min/max and null count of a column chunk (the planner's statistics, used for pruning). */
export type ColumnStats = MinMax;

/** A row group as planning sees it (index, column bytes, statistics), and its row count. */
export interface RowGroupInfo extends SplitRowGroup {
  readonly numRows: number;
}

export interface FileFooter {
  readonly schema: Schema;
  readonly numRows: number;
  readonly rowGroups: readonly RowGroupInfo[];
}

/** An unsigned integer column (UINT_8 … UINT_64 or INTEGER(bits, false)), by its bit width; 0 if signed. */
function unsignedBits(e: SchemaElement): number {
  if (e.logical_type?.type === 'INTEGER' && e.logical_type.isSigned === false) return e.logical_type.bitWidth ?? 0;
  const m = /^UINT_(8|16|32|64)$/.exec(e.converted_type ?? '');
  return m ? Number(m[1]) : 0;
}

/** decimal(p, s) of a DECIMAL column, named in the error when its precision is out of range. */
function decimalOf(e: SchemaElement, file: string): DataType {
  const precision = e.precision ?? 0;
  if (precision < 1 || precision > MAX_DECIMAL_PRECISION)
    throw new ExecutionError(
      'UNSUPPORTED_TYPE',
      `column '${e.name}' of ${file} is DECIMAL(${precision},${e.scale ?? 0}); precision must be 1..${MAX_DECIMAL_PRECISION}`,
      { file, column: e.name },
    );
  return decimalType(precision, e.scale ?? 0);
}

/** The engine type of a top-level leaf, or undefined when the engine has none for it. */
function typeOfElement(
  e: SchemaElement,
  file: string,
  embedded: ReadonlyMap<string, arrow.DataType>,
): DataType | undefined {
  const temporal = temporalElementType(e, embedded.get(e.name));
  if (temporal) return temporal;
  const logical = e.logical_type?.type;
  const decimal = e.converted_type === 'DECIMAL' || logical === 'DECIMAL';
  switch (e.type) {
    case 'BOOLEAN':
      return 'bool';
    case 'INT32':
      if (e.converted_type === 'DATE' || logical === 'DATE') return 'date';
      if (decimal) return decimalOf(e, file);
      return leafTypeName(e) as DataType; // int8 … int32, uint8 … uint32
    case 'INT64':
      if (decimal) return decimalOf(e, file);
      if (unsignedBits(e) === 64) return undefined; // above 2^63-1 no engine type holds it: passes through as uint64
      return 'int64';
    case 'FLOAT':
      return 'float32';
    case 'DOUBLE':
      return 'float64';
    case 'BYTE_ARRAY':
      return leafTypeName(e) === 'binary' ? 'binary' : 'string';
    case 'FIXED_LEN_BYTE_ARRAY':
      if (decimal) return decimalOf(e, file);
      break;
  }
  return undefined;
}

/**
 * The type of a top-level column: its engine type, or the exact name of a type the engine
 * carries without computing on it (nested, uuid, …); a type it cannot carry is an error
 * naming the column and the file.
 */
function columnType(node: SchemaNode, file: string, embedded: ReadonlyMap<string, arrow.DataType>): DataType {
  const e = node.element;
  const engine =
    node.children.length || e.repetition_type === 'REPEATED' ? undefined : typeOfElement(e, file, embedded);
  if (engine) return engine;
  const name = columnTypeName(node);
  if (isOpaque(name)) return name;
  throw new ExecutionError(
    'UNSUPPORTED_TYPE',
    `column '${e.name}' of ${file} has unsupported type ${name} (Parquet ${e.type}${e.converted_type ? ` ${e.converted_type}` : ''})`,
    { file, column: e.name, type: name },
  );
}

const num = (v: unknown): number | string | null => {
  if (v === undefined || v === null) return null;
  // Footers travel as JSON: an int64 bound is kept only where a number holds it exactly (no pruning otherwise).
  if (typeof v === 'bigint') return Number.isSafeInteger(Number(v)) ? Number(v) : null;
  if (v instanceof Date) return Math.round(v.getTime() / 86_400_000);
  if (typeof v === 'number' || typeof v === 'string') return v;
  return null;
};

/**
 * Values parsed from Parquet footers, kept per instance while a file's footer bytes stay the
 * same: a file of the cached size is checked by reading just the cached footer's bytes (footer,
 * length, magic) from its end and comparing them — equal bytes are the same footer, so a file
 * rewritten in place (another footer, or the same size with other statistics) is parsed again.
 * Used for the planner's footers (runtime/catalog.ts) and the scans' raw footers (fileMetadata).
 */
export class FooterCache<T> {
  private readonly cache = new Map<string, { readonly size: number; readonly bytes: Uint8Array; readonly value: T }>();

  constructor(private readonly entries: number) {}

  /** The value kept for `r`'s file (by its name) when its footer bytes are unchanged. */
  async get(r: RangeReader): Promise<T | undefined> {
    const hit = this.cache.get(r.name);
    if (!hit || hit.size !== r.size || hit.bytes.byteLength > r.size) return undefined;
    const tail = await r.read(r.size - hit.bytes.byteLength, r.size);
    return Buffer.compare(hit.bytes, tail) === 0 ? hit.value : undefined;
  }

  /**
   * Keeps `value`, parsed from `r`'s file, when `end` (the last bytes read, up to the file's end)
   * holds its whole footer; a longer footer is not kept (it is read again each time).
   */
  set(r: RangeReader, end: Uint8Array | null, value: T): void {
    this.cache.delete(r.name);
    if (!end || end.byteLength < 8) return;
    const length = new DataView(end.buffer, end.byteOffset, end.byteLength).getUint32(end.byteLength - 8, true);
    if (length + 8 > end.byteLength) return;
    if (this.cache.size >= this.entries) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(r.name, { size: r.size, bytes: end.slice(end.byteLength - 8 - length), value });
  }
}

/** Raw footers kept per instance: a warm executor (and each task thread) scans the same files query after query. */
const metadataCache = new FooterCache<FileMetaData>(256);

/**
 * The file's raw footer as hyparquet parses it (the page decoder's chunk offsets, encodings,
 * codecs), parsed once per instance while its bytes stay the same (FooterCache). Parsing a
 * footer is not only its own time: hyparquet's per-column closures are compiled again by V8
 * after each full GC drops their code.
 */
export async function fileMetadata(r: RangeReader): Promise<FileMetaData> {
  if (r.size < 12)
    throw new ExecutionError('CORRUPT_PARQUET', `${r.name} is not a Parquet file (${r.size} bytes)`, { file: r.name });
  const hit = await metadataCache.get(r);
  if (hit) return hit;
  let last: Uint8Array | null = null; // the bytes hyparquet read last: the file's end
  const file = {
    byteLength: r.size,
    slice: async (start: number, end?: number) => {
      const b = await r.read(start, end ?? r.size);
      if ((end ?? r.size) === r.size) last = b;
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  };
  const md = await parquetMetadataAsync(file).catch((e: unknown) => {
    // A store error (the file vanished, S3 throttled) is not corrupt data: it keeps its own code.
    if (e instanceof StratusError) throw e;
    throw new ExecutionError('CORRUPT_PARQUET', `${r.name} is not a readable Parquet file: ${(e as Error).message}`, {
      file: r.name,
    });
  });
  metadataCache.set(r, last, md);
  return md;
}

/** Read a Parquet footer. A file that is not Parquet gives a clear error naming it; store errors pass through. */
export async function readFooter(r: RangeReader): Promise<FileFooter> {
  const md = await fileMetadata(r);
  const embedded = embeddedArrowTypes(md.key_value_metadata);
  const columns = schemaTree(md.schema as SchemaElement[]).children;
  const schema = columns.map((c) =>
    field(c.element.name, columnType(c, r.name, embedded), c.element.repetition_type !== 'REQUIRED'),
  );
  const rowGroups = md.row_groups.map((rg, index) => {
    const bytes: Record<string, number> = {};
    const stats: Record<string, ColumnStats> = {};
    for (const c of rg.columns) {
      const m = c.meta_data;
      if (!m) continue;
      // A nested column's leaves count towards its top-level column; only flat columns have bounds.
      const name = m.path_in_schema[0]!;
      bytes[name] = (bytes[name] ?? 0) + Number(m.total_compressed_size);
      const s = m.statistics;
      // Bounds only for flat columns whose bounds compare as the engine compares values: decimal
      // bounds come back as doubles (not exact), binary ones as bytes: no pruning on those.
      const type = schema.find((f) => f.name === name)?.type ?? 'string';
      const inexact = isDecimal(type) || type === 'binary' || isOpaque(type);
      if (s && (inexact || m.path_in_schema.length > 1))
        stats[name] = { min: null, max: null, nullCount: s.null_count === undefined ? null : Number(s.null_count) };
      else if (s && isTemporal(type))
        stats[name] = {
          min: temporalBound(s.min_value ?? s.min, type, 'min'),
          max: temporalBound(s.max_value ?? s.max, type, 'max'),
          nullCount: s.null_count === undefined ? null : Number(s.null_count),
        };
      else if (s)
        stats[name] = {
          min: num(s.min_value ?? s.min),
          max: num(s.max_value ?? s.max),
          nullCount: s.null_count === undefined ? null : Number(s.null_count),
        };
    }
    return { index, numRows: Number(rg.num_rows), bytes, stats };
  });
  return { schema, numRows: Number(md.num_rows), rowGroups };
}
