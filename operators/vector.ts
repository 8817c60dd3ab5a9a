/**
 * Columnar batches over typed arrays: the unit every operator consumes and produces.
 *
 * A `Vec` is one column: int32 and dates (days) in Int32Array, float64 in Float64Array, int64 in
 * BigInt64Array (exact over its whole range; kernels wrap to 64 bits as Spark does), decimals as
 * unscaled integers (./decimal.ts), booleans one byte per value, strings (UTF-8) and binaries as
 * Arrow-style offsets + bytes. Columns the engine never computes on (opaque types: lists,
 * structs, maps, uuids, …) keep their Arrow data, moved by operators/opaque.ts. Validity is an
 * Arrow bitmap (bit i set = value i present) or null when there are no nulls.
 */
import * as arrow from 'apache-arrow';
import { InternalError } from '../planner/errors.js';
import { temporalUnits } from '../planner/time.js';
import type { DataType, DecimalType, Field, OpaqueType, Schema } from '../planner/types.js';
import { decimalParts, isDecimal, isOpaque, isTemporal, storageType } from '../planner/types.js';
import { arrowFieldOfName } from './arrowTypes.js';
import {
  concatDecimalDoubles,
  type DecimalArray,
  decimalArray,
  decimalLength,
  formatDecimal,
  takeDecimalDoubles,
  toUnscaled,
} from './decimal.js';
import { concatData, nullData, takeData, validityBits } from './opaque.js';

export type Vec =
  | { readonly type: 'int32' | 'date'; readonly values: Int32Array; readonly validity: Uint8Array | null }
  | { readonly type: 'float64'; readonly values: Float64Array; readonly validity: Uint8Array | null }
  | { readonly type: 'int64'; readonly values: BigInt64Array; readonly validity: Uint8Array | null }
  | { readonly type: 'bool'; readonly values: Uint8Array; readonly validity: Uint8Array | null }
  | { readonly type: DecimalType; readonly values: DecimalArray; readonly validity: Uint8Array | null }
  | {
      readonly type: 'string' | 'binary';
      readonly offsets: Int32Array;
      readonly data: Uint8Array;
      readonly validity: Uint8Array | null;
    }
  | {
      readonly type: OpaqueType;
      /** The column as Arrow data; `validity` is derived from it (`opaqueVec`). */
      readonly arrow: arrow.Data;
      readonly validity: Uint8Array | null;
    };

/** Strings and binaries: offsets + bytes. */
export type BytesVec = Extract<Vec, { offsets: Int32Array }>;
export type OpaqueVec = Extract<Vec, { arrow: arrow.Data }>;

export const isBytesVec = (v: Vec): v is BytesVec => v.type === 'string' || v.type === 'binary';
export const isOpaqueVec = (v: Vec): v is OpaqueVec => isOpaque(v.type);

/** An opaque column over Arrow data (its validity read from the data). */
export function opaqueVec(type: OpaqueType, data: arrow.Data): OpaqueVec {
  return { type, arrow: data, validity: validityBits(data) };
}

/** The Arrow type an opaque column of this type is built with when it has no data yet. */
const arrowTypeFor = (type: OpaqueType) => arrowFieldOfName('item', type).type;

export type NumVec = Extract<Vec, { values: Int32Array | Float64Array }>;
/** Columns of one number per row as a JS number: int32, date, float64 and bool. */
export type SmallVec = Extract<Vec, { values: Int32Array | Float64Array | Uint8Array }>;
export type Int64Vec = Extract<Vec, { type: 'int64' }>;
export type DecimalVec = Extract<Vec, { type: DecimalType }>;

export function isDecimalVec(v: Vec): v is DecimalVec {
  return isDecimal(v.type);
}

/** The values of a typed column array (int64 as BigInt64Array, decimals as DecimalArray). */
export type ValueArray = Int32Array | Float64Array | BigInt64Array | Uint8Array | bigint[];

/** Every int64 as two int32 words (low, high), little endian: a view on the same memory. */
export function int64Words(values: BigInt64Array): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.length * 2);
}

/** A JS value as an int64 (BigInt) when it is an integer in range; null otherwise. */
export function toInt64(x: unknown): bigint | null {
  if (typeof x === 'bigint') return BigInt.asIntN(64, x) === x ? x : null;
  if (typeof x === 'number') return Number.isInteger(x) && Math.abs(x) <= 2 ** 63 ? BigInt.asIntN(64, BigInt(x)) : null;
  if (typeof x === 'string' && /^[+-]?\d+$/.test(x.trim())) return toInt64(BigInt(x.trim()));
  return null;
}

