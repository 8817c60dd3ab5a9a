/**
 * Parquet INTERVAL values (FIXED_LEN_BYTE_ARRAY(12): months, days, milliseconds, each an
 * unsigned little-endian int32) ↔ the engine's interval column, Arrow IntervalMonthDayNano
 * data (months, days and nanoseconds, the milliseconds × 10^6). parquet-wasm decodes INTERVAL
 * without its months, so the scan decodes such columns itself (operators/parquetPages.ts) and the
 * writer hands parquet-wasm the 12 raw bytes, annotated INTERVAL afterwards (parquetAnnotate.ts).
 */
import * as arrow from 'apache-arrow';
import { ExecutionError } from '../planner/errors.js';

/** Arrow interval data of `n` 12-byte Parquet values starting at `pos` of `buf`. */
export function intervalData(buf: Uint8Array, pos: number, n: number): arrow.Data {
  const src = new DataView(buf.buffer, buf.byteOffset + pos, 12 * n);
  const out = new Int32Array(4 * n);
  for (let i = 0; i < n; i++) {
    const ms = src.getUint32(12 * i + 8, true);
    const nanos = BigInt(ms) * 1_000_000n;
    out[4 * i] = src.getInt32(12 * i, true);
    out[4 * i + 1] = src.getInt32(12 * i + 4, true);
    out[4 * i + 2] = Number(BigInt.asIntN(32, nanos));
    out[4 * i + 3] = Number(BigInt.asIntN(32, nanos >> 32n));
  }
  return arrow.makeData({ type: new arrow.IntervalMonthDayNano(), length: n, data: out });
}

/** Interval data as the 12 bytes Parquet stores per value (a FixedSizeBinary(12), same validity). */
export function intervalBytes(d: arrow.Data, column: string): arrow.Data {
  const src = d.values as Int32Array;
  const out = new Uint8Array(12 * d.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < d.length; i++) {
    const j = 4 * (d.offset + i);
    const nanos = (BigInt(src[j + 3]!) << 32n) | BigInt(src[j + 2]! >>> 0);
    if (nanos % 1_000_000n !== 0n || nanos < 0n || nanos >= 2n ** 32n * 1_000_000n)
      throw new ExecutionError(
        'UNWRITABLE_VALUE',
        `column '${column}' holds an interval of ${nanos} ns, which Parquet's INTERVAL (whole milliseconds, unsigned 32-bit) cannot hold`,
        { column },
      );
    view.setInt32(12 * i, src[j]!, true);
    view.setInt32(12 * i + 4, src[j + 1]!, true);
    view.setUint32(12 * i + 8, Number(nanos / 1_000_000n), true);
  }
  return arrow.makeData({
    type: new arrow.FixedSizeBinary(12),
    length: d.length,
    nullCount: d.nullCount,
    nullBitmap: d.nullCount ? d.nullBitmap : undefined,
    data: out,
  });
}

/** One interval value (an Arrow MonthDayNano row: months, days, nanoseconds) in JSON form. */
export function intervalJson(v: Int32Array): { months: number; days: number; micros: number | string } {
  const nanos = (BigInt(v[3]!) << 32n) | BigInt(v[2]! >>> 0);
  const micros = nanos / 1000n;
  return { months: v[0]!, days: v[1]!, micros: Number.isSafeInteger(Number(micros)) ? Number(micros) : String(micros) };
}
