/**
 * Conversions between Arrow (tables, record batches, IPC bytes) and engine batches.
 * Zero-copy where Arrow's layout matches ours (int64 included: BigInt64Array both sides); unsigned
 * 32-bit integers widen to int64; decimals are unscaled integers inside and Decimal128 outside,
 * but in shuffle files, where short decimals travel as 8 bytes a value with no conversion: their
 * exact doubles (Float64) when known, else their int64 unscaled values (Int64), read back by
 * the schema's type (`shuffleForm`).
 * Columns of opaque types (lists, structs, maps, uuids, …) stay Arrow data, named by
 * operators/arrowTypes.ts.
 */
import * as arrow from 'apache-arrow';
import { ExecutionError } from '../planner/errors.js';
import type { DataType, Schema } from '../planner/types.js';
import {
  decimalParts,
  decimalType,
  field,
  isDecimal,
  isOpaque,
  isSmallNumber,
  MAX_DECIMAL_PRECISION,
  MAX_SHORT_DECIMAL,
  type SmallNumberType,
  storageType,
} from '../planner/types.js';
import { arrowFieldOfName, arrowFieldTypeName, arrowTypeName, arrowTypeOfName, withNestedUuids } from './arrowTypes.js';
import {
  type DecimalArray,
  decimalToDouble,
  decimalVecOfDoubles,
  EXACT_LIMIT,
  knownDoubles,
  longsFromWords,
} from './decimal.js';
import { dataBuffers, withValidityData } from './opaque.js';
import type { Batch, DecimalVec, Int64Vec, Vec } from './vector.js';
import { isBytesVec, isDecimalVec, isOpaqueVec, isValid, newValidity, opaqueVec, setValid, take } from './vector.js';
import { temporalArrowType, temporalEngineType, temporalFromArrow, temporalToArrow } from './time/arrowTypes.js';

const identity = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

/** The engine type of an Arrow field type, or undefined when unsupported. */
function engineType(t: arrow.DataType): DataType | undefined {
  switch (t.typeId) {
    case arrow.Type.Bool:
      return 'bool';
    case arrow.Type.Int:
    case arrow.Type.Float:
      // int8…uint32, float32, float64; uint64 and float16 have no engine type and pass through (opaque).
      return arrowTypeName(t) as DataType;
    case arrow.Type.Binary:
    case arrow.Type.LargeBinary:
      return 'binary';
    case arrow.Type.Decimal: {
      const { precision, scale } = t as arrow.Decimal;
      return precision >= 1 && precision <= MAX_DECIMAL_PRECISION ? decimalType(precision, scale) : undefined;
    }
    case arrow.Type.Utf8:
    case arrow.Type.LargeUtf8:
      return 'string';
    case arrow.Type.Date:
      return 'date';
    case arrow.Type.Dictionary:
      return engineType((t as arrow.Dictionary).dictionary);
    default: {
      const temporal = temporalEngineType(t);
      if (temporal) return temporal;
      const name = arrowTypeName(t);
      return isOpaque(name) ? name : undefined;
    }
  }
}

function schemaFromArrow(s: arrow.Schema): Schema {
  return s.fields.map((f) => {
    const t = arrowFieldTypeName(f) === 'uuid' ? 'uuid' : engineType(f.type);
    if (!t)
      throw new ExecutionError('UNSUPPORTED_TYPE', `column '${f.name}' has unsupported type ${f.type}`, {
        column: f.name,
      });
    return field(f.name, t, f.nullable);
  });
}

function validityOf(d: arrow.Data): Uint8Array | null {
  if (!d.nullBitmap || d.nullCount === 0 || d.nullBitmap.length === 0) return null;
  if (d.offset % 8 === 0) return d.nullBitmap.subarray(d.offset >> 3);
  const out = newValidity(d.length);
  for (let i = 0; i < d.length; i++) {
    const j = d.offset + i;
    if ((d.nullBitmap[j >> 3]! & (1 << (j & 7))) === 0) setValid(out, i, false);
  }
  return out;
}

/**
 * One Arrow Data chunk → one engine column of type `type`; `shuffleForm`: the data is a shuffle
 * file's, where a short decimal may be Float64 (exact doubles) or Int64 (unscaled values).
 */