export interface Batch {
  readonly schema: Schema;
  readonly columns: readonly Vec[];
  readonly length: number;
}

export function vecLength(v: Vec): number {
  if (isBytesVec(v)) return v.offsets.length - 1;
  if (isOpaqueVec(v)) return v.arrow.length;
  if (isDecimalVec(v)) return decimalLength(v);
  return v.values.length;
}

export function isValid(validity: Uint8Array | null, i: number): boolean {
  return validity === null || (validity[i >> 3]! & (1 << (i & 7))) !== 0;
}

/** The least and greatest valid value among the first n (min > max when none is valid). */
export function int32Range(values: Int32Array, validity: Uint8Array | null, n: number): [min: number, max: number] {
  let min = 2147483647;
  let max = -2147483648;
  for (let i = 0; i < n; i++) {
    if (validity && !isValid(validity, i)) continue;
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  return [min, max];
}

export function newValidity(n: number, allValid = true): Uint8Array {
  return new Uint8Array((n + 7) >> 3).fill(allValid ? 0xff : 0);
}

export function setValid(validity: Uint8Array, i: number, valid: boolean): void {
  if (valid) validity[i >> 3]! |= 1 << (i & 7);
  else validity[i >> 3]! &= ~(1 << (i & 7));
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function stringAt(v: BytesVec, i: number): string {
  return decoder.decode(v.data.subarray(v.offsets[i]!, v.offsets[i + 1]!));
}

/** Bytes as a string of one char per byte: ordered as the bytes, JSON-safe (binary keys), and back. */
export function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) s += String.fromCharCode(...b.subarray(i, i + 4096));
  return s;
}
export const fromLatin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** The bytes of row i of a string or binary column (a view). */
export function bytesAt(v: BytesVec, i: number): Uint8Array {
  return v.data.subarray(v.offsets[i]!, v.offsets[i + 1]!);
}

/**
 * The JS value at row i (for tests, show() and row-wise user code; never in hot loops). int64 is
 * a BigInt, a binary a Uint8Array, an opaque value Arrow's JS value (array, struct row, …).
 */
export function valueAt(v: Vec, i: number): unknown {
  if (!isValid(v.validity, i)) return null;
  if (isDecimalVec(v)) return formatDecimal(v.values[i]!, decimalParts(v.type).scale);
  if (isOpaqueVec(v)) return new arrow.Vector([v.arrow]).get(i);
  switch (v.type) {
    case 'string':
      return stringAt(v, i);
    case 'binary':
      return bytesAt(v, i).slice();
    case 'bool':
      return v.values[i] !== 0;
    default:
      return v.values[i]!;
  }
}

export function typedArrayFor(type: 'int64', n: number): BigInt64Array;
export function typedArrayFor(
  type: 'int32' | 'date' | 'bool' | 'float64' | 'string',
  n: number,
): Int32Array | Float64Array | Uint8Array;
export function typedArrayFor(type: DataType, n: number): ValueArray;
export function typedArrayFor(type: DataType, n: number): ValueArray {
  if (isDecimal(type)) return decimalArray(type, n);
  switch (storageType(type)) {
    case 'int32':
    case 'date':
      return new Int32Array(n);
    case 'bool':
      return new Uint8Array(n);
    case 'int64':
      return new BigInt64Array(n);
    default:
      if (isOpaque(type) || type === 'binary')
        throw new InternalError('NO_TYPED_ARRAY', `a ${type} column has no typed array of values`);
      return new Float64Array(n);
  }
}

/**
 * Build a column from JS values (nulls allowed). Timestamps and times take counts of their unit
 * (BigInts or integers), Dates, or text ('2024-01-01 12:00:00', an instant with its offset).
 */
