/**
 * Columns the engine carries but never computes on (lists, structs, maps, uuids, …) stay Arrow
 * data of any layout. Operators move their rows with three layout-generic kernels: gather rows
 * (index -1 = null, for outer joins), concatenate chunks, and build an all-null column.
 *
 * Arrow JS convention: `values` and `valueOffsets` start at the data's first row; the validity
 * bitmap and boolean bits are indexed from `offset`; list children are indexed by the offsets,
 * struct and fixed-size-list children start at the first row.
 */
import * as arrow from 'apache-arrow';
import { InternalError } from '../planner/errors.js';

type Offsets = Int32Array | BigInt64Array;

const bitAt = (bits: Uint8Array, i: number) => (bits[i >> 3]! >> (i & 7)) & 1;

/** Whether row i of d is valid. */
function validAt(d: arrow.Data, i: number): boolean {
  if (d.typeId === arrow.Type.Null) return false;
  return !d.nullBitmap || d.nullBitmap.length === 0 || bitAt(d.nullBitmap, d.offset + i) === 1;
}

/** Validity of the gathered rows (null where sel is -1), or undefined when all are valid. */
function gatherValidity(d: arrow.Data, sel: Int32Array): { bitmap: Uint8Array | undefined; nulls: number } {
  const n = sel.length;
  const bitmap = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const r = sel[i]!;
    if (r >= 0 && validAt(d, r)) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return { bitmap: nulls ? bitmap : undefined, nulls };
}

const offsetAt = (o: Offsets, i: number) => Number(o[i]!);

/** Layouts of `stride` words per row in `values` (dictionaries: their codes), moved alike. */
const FIXED_WIDTH: ReadonlySet<arrow.Type> = new Set([
  arrow.Type.Int,
  arrow.Type.Float,
  arrow.Type.Date,
  arrow.Type.Time,
  arrow.Type.Timestamp,
  arrow.Type.Interval,
  arrow.Type.Duration,
  arrow.Type.Decimal,
  arrow.Type.FixedSizeBinary,
  arrow.Type.Dictionary,
]);

/** Child row ranges of the selected list rows, as new offsets and the child selection. */
function gatherRanges(offsets: Offsets, sel: Int32Array, large: boolean): { offsets: Offsets; childSel: Int32Array } {
  const n = sel.length;
  const out = large ? new BigInt64Array(n + 1) : new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const r = sel[i]!;
    if (r >= 0) total += offsetAt(offsets, r + 1) - offsetAt(offsets, r);
    out[i + 1] = (large ? BigInt(total) : total) as never;
  }
  const childSel = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < n; i++) {
    const r = sel[i]!;
    if (r < 0) continue;
    for (let j = offsetAt(offsets, r); j < offsetAt(offsets, r + 1); j++) childSel[k++] = j;
  }
  return { offsets: out, childSel };
}