export function vecFromArrowData(d: arrow.Data, type: DataType, shuffleForm = false): Vec {
  if (isOpaque(type)) return opaqueVec(type, withNestedUuids(d, type));
  const validity = validityOf(d);
  const t = d.type;
  if (shuffleForm && isDecimal(type) && (t.typeId === arrow.Type.Float || t.typeId === arrow.Type.Int))
    return shuffleDecimalVec(d, type, validity);
  switch (t.typeId) {
    case arrow.Type.Dictionary: {
      const dict = vecFromArrowData(d.dictionary!.data[0]!, type);
      const codes = d.values as Int32Array | Uint32Array | Int8Array | Int16Array | Uint8Array | Uint16Array;
      const sel = new Int32Array(d.length);
      for (let i = 0; i < d.length; i++) sel[i] = codes[i]!;
      return withValidity(takeDict(dict, sel), validity);
    }
    case arrow.Type.Utf8:
    case arrow.Type.Binary:
      return {
        type: type === 'binary' ? 'binary' : 'string',
        offsets: (d.valueOffsets as Int32Array).subarray(0, d.length + 1),
        data: d.values as Uint8Array,
        validity,
      };
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary: {
      const big = d.valueOffsets as unknown as BigInt64Array;
      const offsets = new Int32Array(d.length + 1);
      for (let i = 0; i <= d.length; i++) offsets[i] = Number(big[i]);
      return { type: type === 'binary' ? 'binary' : 'string', offsets, data: d.values as Uint8Array, validity };
    }
    case arrow.Type.Bool: {
      const out = new Uint8Array(d.length);
      const bits = d.values as Uint8Array;
      for (let i = 0; i < d.length; i++) {
        const j = d.offset + i;
        out[i] = (bits[j >> 3]! >> (j & 7)) & 1;
      }
      return { type: 'bool', values: out, validity };
    }
    case arrow.Type.Date: {
      if ((t as arrow.Date_).unit === arrow.DateUnit.DAY)
        return { type: 'date', values: (d.values as Int32Array).subarray(0, d.length), validity };
      const ms = d.values as unknown as BigInt64Array;
      const out = new Int32Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = Math.floor(Number(ms[i]) / 86_400_000);
      return { type: 'date', values: out, validity };
    }
    case arrow.Type.Timestamp:
    case arrow.Type.Time:
      return temporalFromArrow(d, type, validity);
    case arrow.Type.Decimal: {
      const dt = t as arrow.Decimal;
      const words = d.values as Uint32Array;
      const values = decimalsFromWords(words, dt.bitWidth / 32, d.length, type);
      if (isDecimal(type)) return { type, values, validity };
      // A decimal file column read as a double (another file of the dataset has the wider type).
      const out = new Float64Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = decimalToDouble(values[i]!, dt.scale);
      return { type: 'float64', values: out, validity };
    }
    case arrow.Type.Int:
    case arrow.Type.Float: {
      const src = d.values as ArrayLike<number | bigint>;
      const store = storageType(type);
      if (store === 'int64') {
        if (src instanceof BigInt64Array) return { type: 'int64', values: src.subarray(0, d.length), validity };
        if (src instanceof BigUint64Array) {
          const out = new BigInt64Array(d.length);
          for (let i = 0; i < d.length; i++) {
            const x = src[i]!;
            if (x > 0x7fffffffffffffffn && isValid(validity, i))
              throw new ExecutionError('UNSUPPORTED_TYPE', `uint64 value ${x} does not fit in int64`);
            out[i] = BigInt.asIntN(64, x);
          }
          return { type: 'int64', values: out, validity };
        }
        const out = new BigInt64Array(d.length);
        for (let i = 0; i < d.length; i++) out[i] = BigInt(src[i] as number);
        return { type: 'int64', values: out, validity };
      }
      if (store === 'int32' || store === 'date') {
        if (src instanceof Int32Array) return { type: store, values: src.subarray(0, d.length), validity };
        const out = new Int32Array(d.length);
        for (let i = 0; i < d.length; i++) out[i] = Number(src[i]);
        return { type: store, values: out, validity };
      }
      if (src instanceof Float64Array) return { type: 'float64', values: src.subarray(0, d.length), validity };
      const out = new Float64Array(d.length);
      for (let i = 0; i < d.length; i++) out[i] = Number(src[i]);
      return { type: 'float64', values: out, validity };
    }
    default:
      throw new ExecutionError('UNSUPPORTED_TYPE', `unsupported Arrow type ${t}`);
  }
}

/** A decimal column of a shuffle file in 8 bytes a value (see ShuffleDecimal): lazy over its doubles, or its int64 values. */
function shuffleDecimalVec(d: arrow.Data, type: DecimalVec['type'], validity: Uint8Array | null): Vec {
  if (d.type.typeId === arrow.Type.Int)
    return { type, values: (d.values as BigInt64Array).subarray(0, d.length), validity };
  const doubles = (d.values as Float64Array).subarray(0, d.length);
  return decimalVecOfDoubles(type, doubles, absMax(doubles), validity);
}

