/**
 * Column chunks decoded by our page decoder (operators/parquetPages.ts says which chunks are
 * ours and reads their pages): `decodeChunk` decodes a whole chunk, keeping dictionary-encoded
 * ones as codes; `decodeChunkAt` decodes it at chosen rows only, for the late-materializing scan
 * (operators/scanLate.ts).
 */
import type { ColumnMetaData, PageHeader, SchemaElement } from 'hyparquet';
import type { DataType, DecimalType } from '../planner/types.js';
import { isDecimal } from '../planner/types.js';
import {
  decimalVecOfDoubles,
  doublesFromBytes,
  EXACT_LIMIT,
  type ExactDoubles,
  longsFromWords,
  vecDoubles,
} from './decimal.js';
import type { Vec } from './vector.js';
import { concatVecs, isDecimalVec, newValidity, setValid, vecFromValues, vecLength } from './vector.js';
import { gather, spread, widthOffsets, withNullEntry } from './parquetGather.js';
import { owning } from './ownedColumns.js';
import { columnArray, recycleColumn } from './spareArrays.js';
import {
  dictionaryValues,
  hybridAt,
  nextPage,
  pageReader,
  plainValues,
  readHybrid,
  readHybridDict,
  viewOf,
} from './parquetPages.js';
import {
  UNPACK_BYTES,
  UNPACK_BYTES_MAX_WIDTH,
  UNPACK_DOUBLES,
  UNPACK_DOUBLES_MAX_WIDTH,
  UNPACK_INTS,
  UNPACK_INTS_MAX_WIDTH,
} from './bitUnpack.js';
import { isBytesVec } from './vector.js';
import { corruptParquet as bad, inflate } from './snappy.js';

/**
 * A decoded column chunk. `dict`: row i is `dict[codes[i]]`; when the chunk has nulls, the
 * dictionary has one extra entry at its end, a null, and null rows point at it.
 */
export type ChunkColumn =
  | {
      readonly kind: 'dict';
      readonly dict: Vec;
      readonly codes: Int32Array;
      /** The codes are the chunk's alone (a column array: `recycleColumn` once unread), not a caller's buffer. */
      readonly ownCodes?: boolean;
    }
  | { readonly kind: 'plain'; readonly vec: Vec };

let scratch = new Int32Array(0);
/** A dictionary's doubles padded to 2^UNPACK_DOUBLES_MAX_WIDTH entries (`readHybridDoubles`), and the dictionary it holds. */
let padded = new Float64Array(0);
let paddedFrom: ExactDoubles | null = null;
/** An int32 dictionary padded to 2^width entries, and the dictionary it holds (the padding grows with the widest). */
let paddedInts = new Int32Array(0);
let paddedIntsFrom: Int32Array | null = null;

/**
 * Whether the definition levels at `at` say every one of `n` rows is present: their first run is
 * an RLE run of 1s covering them all (what writers emit for a page without nulls). Spares
 * `readLevels` a byte per row.
 */