export function vecFromValues(t: DataType, values: readonly unknown[]): Vec {
  if (isTemporal(t)) values = values.map((x) => (x == null ? x : temporalUnits(x, t)));
  const type = storageType(t);
  const n = values.length;
  const validity = newValidity(n);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (values[i] === null || values[i] === undefined) {
      setValid(validity, i, false);
      nulls++;
    }
  }
  const vbits = nulls ? validity : null;
  if (isOpaque(type)) {
    if (nulls === n) return opaqueVec(type, nullData(arrowTypeFor(type), n));
    return opaqueVec(type, arrow.vectorFromArray(values as unknown[], arrowTypeFor(type) as never).data[0]!);
  }
  if (type === 'string' || type === 'binary') {
    const parts = values.map((x) =>
      x == null ? new Uint8Array(0) : x instanceof Uint8Array ? x : encoder.encode(String(x)),
    );
    const offsets = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i]! + parts[i]!.length;
    const data = new Uint8Array(offsets[n]!);
    for (let i = 0; i < n; i++) data.set(parts[i]!, offsets[i]!);
    return { type, offsets, data, validity: vbits };
  }
  if (isDecimal(type)) {
    const arr = decimalArray(type, n);
    const { scale } = decimalParts(type);
    for (let i = 0; i < n; i++) {
      const x = values[i];
      if (x == null) continue;
      const v = toUnscaled(x, scale);
      if (v === null) throw new TypeError(`${String(x)} is not a ${type} value`);
      arr[i] = v;
    }
    return { type, values: arr, validity: vbits };
  }
  if (type === 'int64') {
    const arr = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const x = values[i];
      if (x == null) continue;
      const v = toInt64(x);
      if (v === null) throw new TypeError(`${String(x)} is not an int64 value`);
      arr[i] = v;
    }
    return { type, values: arr, validity: vbits };
  }
  const arr = typedArrayFor(type, n);
  for (let i = 0; i < n; i++) {
    const x = values[i];
    if (x == null) continue;
    arr[i] = typeof x === 'boolean' ? (x ? 1 : 0) : typeof x === 'bigint' ? Number(x) : (x as number);
  }
  return { type, values: arr, validity: vbits } as Vec;
}

/** Gather rows by index (a selection vector). */
/** Whether a selection is mostly long runs of consecutive rows (a filter that keeps most rows). */
function mostlyRuns(sel: Int32Array): boolean {
  const n = sel.length;
  if (n < 64) return false;
  let breaks = 0;
  for (let i = 1; i < n; i++) if (sel[i] !== sel[i - 1]! + 1 && ++breaks * 8 > n) return false;
  return true;
}

/** Gather by copying runs of consecutive rows as blocks. */
function takeRuns(v: Vec, sel: Int32Array, validity: Uint8Array | null): Vec {
  const n = sel.length;
  if (isOpaqueVec(v)) return opaqueVec(v.type, takeData(v.arrow, sel));
  // Short decimals whose exact doubles are known: those copied run by run (operators/decimal.ts).
  const doubles = isDecimalVec(v) ? takeDecimalDoubles(v, sel, validity, (d) => copyRuns(d, sel)) : null;
  if (doubles) return doubles;
  if (isBytesVec(v)) {
    const so = v.offsets;
    const offsets = new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += so[sel[i]! + 1]! - so[sel[i]!]!;
      offsets[i + 1] = total;
    }
    const data = new Uint8Array(total);
    for (let i = 0; i < n; ) {
      let j = i + 1;
      while (j < n && sel[j] === sel[j - 1]! + 1) j++;
      data.set(v.data.subarray(so[sel[i]!]!, so[sel[j - 1]! + 1]!), offsets[i]!);
      i = j;
    }
    return { type: v.type, offsets, data, validity };
  }
  const src = v.values;
  if (Array.isArray(src)) return { type: v.type, values: Array.from(sel, (r) => src[r]!), validity } as Vec;
  return { type: v.type, values: copyRuns(src, sel), validity } as Vec;
}

/** Rows `sel` of a typed array, runs of consecutive rows copied as blocks. */
function copyRuns<T extends Int32Array | Float64Array | BigInt64Array | Uint8Array>(src: T, sel: Int32Array): T {
  const n = sel.length;
  const out = new (src.constructor as Int32ArrayConstructor)(n) as unknown as T;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && sel[j] === sel[j - 1]! + 1) j++;
    out.set(src.subarray(sel[i]!, sel[j - 1]! + 1) as never, i);
    i = j;
  }
  return out;
}

export function take(v: Vec, sel: Int32Array): Vec {
  const n = sel.length;
  if (isOpaqueVec(v)) return opaqueVec(v.type, takeData(v.arrow, sel));
  let validity: Uint8Array | null = null;
  if (v.validity) {
    validity = newValidity(n);
    for (let i = 0; i < n; i++) if (!isValid(v.validity, sel[i]!)) setValid(validity, i, false);
  }
  if (mostlyRuns(sel)) return takeRuns(v, sel, validity);
  const doubles = isDecimalVec(v) ? takeDecimalDoubles(v, sel, validity) : null;
  if (doubles) return doubles;
  if (isBytesVec(v)) {
    const offsets = new Int32Array(n + 1);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      total += v.offsets[r + 1]! - v.offsets[r]!;
      offsets[i + 1] = total;
    }
    const data = new Uint8Array(total);
    const src = v.data;
    const so = v.offsets;
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      const s = so[r]!;
      const e = so[r + 1]!;
      let o = offsets[i]!;
      // Short strings (flags, codes, names) copy faster byte by byte than through subarray/set.
      if (e - s <= 32) for (let k = s; k < e; k++) data[o++] = src[k]!;
      else data.set(src.subarray(s, e), o);
    }
    return { type: v.type, offsets, data, validity };
  }
  const src = v.values;
  const out = new (src.constructor as Int32ArrayConstructor)(n) as typeof src;
  for (let i = 0; i < n; i++) out[i] = src[sel[i]!]!;
  return { type: v.type, values: out, validity } as Vec;
}