/** The rows of `d` at `sel` (an index of -1 gives a null), as new Arrow data of the same type. */
export function takeData(d: arrow.Data, sel: Int32Array): arrow.Data {
  const n = sel.length;
  const type = d.type;
  const { bitmap: nullBitmap, nulls: nullCount } = gatherValidity(d, sel);
  if (FIXED_WIDTH.has(type.typeId)) {
    const src = d.values as unknown as Int32Array;
    const stride = d.stride;
    const out = new (src.constructor as Int32ArrayConstructor)(n * stride);
    for (let i = 0; i < n; i++) {
      const r = sel[i]!;
      if (r < 0) continue;
      if (stride === 1) out[i] = src[r]!;
      else out.set(src.subarray(r * stride, r * stride + stride), i * stride);
    }
    return arrow.makeData({ type, length: n, nullCount, nullBitmap, data: out, dictionary: d.dictionary } as never);
  }
  switch (type.typeId) {
    case arrow.Type.Null:
      return arrow.makeData({ type, length: n, nullCount: n });
    case arrow.Type.Bool: {
      const bits = new Uint8Array((n + 7) >> 3);
      const src = d.values as Uint8Array;
      for (let i = 0; i < n; i++) if (sel[i]! >= 0 && bitAt(src, d.offset + sel[i]!)) bits[i >> 3]! |= 1 << (i & 7);
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, data: bits } as never);
    }
    case arrow.Type.Utf8:
    case arrow.Type.Binary:
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary: {
      const large = type.typeId === arrow.Type.LargeUtf8 || type.typeId === arrow.Type.LargeBinary;
      const { offsets, childSel } = gatherRanges(d.valueOffsets as Offsets, sel, large);
      const src = d.values as Uint8Array;
      const data = new Uint8Array(childSel.length);
      for (let k = 0; k < childSel.length; k++) data[k] = src[childSel[k]!]!;
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, valueOffsets: offsets, data } as never);
    }
    case arrow.Type.List:
    case arrow.Type.LargeList:
    case arrow.Type.Map: {
      const large = type.typeId === arrow.Type.LargeList;
      const { offsets, childSel } = gatherRanges(d.valueOffsets as Offsets, sel, large);
      const child = takeData(d.children[0]!, childSel);
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, valueOffsets: offsets, child } as never);
    }
    case arrow.Type.FixedSizeList: {
      const size = (type as arrow.FixedSizeList).listSize;
      const childSel = new Int32Array(n * size);
      for (let i = 0; i < n; i++)
        for (let k = 0; k < size; k++) childSel[i * size + k] = sel[i]! < 0 ? -1 : sel[i]! * size + k;
      const child = takeData(d.children[0]!, childSel);
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, child } as never);
    }
    case arrow.Type.Struct: {
      const children = d.children.map((c) => takeData(c, sel));
      return arrow.makeData({ type, length: n, nullCount, nullBitmap, children } as never);
    }
    default:
      throw new InternalError('UNSUPPORTED_LAYOUT', `cannot move rows of Arrow type ${type}`, { type: String(type) });
  }
}

/** One Arrow data of the chunks' rows in order (the chunks share one type). */
export function concatData(chunks: readonly arrow.Data[]): arrow.Data {
  if (chunks.length === 1) return chunks[0]!;
  // Each chunk is first gathered whole, so every piece starts at its first row and value.
  return joinPieces(
    chunks.map((d) =>
      takeData(
        d,
        Int32Array.from({ length: d.length }, (_, i) => i),
      ),
    ),
  );
}

