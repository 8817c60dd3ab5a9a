/**
 * Our own decoder for the common flat Parquet column chunk: INT32 (plain or DATE), INT64,
 * DOUBLE, BYTE_ARRAY (string/binary), short decimals stored as INT32/INT64 (unscaled
 * values, with their exact doubles built in the same pass: operators/decimal.ts) and INTERVAL
 * (which parquet-wasm cannot read exactly), PLAIN or dictionary encoded, required or
 * optional, UNCOMPRESSED or SNAPPY pages (v1 and v2). It exists so that a filtered scan can
 * keep dictionary-encoded columns as codes (a predicate is evaluated once per dictionary
 * entry, not once per row) and build the other columns only for the rows that survive
 * (operators/scanLate.ts). Anything else (other codecs, encodings, types) is not ours:
 * `pageDecodable` says no and parquet-wasm decodes it (parquetDecode.ts). Here: which chunks are
 * ours and the pieces of their pages (page headers, RLE / bit-packed runs, plain values, the
 * dictionary); whole chunks, or a chunk at chosen rows (`decodeChunkAt`), are decoded in
 * parquetChunk.ts, and gathers by row index are parquetGather.ts's.
 */
import type { ColumnMetaData, PageHeader, SchemaElement } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import type { DataType, DecimalType } from '../planner/types.js';
import { decimalType, isDecimal, MAX_SHORT_DECIMAL } from '../planner/types.js';
import { longsFromWords } from './decimal.js';
import type { Vec } from './vector.js';
import { opaqueVec } from './vector.js';
import { withNullEntry } from './parquetGather.js';
import { intervalData } from './parquetInterval.js';
import { corruptParquet as bad, inflate } from './snappy.js';
import { UNPACK, UNPACK_MAX_WIDTH } from './bitUnpack.js';

/** A short decimal stored as INT32 or INT64 (its unscaled value): its engine type. */
function shortDecimal(e: SchemaElement): DecimalType | undefined {
  const logical = e.logical_type;
  const [precision, scale] =
    logical?.type === 'DECIMAL'
      ? [logical.precision, logical.scale]
      : e.converted_type === 'DECIMAL'
        ? [e.precision, e.scale ?? 0]
        : [undefined, undefined];
  if (precision === undefined || !(precision >= 1 && precision <= MAX_SHORT_DECIMAL)) return undefined;
  if (!(scale >= 0 && scale <= precision)) return undefined;
  return decimalType(precision, scale);
}

/**
 * Whether an INT32 / INT64 column holds plain signed integers of its full width: no annotation,
 * or INT_32 / INT_64 (what DuckDB and Spark write), or INTEGER(32|64, signed).
 */
function fullWidthInt(e: SchemaElement, bits: 32 | 64): boolean {
  const logical = e.logical_type;
  if (logical) return logical.type === 'INTEGER' && logical.bitWidth === bits && logical.isSigned;
  return e.converted_type === undefined || e.converted_type === `INT_${bits}`;
}

/** The engine types this decoder produces, by the file's physical and logical type. */
function producedType(e: SchemaElement): DataType | undefined {
  const logical = e.logical_type?.type;
  switch (e.type) {
    case 'INT32':
      if (e.converted_type === 'DATE' || logical === 'DATE') return 'date';
      if (e.converted_type === 'DECIMAL' || logical === 'DECIMAL') return shortDecimal(e);
      return fullWidthInt(e, 32) ? 'int32' : undefined;
    case 'INT64':
      if (e.converted_type === 'DECIMAL' || logical === 'DECIMAL') return shortDecimal(e);
      return fullWidthInt(e, 64) ? 'int64' : undefined;
    case 'DOUBLE':
      return 'float64';
    case 'BYTE_ARRAY':
      if (e.converted_type === 'UTF8' || logical === 'STRING') return 'string';
      return e.converted_type || logical ? undefined : 'binary';
    case 'FIXED_LEN_BYTE_ARRAY':
      // parquet-wasm drops an INTERVAL's months: this decoder is the only one that reads it exactly.
      return e.converted_type === 'INTERVAL' && e.type_length === 12 ? 'interval' : undefined;
    default:
      return undefined;
  }
}

const ENCODINGS = new Set(['PLAIN', 'PLAIN_DICTIONARY', 'RLE_DICTIONARY', 'RLE', 'BIT_PACKED']);

/** Whether this decoder reads the chunk as the engine type `type` (otherwise parquet-wasm does). */
export function pageDecodable(e: SchemaElement, m: ColumnMetaData, type: DataType): boolean {
  return (
    m.path_in_schema.length === 1 &&
    e.repetition_type !== 'REPEATED' &&
    !e.num_children &&
    producedType(e) === type &&
    (m.codec === 'SNAPPY' || m.codec === 'UNCOMPRESSED') &&
    m.encodings.every((x) => ENCODINGS.has(x))
  );
}