/**
 * The greatest |x| of `doubles`. Its own function, the loop its last statement: in
 * shuffleDecimalVec, V8 compiled the loop on stack before the call after it had run, and that
 * code deoptimized on later batches (Q18 at SF10: 12 a run, in the final aggregate's shuffle read).
 */
function absMax(doubles: Float64Array): number {
  let max = 0;
  for (let i = 0; i < doubles.length; i++) {
    const a = Math.abs(doubles[i]!);
    if (a > max) max = a;
  }
  return max;
}

/**
 * How a column travels in a shuffle stream when that differs from outside: a decimal as its
 * exact doubles when every batch's are known (lazy columns, remembered values), else a short one
 * (and a wide one held in int64 in every batch) as its int64 unscaled values; both 8 bytes a
 * value and views of what the column holds (Decimal128 words would be 16, built value by value).
 * Undefined for other columns (wide decimals held as BigInts stay Decimal128).
 */
type ShuffleDecimal = 'doubles' | 'longs' | undefined;

function shuffleDecimal(t: DataType, i: number, batches: readonly Batch[]): ShuffleDecimal {
  if (!isDecimal(t)) return undefined;
  if (batches.every((b) => (knownDoubles(b.columns[i] as DecimalVec)?.max ?? EXACT_LIMIT) < EXACT_LIMIT))
    return 'doubles';
  // A wide decimal (a sum's partial state) travels so too while every value fits in 64 bits.
  if (decimalParts(t).precision <= MAX_SHORT_DECIMAL) return 'longs';
  return batches.every((b) => (b.columns[i] as DecimalVec).values instanceof BigInt64Array) ? 'longs' : undefined;
}

/** A decimal column in its 8-byte shuffle form. */
function shuffleDecimalData(v: DecimalVec, length: number, form: 'doubles' | 'longs'): arrow.Data {
  const nullBitmap = v.validity ?? undefined;
  if (form === 'longs')
    return arrow.makeData({ type: new arrow.Int64(), length, data: v.values as BigInt64Array, nullBitmap });
  const data = knownDoubles(v)!.doubles.subarray(0, length);
  return arrow.makeData({ type: new arrow.Float64(), length, data, nullBitmap });
}

function withValidity(v: Vec, validity: Uint8Array | null): Vec {
  return validity ? ({ ...v, validity } as Vec) : v;
}

/** Dictionary codes → values (the codes' validity is applied by the caller). */
function takeDict(dict: Vec, sel: Int32Array): Vec {
  return take({ ...dict, validity: null } as Vec, sel);
}

/**
 * Arrow decimal words (little endian, `stride` 32-bit words a value) as unscaled values: a
 * BigInt64Array for short decimals (the low 64 bits, which hold the whole value) and for wide
 * ones whose values all fit in 64 bits (operators/decimal.ts allows it), BigInts else.
 */
function decimalsFromWords(words: Uint32Array, stride: number, n: number, type: DataType): DecimalArray {
  if (stride === 4 && isDecimal(type)) {
    const w = new Int32Array(words.buffer, words.byteOffset, 4 * n);
    // Short decimals always fit in 64 bits; wide ones (sums' states of decimal(p + 10, s)) too, mostly.
    if (decimalParts(type).precision <= MAX_SHORT_DECIMAL || fitInt64(w, n)) return longsFromWords(w, n, 4);
  }
  const out = new Array<bigint>(n);
  for (let i = 0; i < n; i++) {
    let v = 0n;
    for (let k = stride - 1; k >= 0; k--) v = (v << 32n) | BigInt(words[i * stride + k]!);
    out[i] = BigInt.asIntN(32 * stride, v);
  }
  return out;
}

/** Whether every Decimal128 value (4 words each) fits in 64 bits: its high words are the sign of its low ones. */
function fitInt64(w: Int32Array, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const sign = w[4 * i + 1]! >> 31;
    if (w[4 * i + 2] !== sign || w[4 * i + 3] !== sign) return false;
  }
  return true;
}