/** Join gathered (offset 0, exactly sized) pieces of one type. */
function joinPieces(pieces: readonly arrow.Data[]): arrow.Data {
  const first = pieces[0];
  if (!first) throw new InternalError('EMPTY_CONCAT', 'nothing to concatenate');
  const type = first.type;
  const length = pieces.reduce((a, d) => a + d.length, 0);
  const nullCount = pieces.reduce((a, d) => a + d.nullCount, 0);
  let nullBitmap: Uint8Array | undefined;
  if (nullCount) {
    nullBitmap = new Uint8Array((length + 7) >> 3);
    let at = 0;
    for (const d of pieces) {
      for (let i = 0; i < d.length; i++) if (validAt(d, i)) nullBitmap[(at + i) >> 3]! |= 1 << ((at + i) & 7);
      at += d.length;
    }
  }
  const joinValues = (stride: number) => {
    const ctor = (first.values as Int32Array).constructor as Int32ArrayConstructor;
    const out = new ctor(length * stride);
    let at = 0;
    for (const d of pieces) {
      out.set((d.values as Int32Array).subarray(0, d.length * stride), at);
      at += d.length * stride;
    }
    return out;
  };
  const joinOffsets = (large: boolean) => {
    const out = large ? new BigInt64Array(length + 1) : new Int32Array(length + 1);
    let row = 0;
    let base = 0;
    for (const d of pieces) {
      const o = d.valueOffsets as Offsets;
      for (let i = 1; i <= d.length; i++)
        out[row + i] = (large ? BigInt(base + offsetAt(o, i)) : base + offsetAt(o, i)) as never;
      row += d.length;
      base += offsetAt(o, d.length);
    }
    return out;
  };
  if (FIXED_WIDTH.has(type.typeId)) {
    if (type.typeId === arrow.Type.Dictionary && pieces.some((d) => d.dictionary !== first.dictionary))
      throw new InternalError(
        'UNSUPPORTED_LAYOUT',
        'cannot concatenate dictionary columns with different dictionaries',
      );
    const data = joinValues(first.stride);
    return arrow.makeData({ type, length, nullCount, nullBitmap, data, dictionary: first.dictionary } as never);
  }
  switch (type.typeId) {
    case arrow.Type.Null:
      return arrow.makeData({ type, length, nullCount: length });
    case arrow.Type.Bool: {
      const bits = new Uint8Array((length + 7) >> 3);
      let at = 0;
      for (const d of pieces) {
        for (let i = 0; i < d.length; i++)
          if (bitAt(d.values as Uint8Array, i)) bits[(at + i) >> 3]! |= 1 << ((at + i) & 7);
        at += d.length;
      }
      return arrow.makeData({ type, length, nullCount, nullBitmap, data: bits } as never);
    }
    case arrow.Type.Utf8:
    case arrow.Type.Binary:
    case arrow.Type.LargeUtf8:
    case arrow.Type.LargeBinary: {
      const large = type.typeId === arrow.Type.LargeUtf8 || type.typeId === arrow.Type.LargeBinary;
      const valueOffsets = joinOffsets(large);
      const data = new Uint8Array(offsetAt(valueOffsets, length));
      let at = 0;
      for (const d of pieces) {
        const bytes = (d.values as Uint8Array).subarray(0, offsetAt(d.valueOffsets as Offsets, d.length));
        data.set(bytes, at);
        at += bytes.length;
      }
      return arrow.makeData({ type, length, nullCount, nullBitmap, valueOffsets, data } as never);
    }
    case arrow.Type.List:
    case arrow.Type.LargeList:
    case arrow.Type.Map: {
      const valueOffsets = joinOffsets(type.typeId === arrow.Type.LargeList);
      const child = joinPieces(pieces.map((d) => d.children[0]!));
      return arrow.makeData({ type, length, nullCount, nullBitmap, valueOffsets, child } as never);
    }
    case arrow.Type.FixedSizeList: {
      const child = joinPieces(pieces.map((d) => d.children[0]!));
      return arrow.makeData({ type, length, nullCount, nullBitmap, child } as never);
    }
    case arrow.Type.Struct: {
      const children = type.children.map((_: arrow.Field, k: number) => joinPieces(pieces.map((d) => d.children[k]!)));
      return arrow.makeData({ type, length, nullCount, nullBitmap, children } as never);
    }
    default:
      throw new InternalError('UNSUPPORTED_LAYOUT', `cannot concatenate Arrow type ${type}`, { type: String(type) });
  }
}

/** An all-null column of `n` rows of an Arrow type. */
export function nullData(type: arrow.DataType, n: number): arrow.Data {
  const empty = arrow.makeBuilder({ type }).flush();
  return takeData(empty, new Int32Array(n).fill(-1));
}

/** Validity of Arrow data as an engine bitmap starting at its first row (null when all valid). */
export function validityBits(d: arrow.Data): Uint8Array | null {
  if (d.typeId !== arrow.Type.Null && (!d.nullBitmap || d.nullBitmap.length === 0 || d.nullCount === 0)) return null;
  const out = new Uint8Array((d.length + 7) >> 3);
  for (let i = 0; i < d.length; i++) if (validAt(d, i)) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/**
 * Arrow data with its validity replaced by an engine bitmap (null = all valid): an operator that
 * nulls rows of a column (outer joins) may hand back its own bitmap.
 */
export function withValidityData(d: arrow.Data, validity: Uint8Array | null): arrow.Data {
  if (d.typeId === arrow.Type.Null) return d;
  const base =
    d.offset === 0
      ? d
      : takeData(
          d,
          Int32Array.from({ length: d.length }, (_, i) => i),
        );
  let nulls = 0;
  if (validity) for (let i = 0; i < base.length; i++) if (!bitAt(validity, i)) nulls++;
  const buffers = [base.valueOffsets, base.values, nulls ? validity : undefined, base.typeIds];
  return base.clone(base.type, 0, base.length, nulls, buffers as never, base.children);
}

/** Every buffer of Arrow data and its children (to tell whether two columns share one). */
export function dataBuffers(d: arrow.Data): unknown[] {
  return [d.values, d.valueOffsets, d.nullBitmap, d.typeIds, ...d.children.flatMap(dataBuffers)].filter(
    (b) => b !== undefined && b !== null && (b as Uint8Array).byteLength > 0,
  );
}