/** The byte range of a column chunk in its file (from its dictionary page, when it has one). */
export function chunkRange(m: ColumnMetaData): [number, number] {
  const data = Number(m.data_page_offset);
  const dict = m.dictionary_page_offset === undefined ? 0 : Number(m.dictionary_page_offset);
  const start = dict > 0 && dict < data ? dict : data;
  return [start, start + Number(m.total_compressed_size)];
}

/** The last buffer `viewOf` was asked for, and its view (a page's runs share one). */
let viewed: Uint8Array | null = null;
let view: DataView = new DataView(new ArrayBuffer(0));

/**
 * A DataView of `buf`: one per page, not one per bit-packed run (each page's bytes are a view
 * object of their own, never moved once made).
 */
export function viewOf(buf: Uint8Array): DataView {
  if (buf !== viewed) {
    view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    viewed = buf;
  }
  return view;
}

/** The position of the run header `runHeader` reads (one object, reused). */
const cursor = { pos: 0 };

/**
 * The header (ULEB128) of the RLE / bit-packed run at `c.pos` (`c.pos` moves past it): odd for
 * header / 2 groups of 8 bit-packed values of `width` bits, checked to end by `end`.
 */
function runHeader(buf: Uint8Array, c: { pos: number }, end: number, width: number): number {
  if (c.pos >= end) bad('RLE run past the end of its page');
  let header = 0;
  let shift = 0;
  let b: number;
  do {
    b = buf[c.pos++]!;
    header += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  if (header % 2 === 1 && c.pos + Math.floor(header / 2) * width > end) bad('bit-packed run past the end of its page');
  return header;
}

/**
 * Read `n` values of `width` bits (≤ 32) of an RLE / bit-packed hybrid sequence from `pos` into
 * `out` at `at`; returns the position after the runs read.
 */
export function readHybrid(
  buf: Uint8Array,
  pos: number,
  end: number,
  width: number,
  out: Int32Array,
  at: number,
  n: number,
) {
  const stop = at + n;
  const bytes = (width + 7) >> 3;
  const mask = width >= 32 ? -1 : (1 << width) - 1;
  while (at < stop) {
    cursor.pos = pos;
    const header = runHeader(buf, cursor, end, width);
    pos = cursor.pos;
    if (header % 2 === 1) {
      // bit-packed: groups of 8 values, `width` bytes per group
      const groups = Math.floor(header / 2);
      const runEnd = pos + groups * width;
      const count = Math.min(groups * 8, stop - at);
      const unpack = width <= UNPACK_MAX_WIDTH ? UNPACK[width]! : null;
      if (unpack) {
        // Whole groups of 8 by the width's own function, then the values of a last partial group.
        const full = count >>> 3;
        unpack(buf, pos, out, at, full);
        at += full * 8;
        let p = pos + full * width;
        let acc = 0;
        let bits = 0;
        for (let k = full * 8; k < count; k++) {
          while (bits < width) {
            acc |= buf[p++]! << bits;
            bits += 8;
          }
          out[at++] = acc & mask;
          acc >>>= width;
          bits -= width;
        }
      } else if (width <= 25) {
        // Each value from a 4-byte little-endian window at its bit offset (one DataView read:
        // ~3.5× four byte loads); the last ones, whose window could pass the end, byte by byte.
        const len = buf.length;
        const view = viewOf(buf);
        let bit = pos * 8;
        let k = 0;
        for (const safe = Math.min(count, Math.floor(((len - 4 - pos) * 8) / width) + 1); k < safe; k++) {
          out[at++] = (view.getUint32(bit >>> 3, true) >>> (bit & 7)) & mask;
          bit += width;
        }
        for (; k < count; k++) {
          const p = bit >>> 3;
          const w = buf[p]! | (p + 1 < len ? buf[p + 1]! << 8 : 0) | (p + 2 < len ? buf[p + 2]! << 16 : 0);
          out[at++] = (w >>> (bit & 7)) & mask;
          bit += width;
        }
      } else {
        let acc = 0;
        let bits = 0;
        for (let k = 0; k < count; k++) {
          while (bits < width) {
            acc += buf[pos++]! * 2 ** bits;
            bits += 8;
          }
          out[at++] = (acc % 2 ** width) | 0;
          acc = Math.floor(acc / 2 ** width);
          bits -= width;
        }
      }
      pos = runEnd;
    } else {
      const count = Math.floor(header / 2);
      let v = 0;
      for (let k = 0; k < bytes; k++) v |= buf[pos++]! << (8 * k);
      const e = Math.min(stop, at + count);
      out.fill(v & mask, at, e);
      at = e;
    }
  }
  return pos;
}

/**
 * `readHybrid` for codes into the values of a dictionary (one-byte strings' bytes: up to
 * UNPACK_BYTES_MAX_WIDTH bits; doubles: up to UNPACK_DOUBLES_MAX_WIDTH; int32: up to
 * UNPACK_INTS_MAX_WIDTH): row r's value is `dict[code]` (`dict` padded to
 * 2^width entries), unpacked by `unpackers[width]`. Returns a negative number when some code is
 * past `last` (the dictionary's last code; the caller refuses it).
 */
export function readHybridDict<T extends Float64Array | Int32Array | Uint8Array>(
  buf: Uint8Array,
  pos: number,
  end: number,
  width: number,
  dict: T,
  last: number,
  out: T,
  at: number,
  n: number,
  unpackers: readonly (
    | ((buf: Uint8Array, p: number, dict: T, last: number, out: T, at: number, groups: number) => number)
    | null
  )[],
): number {
  const unpack = unpackers[width];
  if (width < 1 || !unpack || dict.length < 1 << width) bad(`no unpacker for ${width} bits`);
  const stop = at + n;
  const mask = (1 << width) - 1;
  const bytes = (width + 7) >> 3;
  let over = 0;
  while (at < stop) {
    cursor.pos = pos;
    const header = runHeader(buf, cursor, end, width);
    pos = cursor.pos;
    if (header % 2 === 1) {
      const groups = Math.floor(header / 2);
      const runEnd = pos + groups * width;
      const count = Math.min(groups * 8, stop - at);
      const full = count >>> 3;
      over |= unpack(buf, pos, dict, last, out, at, full);
      at += full * 8;
      // The values of a last partial group (each group is within its run: `runHeader` checked).
      let p = pos + full * width;
      let acc = 0;
      let bits = 0;
      for (let k = full * 8; k < count; k++) {
        while (bits < width) {
          acc |= buf[p++]! << bits;
          bits += 8;
        }
        const c = acc & mask;
        out[at++] = dict[c]!;
        over |= last - c;
        acc >>>= width;
        bits -= width;
      }
      pos = runEnd;
    } else {
      const count = Math.floor(header / 2);
      let c = 0;
      for (let k = 0; k < bytes; k++) c |= buf[pos++]! << (8 * k);
      c &= mask;
      const e = Math.min(stop, at + count);
      if (e > at) {
        out.fill(dict[c]!, at, e);
        over |= last - c;
      }
      at = e;
    }
  }
  return over;
}

/**
 * Plain values of a page (or a dictionary page), `n` of them, as an engine column (`int32`: a
 * decimal's physical type is INT32).
 */
export function plainValues(buf: Uint8Array, pos: number, end: number, type: DataType, n: number, int32: boolean): Vec {
  if (isDecimal(type)) {
    const width = int32 ? 4 : 8;
    if (pos + width * n > end) bad(`plain ${int32 ? 'INT32' : 'INT64'} decimals past the end of their page`);
    const words = new Int32Array(buf.slice(pos, pos + width * n).buffer);
    return { type, values: longsFromWords(words, n, int32 ? 1 : 2), validity: null };
  }
  switch (type) {
    case 'int32':
    case 'date': {
      if (pos + 4 * n > end) bad('plain INT32 values past the end of their page');
      return { type, values: new Int32Array(buf.slice(pos, pos + 4 * n).buffer), validity: null };
    }
    case 'int64':
      if (pos + 8 * n > end) bad('plain INT64 values past the end of their page');
      return { type, values: new BigInt64Array(buf.slice(pos, pos + 8 * n).buffer), validity: null };
    case 'float64':
      if (pos + 8 * n > end) bad('plain DOUBLE values past the end of their page');
      return { type, values: new Float64Array(buf.slice(pos, pos + 8 * n).buffer), validity: null };
    case 'interval':
      if (pos + 12 * n > end) bad('plain INTERVAL values past the end of their page');
      return opaqueVec('interval', intervalData(buf, pos, n));
    default: {
      // BYTE_ARRAY: a 4-byte length before each value
      const offsets = new Int32Array(n + 1);
      let p = pos;
      let total = 0;
      for (let i = 0; i < n; i++) {
        if (p + 4 > end) bad('plain BYTE_ARRAY value past the end of its page');
        const len = buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24);
        p += 4 + len;
        total += len;
        offsets[i + 1] = total;
      }
      if (p > end) bad('plain BYTE_ARRAY value past the end of its page');
      const data = new Uint8Array(total);
      p = pos;
      for (let i = 0; i < n; i++) {
        const len = offsets[i + 1]! - offsets[i]!;
        p += 4;
        if (len <= 16) for (let k = 0, o = offsets[i]!; k < len; k++) data[o + k] = buf[p + k]!;
        else data.set(buf.subarray(p, p + len), offsets[i]!);
        p += len;
      }
      return { type: type as 'string' | 'binary', offsets, data, validity: null };
    }
  }
}