/** Unscaled values as Arrow Decimal128 words (two's complement, 16 bytes a value). */
function decimalWords(values: DecimalArray, n: number): Uint32Array {
  if (values instanceof BigInt64Array) {
    // Word by word, the high 64 bits the sign of the low (no BigInt per value).
    const from = new Int32Array(values.buffer, values.byteOffset, 2 * n);
    const to = new Int32Array(4 * n);
    for (let i = 0; i < n; i++) {
      const hi = from[2 * i + 1]!;
      to[4 * i] = from[2 * i]!;
      to[4 * i + 1] = hi;
      to[4 * i + 2] = to[4 * i + 3] = hi >> 31;
    }
    return new Uint32Array(to.buffer);
  }
  const longs = new BigInt64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    longs[2 * i] = BigInt.asIntN(64, v);
    longs[2 * i + 1] = v >> 64n;
  }
  return new Uint32Array(longs.buffer);
}

/** An Arrow table → engine batches (one per record batch), typed by `schema` when given (`shuffleForm`: a shuffle file's). */
export function batchesFromArrow(table: arrow.Table, schema?: Schema, shuffleForm = false): Batch[] {
  const s = schema ?? schemaFromArrow(table.schema);
  const names = table.schema.fields.map((f) => f.name);
  // Same names in the same order (our own files, where names may repeat): by position.
  const positional = names.length === s.length && s.every((f, i) => f.name === names[i]);
  const index = new Map(names.map((n, i) => [n, i]));
  return table.batches.map((rb) => ({
    schema: s,
    length: rb.numRows,
    columns: s.map((f, at) => {
      const i = positional ? at : index.get(f.name);
      if (i === undefined)
        throw new ExecutionError('MISSING_COLUMN', `column '${f.name}' missing from Arrow data`, { column: f.name });
      return vecFromArrowData(rb.getChildAt(i)!.data[0]!, f.type, shuffleForm);
    }),
  }));
}

function arrowTypeOf(t: DataType): arrow.DataType {
  if (isDecimal(t)) {
    const { precision, scale } = decimalParts(t);
    return new arrow.Decimal(scale, precision, 128);
  }
  const temporal = temporalArrowType(t);
  if (temporal) return temporal;
  if (isOpaque(t)) return arrowFieldOfName('item', t).type;
  if (isSmallNumber(t)) return arrowTypeOfName(t);
  switch (t) {
    case 'bool':
      return new arrow.Bool();
    case 'int32':
      return new arrow.Int32();
    case 'int64':
      return new arrow.Int64();
    case 'float64':
      return new arrow.Float64();
    case 'string':
      return new arrow.Utf8();
    case 'binary':
      return new arrow.Binary();
    case 'date':
      return new arrow.DateDay();
    default:
      throw new ExecutionError('UNSUPPORTED_TYPE', `no Arrow type for ${t}`, { type: t });
  }
}

/** One engine column as Arrow data of the schema's type `type` (timestamps and times are int64 vectors). */
export function arrowData(v: Vec, length: number, type: DataType): arrow.Data {
  if (isOpaqueVec(v)) return withValidityData(v.arrow, v.validity);
  if (isSmallNumber(type)) return smallNumberData(v, length, type);
  if (v.type === 'int64' && type !== 'int64') return temporalToArrow(v as Int64Vec, type, length);
  const nullBitmap = v.validity ?? undefined;
  if (isDecimalVec(v))
    return arrow.makeData({
      type: arrowTypeOf(v.type) as arrow.Decimal,
      length,
      data: decimalWords(v.values, length),
      nullBitmap,
    });
  switch (v.type) {
    case 'string':
      return arrow.makeData({ type: new arrow.Utf8(), length, valueOffsets: v.offsets, data: v.data, nullBitmap });
    case 'binary':
      return arrow.makeData({ type: new arrow.Binary(), length, valueOffsets: v.offsets, data: v.data, nullBitmap });
    case 'bool': {
      const bits = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++) if (v.values[i]) bits[i >> 3]! |= 1 << (i & 7);
      return arrow.makeData({ type: new arrow.Bool(), length, data: bits, nullBitmap });
    }
    case 'int64':
      return arrow.makeData({ type: new arrow.Int64(), length, data: v.values, nullBitmap });
    case 'float64':
      return arrow.makeData({ type: new arrow.Float64(), length, data: v.values, nullBitmap });
    case 'int32':
      return arrow.makeData({ type: new arrow.Int32(), length, data: v.values, nullBitmap });
    case 'date':
      return arrow.makeData({ type: new arrow.DateDay(), length, data: v.values, nullBitmap });
  }
}

