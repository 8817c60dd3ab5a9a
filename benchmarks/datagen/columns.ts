/**
 * Column builders over preallocated typed arrays, and their zero-copy hand-off to Arrow `Data`.
 * Strings are built straight into UTF-8 offsets + bytes: no per-row strings or objects.
 */
import { DateDay, Float64, Int32, Utf8, makeData, type Data } from 'apache-arrow';

const encoder = new TextEncoder();

/** ASCII/UTF-8 bytes of a string. */
export function bytesOf(s: string): Uint8Array {
  return encoder.encode(s);
}

/** UTF-8 bytes of every word of a list, for `StringColumn.append`. */
export function bytesOfAll(words: readonly string[]): Uint8Array[] {
  return words.map(bytesOf);
}

/** An Arrow Utf8 column under construction: write a row's bytes, then `commit()`. */
export class StringColumn {
  readonly offsets: Int32Array;
  readonly bytes: Uint8Array;
  length = 0;
  pos = 0;

  /** `maxRowBytes` bounds every row; the buffers never grow. */
  constructor(rows: number, maxRowBytes: number) {
    this.offsets = new Int32Array(rows + 1);
    this.bytes = new Uint8Array(Math.max(1, rows * maxRowBytes));
  }

  /** Appends bytes to the current row. */
  put(src: Uint8Array): this {
    this.bytes.set(src, this.pos);
    this.pos += src.length;
    return this;
  }

  /** Appends `len` bytes of `src` from `start` to the current row (a loop: rows are short). */
  putRange(src: Uint8Array, start: number, len: number): this {
    const out = this.bytes;
    let p = this.pos;
    for (let i = start, end = start + len; i < end; i++) out[p++] = src[i]!;
    this.pos = p;
    return this;
  }

  putByte(b: number): this {
    this.bytes[this.pos++] = b;
    return this;
  }

  /** Appends `value` (a non-negative integer) in decimal, zero-padded to `width` digits. */
  putDigits(value: number, width: number): this {
    const out = this.bytes;
    let v = value;
    let digits = 1;
    for (let t = Math.floor(v / 10); t > 0; t = Math.floor(t / 10)) digits++;
    const n = Math.max(width, digits);
    for (let i = this.pos + n - 1; i >= this.pos; i--) {
      out[i] = 48 + (v % 10);
      v = Math.floor(v / 10);
    }
    this.pos += n;
    return this;
  }

  /** Ends the current row. */
  commit(): void {
    this.offsets[++this.length] = this.pos;
  }

  /** A whole row in one call. */
  push(src: Uint8Array): void {
    this.put(src).commit();
  }

  finish(): Data<Utf8> {
    return makeData({
      type: new Utf8(),
      length: this.length,
      nullCount: 0,
      valueOffsets: this.offsets.subarray(0, this.length + 1),
      data: this.bytes.subarray(0, this.pos),
    });
  }
}

export function int32Data(values: Int32Array, length: number): Data<Int32> {
  return makeData({ type: new Int32(), length, nullCount: 0, data: values.subarray(0, length) });
}

export function float64Data(values: Float64Array, length: number): Data<Float64> {
  return makeData({ type: new Float64(), length, nullCount: 0, data: values.subarray(0, length) });
}

/** Days since the epoch → Arrow Date32 (Parquet DATE). */
export function dateData(days: Int32Array, length: number): Data<DateDay> {
  return makeData({ type: new DateDay(), length, nullCount: 0, data: days.subarray(0, length) });
}