function takeValidity(v: Vec, sel: Int32Array): Uint8Array | null {
  if (!v.validity) return null;
  const out = newValidity(sel.length);
  for (let i = 0; i < sel.length; i++) if (!isValid(v.validity, sel[i]!)) setValid(out, i, false);
  return out;
}

/** Gather rows where index -1 gives a null (outer joins). */
export function takeOrNull(v: Vec, sel: Int32Array): Vec {
  const n = sel.length;
  if (isOpaqueVec(v)) return opaqueVec(v.type, takeData(v.arrow, sel));
  let any = false;
  for (let i = 0; i < n; i++)
    if (sel[i]! < 0) {
      any = true;
      break;
    }
  if (!any) return take(v, sel);
  const safe = new Int32Array(n);
  for (let i = 0; i < n; i++) safe[i] = Math.max(sel[i]!, 0);
  const len = vecLength(v);
  const out = len ? take(v, safe) : vecFromValues(v.type, new Array(n).fill(null));
  const validity = out.validity ? out.validity.slice() : newValidity(n);
  for (let i = 0; i < n; i++) if (sel[i]! < 0) setValid(validity, i, false);
  if (isBytesVec(out) && !len) return out;
  return { ...out, validity } as Vec;
}

/**
 * Late materialization: rows of a column not gathered yet — `source` at rows `sel` (-1: null).
 * A deferred batch holds such columns behind getters: a column is gathered the first time it is
 * read, and only then, so the columns no later operator reads (a join's key columns, those a
 * projection drops) are never gathered. Selecting rows of a deferred batch composes the
 * selections (one pass per source, shared by its columns) instead of gathering its columns.
 */
export interface PendingRows {
  readonly source: Vec;
  readonly sel: Int32Array;
}

const PENDING = Symbol('pending');
type DeferredColumns = Vec[] & { [PENDING]?: (PendingRows | null)[] };

const isPending = (c: Vec | PendingRows): c is PendingRows => 'source' in c;

/** A batch whose columns are plain or pending (gathered when first read). */
export function deferredBatch(schema: Schema, length: number, parts: readonly (Vec | PendingRows)[]): Batch {
  const pending = parts.map((p) => (isPending(p) ? p : null));
  const columns = new Array(parts.length) as DeferredColumns;
  parts.forEach((p, i) => {
    if (!isPending(p)) {
      columns[i] = p;
      return;
    }
    Object.defineProperty(columns, i, {
      enumerable: true,
      configurable: true,
      get() {
        const v = takeOrNull(pending[i]!.source, pending[i]!.sel);
        pending[i] = null; // the source may go once every column of it is gathered
        Object.defineProperty(columns, i, { value: v, enumerable: true, configurable: true, writable: false });
        return v;
      },
    });
  });
  Object.defineProperty(columns, PENDING, { value: pending });
  return { schema, length, columns };
}

/** Rows `sel` of column i of b (-1: null), without gathering it; `cache` shares compositions between columns. */
export function pendingRows(b: Batch, i: number, sel: Int32Array, cache?: Map<Int32Array, Int32Array>): PendingRows {
  const p = (b.columns as DeferredColumns)[PENDING]?.[i];
  if (!p) return { source: b.columns[i]!, sel };
  let composed = cache?.get(p.sel);
  if (!composed) {
    const inner = p.sel;
    composed = new Int32Array(sel.length);
    for (let k = 0; k < sel.length; k++) {
      const r = sel[k]!;
      composed[k] = r < 0 ? -1 : inner[r]!;
    }
    cache?.set(p.sel, composed);
  }
  return { source: p.source, sel: composed };
}

/** Rows `sel` (-1: null) of column i of b, gathered once from where its values are. */
export function gatherColumn(b: Batch, i: number, sel: Int32Array): Vec {
  const p = pendingRows(b, i, sel);
  return takeOrNull(p.source, p.sel);
}

