/**
 * The lines a byte range of a text file owns: every line that starts at an offset in
 * [start, end). A range that does not start the file skips the partial line it begins in (the
 * previous range finishes it); its last line runs past `end` to its line break, fetched with
 * further ranged reads. Consecutive ranges thus read every line exactly once, whatever the
 * boundaries. Line breaks are '\n' (a '\r' before it belongs to the break).
 */
import type { RangeReader } from './parquet.js';

/** The owned lines, as bytes, and the file offset of their first byte. */
export interface TextSlice {
  readonly bytes: Uint8Array;
  readonly offset: number;
}

const NL = 10;
const EXTRA = 64 << 10;

/** The bytes of the lines starting in [start, end) of a file (whole lines, breaks included). */
export async function readLines(r: RangeReader, start: number, end: number): Promise<TextSlice> {
  if (start >= end) return { bytes: new Uint8Array(0), offset: start };
  // From one byte before the start: a line starts at `start` only if that byte is a break.
  const from = start > 0 ? start - 1 : 0;
  let stop = Math.min(r.size, end + EXTRA);
  let buf = await r.read(from, stop);
  let begin = 0;
  if (start > 0) {
    const nl = buf.indexOf(NL);
    if (nl < 0 || from + nl + 1 >= end) return { bytes: new Uint8Array(0), offset: end };
    begin = nl + 1;
  }
  // The last owned line ends at the first break at or after offset end - 1.
  let last = buf.indexOf(NL, Math.max(begin, end - 1 - from));
  let grow = EXTRA;
  while (last < 0 && stop < r.size) {
    grow *= 2;
    const more = await r.read(stop, Math.min(r.size, stop + grow));
    const joined = new Uint8Array(buf.length + more.length);
    joined.set(buf);
    joined.set(more, buf.length);
    const searchFrom = buf.length;
    buf = joined;
    stop += more.length;
    last = buf.indexOf(NL, searchFrom);
  }
  const to = last < 0 ? buf.length : last + 1;
  return { bytes: buf.subarray(begin, to), offset: from + begin };
}