type PageReader = { view: DataView; offset: number };

export const pageReader = (bytes: Uint8Array): PageReader => ({
  view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  offset: 0,
});

/** The next page of a chunk: its header and its (compressed) body. */
export function nextPage(reader: PageReader, bytes: Uint8Array): [PageHeader, Uint8Array] {
  const header = parquetHeader(reader);
  const size = header.compressed_page_size;
  if (!(size >= 0 && header.uncompressed_page_size >= 0 && reader.offset + size <= bytes.length))
    bad(`page header with sizes ${size}/${header.uncompressed_page_size} outside its column chunk`);
  const body = bytes.subarray(reader.offset, reader.offset + size);
  reader.offset += size;
  return [header, body];
}

/** The values of a dictionary page. */
export function dictionaryValues(
  body: Uint8Array,
  header: PageHeader,
  codec: string,
  type: DataType,
  int32: boolean,
): Vec {
  const n = header.dictionary_page_header!.num_values;
  const buf = inflate(codec, body, header.uncompressed_page_size);
  return plainValues(buf, 0, buf.length, type, n, int32);
}

/**
 * The dictionary of a column chunk (its first page), with a null appended: entry `size` is the
 * code `decodeChunk` and `decodeChunkAt` give null rows. Null when the chunk has no dictionary.
 */