function allPresent(src: Uint8Array, at: number, end: number, n: number): boolean {
  let header = 0;
  let shift = 0;
  let b: number;
  do {
    if (at >= end) return false;
    b = src[at++]!;
    header += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return header % 2 === 0 && header / 2 >= n && at < end && src[at] === 1;
}

/** Definition levels (0 or 1) of a page's rows into `out`; returns how many rows are present. */
function readLevels(src: Uint8Array, at: number, end: number, out: Uint8Array): number {
  const n = out.length;
  if (scratch.length < n) scratch = new Int32Array(n);
  readHybrid(src, at, end, 1, scratch, 0, n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const v = scratch[i]!;
    out[i] = v;
    count += v;
  }
  return count;
}

/** One data page: codes (dictionary) or values, for its non-null rows, and its definition levels. */
interface PageOut {
  readonly rows: number;
  /** Definition level per row (1 = present) when the page has nulls; null when none. */
  readonly present: Uint8Array | null;
  /** Its codes are in the chunk's codes array (dictionary encoded). */
  readonly codes: boolean;
  readonly values: Vec | null;
  /**
   * Short decimals of a plain page without nulls, written as exact doubles straight into the
   * chunk's array: the largest magnitude (Infinity when some value is 2^52 or more); else null.
   */
  readonly direct: number | null;
  /** Fixed-width plain values of a page without nulls, copied straight into the chunk's values. */
  readonly inChunk: boolean;
  /** Codes of a page without nulls written as their one-byte strings into the chunk's bytes (`ChunkSink.flags`). */
  readonly flags?: boolean;
}

/** Where the pages of a chunk put what they decode. */
interface ChunkSink {
  /** The chunk's codes (allocated on first use). */
  readonly codes: () => Int32Array;
  /** The chunk's exact doubles (short decimals; allocated on first use), or null. */
  readonly doubles: (() => Float64Array) | null;
  /**
   * The dictionary's exact doubles when no one needs the chunk's codes (no filter reads them):
   * coded pages without nulls then go straight to `doubles`.
   */
  readonly dictDoubles: ExactDoubles | null;
  /**
   * The chunk's values as bytes (allocated on first use) for the fixed-width types plain pages
   * without nulls copy into (`FIXED_WIDTH`), or null.
   */
  readonly values: (() => Uint8Array) | null;
  /**
   * An int32 or date dictionary's values when no one needs the chunk's codes: coded pages without
   * nulls then go straight to the chunk's values (`ints`: the int32 values, allocated on first use).
   */
  readonly dictInts: Int32Array | null;
  readonly ints: (() => Int32Array) | null;
  /**
   * A dictionary of at most 2^UNPACK_BYTES_MAX_WIDTH one-byte strings (flags), when no one needs
   * the chunk's codes: coded pages without nulls then go straight to the strings' bytes (`out`,
   * allocated on first use). `dict` is padded to 2^UNPACK_BYTES_MAX_WIDTH entries.
   */
  readonly flags: { readonly dict: Uint8Array; readonly size: number; readonly out: () => Uint8Array } | null;
}

/**
 * The bytes of a dictionary of one-byte strings, padded to 2^UNPACK_BYTES_MAX_WIDTH entries;
 * null when some entry is not one byte long, a null, or there are more entries.
 */
function flagBytes(dict: Vec): Uint8Array | null {
  if (!isBytesVec(dict) || dict.validity) return null;
  const { offsets, data } = dict;
  const size = offsets.length - 1;
  if (size < 1 || size > 1 << UNPACK_BYTES_MAX_WIDTH) return null;
  const out = new Uint8Array(1 << UNPACK_BYTES_MAX_WIDTH);
  for (let k = 0; k < size; k++) {
    if (offsets[k + 1]! - offsets[k]! !== 1) return null;
    out[k] = data[offsets[k]!]!;
  }
  return out;
}

/**
 * Bytes per value of the types whose plain pages are copied straight into one array for the
 * chunk: no array per page, and no concatenation of a chunk's pages after.
 */
const FIXED_WIDTH: Partial<Record<DataType, 4 | 8>> = { int32: 4, date: 4, int64: 8, float64: 8 };

/** A chunk-wide values array of a `FIXED_WIDTH` type. */
type FixedValues = Int32Array | BigInt64Array | Float64Array;

/** A data page's values section (decompressed) and its rows' definition levels. */
interface PageBody {
  readonly rows: number;
  readonly encoding: string;
  /** The values: from `pos` to the end of `buf`. */
  readonly buf: Uint8Array;
  readonly pos: number;
  /** Definition level per row (1 = present) when the page has nulls; null when none. */
  readonly present: Uint8Array | null;
  /** How many rows are present (have a value). */
  readonly nonNull: number;
}

/** Rows of a data page, from its header (a flat column: one value slot per row). */
function pageRows(header: PageHeader): number {
  return header.type === 'DATA_PAGE_V2' ? header.data_page_header_v2!.num_values : header.data_page_header!.num_values;
}

/** Decompress a data page (v1 or v2) and read its definition levels. */
function pageBody(bytes: Uint8Array, header: PageHeader, codec: string, optional: boolean): PageBody {
  let rows: number;
  let encoding: string;
  let buf: Uint8Array;
  let pos = 0;
  let present: Uint8Array | null = null;
  let nonNull: number;
  if (header.type === 'DATA_PAGE_V2') {
    const h = header.data_page_header_v2!;
    rows = h.num_values;
    encoding = h.encoding;
    const lvBytes = h.definition_levels_byte_length + h.repetition_levels_byte_length;
    if (h.repetition_levels_byte_length) bad('repeated values in a flat column');
    nonNull = rows - h.num_nulls;
    if (optional && h.num_nulls > 0) {
      present = new Uint8Array(rows);
      readLevels(bytes, 0, h.definition_levels_byte_length, present);
    }
    const body = bytes.subarray(lvBytes);
    buf = h.is_compressed === false ? body : inflate(codec, body, header.uncompressed_page_size - lvBytes);
  } else {
    const h = header.data_page_header!;
    rows = h.num_values;
    encoding = h.encoding;
    buf = inflate(codec, bytes, header.uncompressed_page_size);
    nonNull = rows;
    if (optional) {
      const len = buf[0]! | (buf[1]! << 8) | (buf[2]! << 16) | (buf[3]! << 24);
      pos = 4 + len;
      if (!allPresent(buf, 4, pos, rows)) {
        const lv = new Uint8Array(rows);
        nonNull = readLevels(buf, 4, pos, lv);
        if (nonNull < rows) present = lv;
      }
    }
  }
  return { rows, encoding, buf, pos, present, nonNull };
}

/**
 * One data page of a chunk: codes go to the chunk's codes at row `at` (nulls as `nullCode`),
 * or through the dictionary's doubles to the chunk's doubles; plain values are returned, or
 * written to the chunk's doubles.
 */
function dataPage(
  bytes: Uint8Array,
  header: PageHeader,
  codec: string,
  optional: boolean,
  type: DataType,
  sink: ChunkSink,
  at: number,
  nullCode: number,
  int32: boolean,
): PageOut {
  const doubles = sink.doubles;
  const page = pageBody(bytes, header, codec, optional);
  const { rows, encoding, buf, present, nonNull } = page;
  let pos = page.pos;
  if (encoding === 'PLAIN') {
    if (doubles && !present) {
      if (pos + (int32 ? 4 : 8) * rows > buf.length) bad('plain decimals past the end of their page');
      const max = doublesFromBytes(buf, pos, rows, int32 ? 1 : 2, doubles(), at);
      return { rows, present, codes: false, values: null, direct: max, inChunk: false };
    }
    const width = FIXED_WIDTH[type];
    if (sink.values && width && !present) {
      if (pos + width * rows > buf.length) bad(`plain ${type} values past the end of their page`);
      const into = sink.values();
      if ((at + rows) * width > into.length)
        bad(`column chunk has more rows than its row group's ${into.length / width}`);
      into.set(buf.subarray(pos, pos + width * rows), at * width);
      return { rows, present, codes: false, values: null, direct: null, inChunk: true };
    }
    const values = plainValues(buf, pos, buf.length, type, nonNull, int32);
    return { rows, present, codes: false, values, direct: null, inChunk: false };
  }
  if (encoding !== 'RLE_DICTIONARY' && encoding !== 'PLAIN_DICTIONARY') bad(`unsupported page encoding ${encoding}`);
  const width = buf[pos++]!;
  const dd = sink.dictDoubles;
  const di = sink.dictInts;
  if (!present && di && sink.ints && width > 0 && width <= UNPACK_INTS_MAX_WIDTH) {
    // Codes straight to the dictionary's int32 values (padded to 2^width entries) in the chunk's values.
    const out = sink.ints();
    if (at + nonNull > out.length) bad(`column chunk has more rows than its row group's ${out.length}`);
    if (paddedInts.length < 1 << width) {
      // A wider page than the last (a writer widens its codes as its dictionary grows): a new,
      // larger copy of the dictionary, filled below.
      paddedInts = new Int32Array(1 << width);
      paddedIntsFrom = null;
    }
    if (paddedIntsFrom !== di) {
      paddedInts.fill(0);
      paddedInts.set(di.subarray(0, Math.min(di.length, paddedInts.length)));
      paddedIntsFrom = di;
    }
    const over = readHybridDict(buf, pos, buf.length, width, paddedInts, di.length - 1, out, at, nonNull, UNPACK_INTS);
    if (over < 0) bad(`dictionary code past its dictionary of ${di.length}`);
    return { rows, present, codes: false, values: null, direct: null, inChunk: true };
  }
  if (!present && dd && doubles && width > 0 && width <= UNPACK_DOUBLES_MAX_WIDTH) {
    // Codes straight to the dictionary's doubles (padded to 2^UNPACK_DOUBLES_MAX_WIDTH entries).
    const size = dd.doubles.length;
    if (padded.length < 1 << UNPACK_DOUBLES_MAX_WIDTH) padded = new Float64Array(1 << UNPACK_DOUBLES_MAX_WIDTH);
    if (paddedFrom !== dd) {
      padded.fill(0);
      padded.set(dd.doubles.subarray(0, Math.min(size, padded.length)));
      paddedFrom = dd;
    }
    const over = readHybridDict(buf, pos, buf.length, width, padded, size - 1, doubles(), at, nonNull, UNPACK_DOUBLES);
    if (over < 0) bad(`dictionary code past its dictionary of ${size}`);
    return { rows, present, codes: false, values: null, direct: dd.max, inChunk: false };
  }
  if (!present && dd && doubles) {
    // Codes of this page only (a reused buffer), looked up in the dictionary's doubles.
    if (scratch.length < nonNull) scratch = new Int32Array(nonNull);
    if (width > 0) readHybrid(buf, pos, buf.length, width, scratch, 0, nonNull);
    else scratch.fill(0, 0, nonNull);
    const out = doubles();
    const from = dd.doubles;
    const size = from.length;
    for (let i = 0; i < nonNull; i++) {
      const c = scratch[i]!;
      if (c >= size) bad(`dictionary code ${c} past its dictionary of ${size}`);
      out[at + i] = from[c]!;
    }
    return { rows, present, codes: false, values: null, direct: dd.max, inChunk: false };
  }
  const flags = sink.flags;
  if (!present && flags && width <= UNPACK_BYTES_MAX_WIDTH) {
    // One-byte strings straight from the codes: no codes array, no gather after.
    const out = flags.out();
    if (at + nonNull > out.length) bad(`column chunk has more rows than its row group's ${out.length}`);
    const last = flags.size - 1;
    const over =
      width > 0 ? readHybridDict(buf, pos, buf.length, width, flags.dict, last, out, at, nonNull, UNPACK_BYTES) : last;
    if (width === 0) out.fill(flags.dict[0]!, at, at + nonNull);
    if (over < 0) bad(`dictionary code past its dictionary of ${flags.size}`);
    return { rows, present, codes: false, values: null, direct: null, inChunk: false, flags: true };
  }
  const into = sink.codes();
  // Codes straight into the chunk's array when every row is present; else spread around the nulls.
  if (!present) {
    if (width > 0) readHybrid(buf, pos, buf.length, width, into, at, nonNull);
    else into.fill(0, at, at + nonNull);
  } else {
    if (scratch.length < nonNull) scratch = new Int32Array(nonNull);
    if (width > 0) readHybrid(buf, pos, buf.length, width, scratch, 0, nonNull);
    else scratch.fill(0, 0, nonNull);
    for (let i = 0, k = 0; i < rows; i++) into[at + i] = present[i] ? scratch[k++]! : nullCode;
  }
  return { rows, present, codes: true, values: null, direct: null, inChunk: false };
}

/**
 * Decode one column chunk (its bytes from `chunkRange`) of `numRows` rows as `type`
 * (`pageDecodable` said yes). Dictionary-encoded chunks stay codes. Plain pages of short
 * decimals without nulls become exact doubles in one array for the chunk (its int64 values built
 * only when read: operators/decimal.ts), unless some value is 2^52 or more (`exact` false: then
 * int64 values with their doubles, page by page).
 */
export function decodeChunk(
  bytes: Uint8Array,
  e: SchemaElement,
  m: ColumnMetaData,
  type: DataType,
  numRows: number,
  {
    exact = true,
    keepCodes = true,
    codesBuffer,
    flags = false,
  }: {
    exact?: boolean;
    keepCodes?: boolean;
    /**
     * With `keepCodes` false: a string chunk whose dictionary holds at most 16 one-byte strings
     * (Q1's l_returnflag, l_linestatus) goes straight from codes to their bytes when no page has
     * nulls (no codes array, no gather after: 122,880 rows of 2-bit codes 3.5 -> 0.9 ns a row).
     */
    flags?: boolean;
    /**
     * Where to write the chunk's codes when it has room (a buffer reused from chunk to chunk:
     * the result's codes are then valid until it is written again).
     */
    codesBuffer?: Int32Array;
  } = {},
): ChunkColumn {
  const optional = e.repetition_type === 'OPTIONAL';
  const int32 = e.type === 'INT32';
  let chunkDoubles: Float64Array | null = null;
  let chunkValues: FixedValues | null = null;
  let codes: Int32Array | null = null;
  let flagOut: Uint8Array | null = null;
  const sink: { -readonly [K in keyof ChunkSink]: ChunkSink[K] } = {
    codes: () =>
      (codes ??=
        codesBuffer && codesBuffer.length >= numRows ? codesBuffer.subarray(0, numRows) : new Int32Array(numRows)),
    // Chunk-wide arrays from the spare ones (the pages write every row before it is read): a
    // consumer that releases the scan's columns hands them back (operators/ownedColumns.ts).
    doubles: exact && isDecimal(type) ? () => (chunkDoubles ??= columnArray(Float64Array, numRows)) : null,
    dictDoubles: null,
    values: FIXED_WIDTH[type]
      ? () => {
          chunkValues ??= fixedArray(type, numRows);
          return new Uint8Array(chunkValues.buffer, chunkValues.byteOffset, chunkValues.byteLength);
        }
      : null,
    flags: null,
    dictInts: null,
    ints:
      type === 'int32' || type === 'date'
        ? () => {
            chunkValues ??= fixedArray(type, numRows);
            return chunkValues as Int32Array;
          }
        : null,
  };
  const reader = pageReader(bytes);
  let dict: Vec | null = null;
  const pages: PageOut[] = [];
  let rows = 0;
  while (rows < numRows && reader.offset < bytes.length) {
    const [header, body] = nextPage(reader, bytes);
    if (header.type === 'DICTIONARY_PAGE') {
      dict = dictionaryValues(body, header, m.codec, type, int32);
      if (!keepCodes && sink.doubles && isDecimalVec(dict)) sink.dictDoubles = vecDoubles(dict, vecLength(dict));
      if (!keepCodes && (type === 'int32' || type === 'date') && !dict.validity)
        sink.dictInts = (dict as Extract<Vec, { type: 'int32' | 'date' }>).values;
      const bytes1 = flags && !keepCodes && type === 'string' ? flagBytes(dict) : null;
      sink.flags = bytes1 && {
        dict: bytes1,
        size: vecLength(dict),
        out: () => (flagOut ??= columnArray(Uint8Array, numRows)),
      };
    } else if (header.type === 'DATA_PAGE' || header.type === 'DATA_PAGE_V2') {
      const nullCode = dict ? vecLength(dict) : 0;
      const p = dataPage(body, header, m.codec, optional, type, sink, rows, nullCode, int32);
      if (p.codes && !dict) bad('dictionary-encoded page without a dictionary');
      if (rows + p.rows > numRows) bad(`column chunk has more rows than its row group's ${numRows}`);
      pages.push(p);
      rows += p.rows;
    }
  }
  if (rows !== numRows) bad(`column chunk has ${rows} rows, its row group ${numRows}`);
  if (flagOut) {
    if (pages.every((p) => p.flags)) {
      const vec = { type: 'string', offsets: widthOffsets(1, numRows), data: flagOut, validity: null } as const;
      return { kind: 'plain', vec: owning(vec, flagOut) };
    }
    // A page with nulls or plain values: the chunk again, by its codes.
    recycleColumn(flagOut);
    return decodeChunk(bytes, e, m, type, numRows, { exact, keepCodes, codesBuffer });
  }
  const anyNull = pages.some((p) => p.present);
  if (dict && anyNull) dict = withNullEntry(dict);
  if (dict && pages.every((p) => p.codes)) return { kind: 'dict', dict, codes: codes! };
  const direct = pages.reduce((max, p) => (p.direct === null ? max : Math.max(max, p.direct)), -1);
  if (direct >= EXACT_LIMIT) {
    if (chunkDoubles) recycleColumn(chunkDoubles);
    return decodeChunk(bytes, e, m, type, numRows, { exact: false, keepCodes, codesBuffer });
  }
  if (chunkDoubles && pages.every((p) => p.direct !== null))
    return {
      kind: 'plain',
      vec: owning(decimalVecOfDoubles(type as DecimalType, chunkDoubles, direct, null), chunkDoubles),
    };
  if (chunkValues && pages.every((p) => p.inChunk))
    return { kind: 'plain', vec: owning(fixedVec(type, chunkValues), chunkValues) };
  // Some pages plain (a dictionary that grew too large), or no dictionary: values for every row.
  let at = 0;
  const parts = pages.map((p) => {
    const from = at;
    at += p.rows;
    if (p.codes) return gather(dict!, codes!.subarray(from, from + p.rows));
    if (p.direct !== null)
      return decimalVecOfDoubles(type as DecimalType, chunkDoubles!.subarray(from, at), p.direct, null);
    if (p.inChunk) return fixedVec(type, chunkValues!.subarray(from, at));
    return p.present ? spread(p.values!, p.present, p.rows) : p.values!;
  });
  return { kind: 'plain', vec: parts.length === 1 ? parts[0]! : concatVecs(type, parts) };
}

/** A chunk-wide values array of a `FIXED_WIDTH` type, from the spare arrays (contents left as they were). */
function fixedArray(type: DataType, n: number): FixedValues {
  if (type === 'int64') return columnArray(BigInt64Array, n);
  return type === 'float64' ? columnArray(Float64Array, n) : columnArray(Int32Array, n);
}

/** A column of a `FIXED_WIDTH` type over its values, without nulls. */
function fixedVec(type: DataType, values: FixedValues): Vec {
  return { type, values, validity: null } as Vec;
}

/**
 * Rows `sel` (ascending row numbers of the chunk's `numRows`) of one column chunk, decoded there
 * only: a page holding none of them is not even decompressed, dictionary codes are read at those
 * rows alone (a bit-packed run by offset, an RLE run at once) and plain fixed-width values at
 * their byte offsets; only the dictionary and plain strings are decoded whole. Row k of the
 * result is row sel[k]: `dict` (codes at the selected rows, nulls as the dictionary's size) when
 * every page read is dictionary encoded, else `plain`.
 */
export function decodeChunkAt(
  bytes: Uint8Array,
  e: SchemaElement,
  m: ColumnMetaData,
  type: DataType,
  numRows: number,
  sel: Int32Array,
): ChunkColumn {
  const optional = e.repetition_type === 'OPTIONAL';
  const int32 = e.type === 'INT32';
  const reader = pageReader(bytes);
  let dict: Vec | null = null;
  // The selected rows' codes: allocated at the first dictionary-encoded page (none for a plain chunk).
  let codes: Int32Array | null = null;
  // The selected rows of each page read: [from, to) in `sel`, with their values (null: codes, or
  // `direct`: short decimals written as exact doubles into `doubles` at [from, to)).
  const parts: { from: number; to: number; vec: Vec | null; direct?: boolean }[] = [];
  let doubles: Float64Array | null = null;
  let directMax = 0;
  let anyNull = false;
  let rows = 0;
  let k = 0;
  while (rows < numRows && reader.offset < bytes.length) {
    const [header, body] = nextPage(reader, bytes);
    if (header.type === 'DICTIONARY_PAGE') {
      dict = dictionaryValues(body, header, m.codec, type, int32);
      continue;
    }
    if (header.type !== 'DATA_PAGE' && header.type !== 'DATA_PAGE_V2') continue;
    const n = pageRows(header);
    if (!(n >= 0) || rows + n > numRows) bad(`column chunk has more rows than its row group's ${numRows}`);
    let to = k;
    while (to < sel.length && sel[to]! < rows + n) to++;
    if (to > k) {
      const page = pageBody(body, header, m.codec, optional);
      if (page.rows !== n) bad(`data page of ${page.rows} rows where its header says ${n}`);
      // Value index of each selected row in the page (its present rows before it); -1 for a null.
      const at = pageIndexes(to - k);
      let pageNull = false;
      if (page.present) {
        const present = page.present;
        let r = rows;
        let v = 0;
        for (let j = k; j < to; j++) {
          const row = sel[j]!;
          for (; r < row; r++) v += present[r - rows]!;
          at[j - k] = present[row - rows] ? v : -1;
        }
        pageNull = at.includes(-1);
        anyNull ||= pageNull;
      } else for (let j = k; j < to; j++) at[j - k] = sel[j]! - rows;
      if (page.encoding === 'PLAIN') {
        // Short decimals without a null among the selected rows: exact doubles straight into one
        // array for the selection (no int64 words per page, no concatenation after).
        let max = -1;
        if (isDecimal(type) && !pageNull) {
          doubles ??= columnArray(Float64Array, sel.length);
          max = doublesAt(page, int32, at, doubles, k);
        }
        if (max >= 0 && max < EXACT_LIMIT) {
          directMax = Math.max(directMax, max);
          parts.push({ from: k, to, vec: null, direct: true });
        } else parts.push({ from: k, to, vec: plainAt(page, type, int32, at) });
      } else if (page.encoding === 'RLE_DICTIONARY' || page.encoding === 'PLAIN_DICTIONARY') {
        if (!dict) bad('dictionary-encoded page without a dictionary');
        const size = vecLength(dict);
        codes ??= columnArray(Int32Array, sel.length);
        hybridAt(page.buf, page.pos + 1, page.buf[page.pos]!, at, page.nonNull, size, codes.subarray(k, to));
        parts.push({ from: k, to, vec: null });
      } else bad(`unsupported page encoding ${page.encoding}`);
    }
    k = to;
    rows += n;
  }
  if (rows !== numRows) bad(`column chunk has ${rows} rows, its row group ${numRows}`);
  if (k !== sel.length) bad(`selected row ${sel[k]} past the chunk's ${numRows} rows`);
  if (dict && parts.every((p) => p.vec === null && !p.direct))
    return {
      kind: 'dict',
      dict: anyNull ? withNullEntry(dict) : dict,
      codes: codes ?? new Int32Array(sel.length),
      ownCodes: true,
    };
  if (doubles && parts.length && parts.every((p) => p.direct))
    return { kind: 'plain', vec: owning(decimalVecOfDoubles(type as DecimalType, doubles, directMax, null), doubles) };
  const full = dict && anyNull ? withNullEntry(dict) : dict;
  const vecs = parts.map((p) =>
    p.direct
      ? decimalVecOfDoubles(type as DecimalType, doubles!.subarray(p.from, p.to), directMax, null)
      : (p.vec ?? gather(full!, codes!.subarray(p.from, p.to))),
  );
  if (vecs.length === 1) return { kind: 'plain', vec: vecs[0]! };
  return { kind: 'plain', vec: vecs.length ? concatVecs(type, vecs) : vecFromValues(type, []) };
}

/** `decodeChunkAt`'s value indexes of a page's selected rows: one buffer, reused page after page. */
let indexes = new Int32Array(0);

/**
 * Room for `n` value indexes, valid until the next call (`decodeChunkAt` reads a page's whole,
 * synchronously, before the next: no other scan can interleave).
 */
function pageIndexes(n: number): Int32Array {
  if (indexes.length < n) indexes = new Int32Array(Math.max(n, 2 * indexes.length));
  return indexes.subarray(0, n);
}

/**
 * Short decimals (unscaled INT32 or INT64) of a plain page at the value indexes `at` (none -1)
 * as exact doubles into `out` from `base`; returns their largest magnitude (2^52 or more: not
 * exact, the caller reads them as int64 instead).
 */
function doublesAt(page: PageBody, int32: boolean, at: Int32Array, out: Float64Array, base: number): number {
  const { buf, pos, nonNull } = page;
  const width = int32 ? 4 : 8;
  if (pos + width * nonNull > buf.length) bad(`plain values past the end of their page`);
  const view = viewOf(buf);
  let max = 0;
  for (let j = 0; j < at.length; j++) {
    const v = at[j]!;
    if (v >= nonNull) bad(`plain value ${v} past the ${nonNull} of its page`);
    const p = pos + v * width;
    const x = int32 ? view.getInt32(p, true) : view.getInt32(p + 4, true) * 2 ** 32 + view.getUint32(p, true);
    out[base + j] = x;
    const a = x < 0 ? -x : x;
    if (a > max) max = a;
  }
  return max;
}

/**
 * Plain values of a page at the value indexes `at` (-1: a null row): fixed-width numbers read
 * at their offsets, other types decoded whole and gathered.
 */
function plainAt(page: PageBody, type: DataType, int32: boolean, at: Int32Array): Vec {
  const { buf, pos, nonNull } = page;
  const n = at.length;
  let validity: Uint8Array | null = null;
  for (let j = 0; j < n; j++)
    if (at[j]! < 0) {
      validity ??= newValidity(n);
      setValid(validity, j, false);
    }
  const decimal = isDecimal(type);
  const width = decimal
    ? int32
      ? 4
      : 8
    : type === 'int32' || type === 'date'
      ? 4
      : type === 'int64' || type === 'float64'
        ? 8
        : 0;
  if (width === 0) {
    const all = plainValues(buf, pos, buf.length, type, nonNull, int32);
    const idx = at.map((v) => Math.max(v, 0));
    return { ...gather(nonNull ? all : vecFromValues(type, [null]), idx), validity } as Vec;
  }
  if (pos + width * nonNull > buf.length) bad(`plain values past the end of their page`);
  // Little-endian words of the selected values (two per 8-byte value).
  const stride = width / 4;
  const words = new Int32Array(n * stride);
  for (let j = 0; j < n; j++) {
    const v = at[j]!;
    if (v < 0) continue;
    for (let w = 0; w < stride; w++) {
      const p = pos + v * width + 4 * w;
      words[j * stride + w] = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
    }
  }
  if (decimal) return { type, values: longsFromWords(words, n, stride as 1 | 2), validity } as Vec;
  switch (type) {
    case 'int32':
    case 'date':
      return { type, values: words, validity };
    case 'int64':
      return { type, values: new BigInt64Array(words.buffer), validity };
    default:
      return { type: 'float64', values: new Float64Array(words.buffer), validity };
  }
}