/** A narrow number column (int8…uint32, float32) as Arrow data of its own width. */
function smallNumberData(v: Vec, length: number, type: SmallNumberType): arrow.Data {
  const t = arrowTypeOf(type) as arrow.Int | arrow.Float;
  const src = (v as Extract<Vec, { type: 'int32' | 'int64' | 'float64' }>).values;
  const out = new t.ArrayType(length) as Int8Array | Int16Array | Uint8Array | Uint16Array | Uint32Array | Float32Array;
  for (let i = 0; i < length; i++) out[i] = Number(src[i]!);
  return arrow.makeData({ type: t, length, data: out, nullBitmap: v.validity ?? undefined } as never);
}

/** Engine batches → an Arrow table (user-facing results, Parquet writes and shuffle files alike; `shuffleForm` for the latter). */
export function batchesToArrow(schema: Schema, batches: readonly Batch[], shuffleForm = false): arrow.Table {
  const forms = schema.map((f, i) => (shuffleForm ? shuffleDecimal(f.type, i, batches) : undefined));
  const fields = schema.map((f, i) => {
    const form = forms[i];
    if (form) return new arrow.Field(f.name, form === 'doubles' ? new arrow.Float64() : new arrow.Int64(), true);
    if (!isOpaque(f.type)) return new arrow.Field(f.name, arrowTypeOf(f.type), true);
    // An opaque column keeps the Arrow type its data came with (child names and all).
    const named = arrowFieldOfName(f.name, f.type);
    const data = (batches.find((b) => b.length > 0) ?? batches[0])?.columns[i];
    const type = data && isOpaqueVec(data) ? data.arrow.type : named.type;
    return new arrow.Field(f.name, type, true, named.metadata);
  });
  const aschema = new arrow.Schema(fields);
  // arrow-js cannot write one buffer twice into a stream: a column that appears twice (select a,
  // a AS b), or shares a buffer with another (a + 1 keeps a's validity), in any batch, is copied.
  const seen = new Set<unknown>();
  const rbs = batches.map((b) => {
    const children = schema.map((_, i) => {
      let v = b.columns[i]!;
      const form = forms[i];
      const buffers = (x: Vec): unknown[] =>
        isBytesVec(x)
          ? [x.data, x.offsets, x.validity]
          : isOpaqueVec(x)
            ? [...dataBuffers(x.arrow), x.validity]
            : form === 'doubles'
              ? [knownDoubles(x as DecimalVec)!.doubles, x.validity]
              : [x.values, x.validity];
      if (buffers(v).some((x) => x && seen.has(x))) v = take(v, identity(b.length));
      for (const x of buffers(v)) if (x) seen.add(x);
      return form ? shuffleDecimalData(v as DecimalVec, b.length, form) : arrowData(v, b.length, schema[i]!.type);
    });
    const data = arrow.makeData({ type: new arrow.Struct(fields), length: b.length, children, nullCount: 0 });
    return new arrow.RecordBatch(aschema, data);
  });
  return new arrow.Table(aschema, rbs);
}

export function encodeIpc(schema: Schema, batches: readonly Batch[]): Uint8Array {
  return Buffer.concat(encodeIpcChunks(schema, batches));
}

/** Collects what an Arrow IPC writer writes, chunk by chunk, instead of queueing it for a reader. */
class ChunkSink extends arrow.AsyncByteQueue {
  readonly chunks: Uint8Array[] = [];
  override write(chunk: Uint8Array): void {
    if (chunk.byteLength) this.chunks.push(chunk);
  }
}

/**
 * An Arrow IPC stream of the batches as the chunks that follow each other in it: message headers
 * and padding, and the columns' own buffers (views, not copies) — `encodeIpc` without the joined
 * copy, for writers that store the chunks as they are.
 */
export function encodeIpcChunks(schema: Schema, batches: readonly Batch[], shuffleForm = false): Uint8Array[] {
  const sink = new ChunkSink();
  const writer = new arrow.RecordBatchStreamWriter();
  writer.reset(sink);
  writer.write(batchesToArrow(schema, batches, shuffleForm));
  writer.finish();
  return sink.chunks;
}

/** The batches of one or more Arrow IPC streams back to back (a shuffle partition has a stream per flush). */
export function decodeIpc(bytes: Uint8Array, schema: Schema, shuffleForm = false): Batch[] {
  const out: Batch[] = [];
  for (const reader of arrow.RecordBatchReader.readAll(bytes)) {
    const rbs = [...reader];
    if (rbs.length)
      out.push(...batchesFromArrow(new arrow.Table(rbs), schema, shuffleForm).filter((b) => b.length > 0));
  }
  return out;
}