/** Rows `sel` of b as a deferred batch (nothing gathered yet). */
export function selectRows(b: Batch, sel: Int32Array): Batch {
  const cache = new Map<Int32Array, Int32Array>();
  const parts: PendingRows[] = [];
  for (let i = 0; i < b.columns.length; i++) parts.push(pendingRows(b, i, sel, cache));
  return deferredBatch(b.schema, sel.length, parts);
}

/** Every column of a batch gathered (a plain batch). */
export function gatherAll(b: Batch): Batch {
  if (!(b.columns as DeferredColumns)[PENDING]) return b;
  return { schema: b.schema, length: b.length, columns: Array.from(b.columns) };
}

export function takeBatch(b: Batch, sel: Int32Array): Batch {
  if ((b.columns as DeferredColumns)[PENDING]) return gatherAll(selectRows(b, sel));
  if (b.columns.length > 1 && mostlyRuns(sel)) {
    // Decide once per batch, not per column.
    return {
      schema: b.schema,
      columns: b.columns.map((c) => takeRuns(c, sel, takeValidity(c, sel))),
      length: sel.length,
    };
  }
  return { schema: b.schema, columns: b.columns.map((c) => take(c, sel)), length: sel.length };
}

export function sliceBatch(b: Batch, start: number, end: number): Batch {
  const n = Math.max(0, Math.min(end, b.length) - start);
  const sel = new Int32Array(n);
  for (let i = 0; i < n; i++) sel[i] = start + i;
  return takeBatch(b, sel);
}

/** Concatenate columns of one type. */
export function concatVecs(t: DataType, vs: readonly Vec[]): Vec {
  const type = storageType(t);
  if (isOpaque(type))
    return vs.length ? opaqueVec(type, concatData(vs.map((v) => (v as OpaqueVec).arrow))) : vecFromValues(type, []);
  const lengths = vs.map(vecLength);
  const n = lengths.reduce((a, b) => a + b, 0);
  let validity: Uint8Array | null = null;
  if (vs.some((v) => v.validity)) {
    validity = newValidity(n);
    let base = 0;
    vs.forEach((v, k) => {
      if (v.validity)
        for (let i = 0; i < lengths[k]!; i++) if (!isValid(v.validity, i)) setValid(validity!, base + i, false);
      base += lengths[k]!;
    });
  }
  // Short decimals whose exact doubles are known: those concatenated (operators/decimal.ts).
  const doubles = isDecimal(type) ? concatDecimalDoubles(type, vs as DecimalVec[], n, validity) : null;
  if (doubles) return doubles;
  if (type === 'string' || type === 'binary') {
    const ss = vs as BytesVec[];
    const bytes = ss.reduce((a, v) => a + (v.offsets[v.offsets.length - 1]! - v.offsets[0]!), 0);
    const offsets = new Int32Array(n + 1);
    const data = new Uint8Array(bytes);
    let row = 0;
    let pos = 0;
    for (const v of ss) {
      const m = v.offsets.length - 1;
      const start = v.offsets[0]!;
      for (let i = 0; i < m; i++) offsets[row + i + 1] = pos + (v.offsets[i + 1]! - start);
      data.set(v.data.subarray(start, v.offsets[m]!), pos);
      pos += v.offsets[m]! - start;
      row += m;
    }
    return { type, offsets, data, validity };
  }
  const out = typedArrayFor(type, n);
  let base = 0;
  for (const v of vs as Extract<Vec, { values: unknown }>[]) {
    if (Array.isArray(out)) for (let i = 0; i < v.values.length; i++) out[base + i] = v.values[i] as bigint;
    else out.set(v.values as never, base);
    base += v.values.length;
  }
  return { type, values: out, validity } as Vec;
}

export function concatBatches(schema: Schema, bs: readonly Batch[]): Batch {
  if (bs.length === 1) return bs[0]!;
  const length = bs.reduce((a, b) => a + b.length, 0);
  return {
    schema,
    columns: schema.map((f, i) =>
      concatVecs(
        f.type,
        bs.map((b) => b.columns[i]!),
      ),
    ),
    length,
  };
}

export function emptyBatch(schema: Schema): Batch {
  return { schema, columns: schema.map((f) => vecFromValues(f.type, [])), length: 0 };
}

export function batchRows(b: Batch): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < b.length; i++) {
    const r: Record<string, unknown> = {};
    b.schema.forEach((f: Field, c) => {
      r[f.name] = valueAt(b.columns[c]!, i);
    });
    rows.push(r);
  }
  return rows;
}