export function chunkDictionary(bytes: Uint8Array, e: SchemaElement, m: ColumnMetaData, type: DataType): Vec | null {
  if (!bytes.length) return null;
  const [header, body] = nextPage(pageReader(bytes), bytes);
  if (header.type !== 'DICTIONARY_PAGE') return null;
  return withNullEntry(dictionaryValues(body, header, m.codec, type, e.type === 'INT32'));
}

/**
 * Codes at the value indexes `at` (ascending; -1: a null row, given code `size`) of an RLE /
 * bit-packed hybrid run sequence of `count` values of `width` bits from `pos`, into `out`.
 * Runs before a wanted value are skipped by their headers; a code past the dictionary's `size`
 * is an error.
 */
export function hybridAt(
  buf: Uint8Array,
  pos: number,
  width: number,
  at: Int32Array,
  count: number,
  size: number,
  out: Int32Array,
): void {
  const n = at.length;
  const end = buf.length;
  const view = viewOf(buf);
  if (width > 32) bad(`dictionary codes of ${width} bits`);
  const bytes = (width + 7) >> 3;
  const mask = width >= 32 ? -1 : (1 << width) - 1;
  let base = 0; // value index at the start of the next run
  let j = 0;
  while (j < n) {
    if (at[j]! < 0) {
      out[j++] = size;
      continue;
    }
    if (width === 0) {
      if (at[j]! >= count) bad('dictionary code past the end of its page');
      out[j++] = 0;
      continue;
    }
    cursor.pos = pos;
    const header = runHeader(buf, cursor, end, width);
    pos = cursor.pos;
    if (header % 2 === 1) {
      const runEnd = pos + Math.floor(header / 2) * width;
      const stop = base + Math.floor(header / 2) * 8;
      for (; j < n && at[j]! < stop; j++) {
        const v = at[j]!;
        if (v < 0) {
          out[j] = size;
          continue;
        }
        const bit = (v - base) * width;
        const p = pos + (bit >>> 3);
        const s = bit & 7;
        let c: number;
        if (width + s <= 32) {
          const w =
            p + 4 <= end
              ? view.getUint32(p, true)
              : buf[p]! | ((buf[p + 1] ?? 0) << 8) | ((buf[p + 2] ?? 0) << 16) | ((buf[p + 3] ?? 0) << 24);
          c = (w >>> s) & mask;
        } else {
          const w = (buf[p]! | (buf[p + 1]! << 8) | (buf[p + 2]! << 16) | (buf[p + 3]! << 24)) >>> 0;
          c = (Math.floor((w + buf[p + 4]! * 2 ** 32) / 2 ** s) % 2 ** width) | 0;
        }
        if (c < 0 || c >= size) bad(`dictionary code ${c} past its dictionary of ${size}`);
        out[j] = c;
      }
      pos = runEnd;
      base = stop;
    } else {
      const stop = base + Math.floor(header / 2);
      let c = 0;
      for (let q = 0; q < bytes; q++) c |= buf[pos++]! << (8 * q);
      c &= mask;
      for (; j < n && at[j]! < stop; j++) {
        if (at[j]! < 0) out[j] = size;
        else if (c < 0 || c >= size) bad(`dictionary code ${c} past its dictionary of ${size}`);
        else out[j] = c;
      }
      base = stop;
    }
  }
}
