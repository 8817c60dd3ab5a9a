/**
 * Raw snappy decompression of Parquet pages: hysnappy's WebAssembly decompressor, with our JS
 * decoder as the fallback (both refuse the same corrupt blocks), and the page inflation the page
 * decoder (parquetPages.ts) calls.
 */
import { snappyUncompressor } from 'hysnappy';
import { ExecutionError } from '../planner/errors.js';

/** A corrupt page or block: the error every Parquet decoding step throws. */
export function corruptParquet(what: string): never {
  throw new ExecutionError('CORRUPT_PARQUET', what);
}

/** The length a raw snappy block declares (its leading varint) and where its body starts. */
function snappyLength(src: Uint8Array): [size: number, pos: number] {
  let pos = 0;
  let size = 0;
  let shift = 0;
  let b: number;
  do {
    b = src[pos++] ?? corruptParquet('snappy block without its length');
    size += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [size, pos];
}

/**
 * Raw snappy decompression of `src` into `out` (exactly its size): literals and back-references.
 * The fallback where hysnappy's WebAssembly decoder cannot load (`unsnappyInto`).
 */
export function unsnappy(src: Uint8Array, out: Uint8Array): void {
  const n = src.length;
  const [size, start] = snappyLength(src);
  let pos = start;
  if (size !== out.length) corruptParquet(`snappy block of ${size} bytes where its page header says ${out.length}`);
  let o = 0;
  while (pos < n) {
    const c = src[pos++]!;
    const tag = c & 3;
    if (tag === 0) {
      let len = c >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        len = 0;
        for (let k = 0; k < bytes; k++) len += src[pos++]! * 2 ** (8 * k);
      }
      len += 1;
      if (pos + len > n || o + len > size) corruptParquet('snappy literal past the end of its block');
      if (len < 32) for (let k = 0; k < len; k++) out[o + k] = src[pos + k]!;
      else out.set(src.subarray(pos, pos + len), o);
      pos += len;
      o += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (tag === 1) {
      len = ((c >>> 2) & 7) + 4;
      offset = ((c >>> 5) << 8) | src[pos++]!;
    } else if (tag === 2) {
      len = (c >>> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else {
      len = (c >>> 2) + 1;
      offset = (src[pos]! | (src[pos + 1]! << 8) | (src[pos + 2]! << 16) | (src[pos + 3]! << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > o || o + len > size) corruptParquet('snappy copy outside its block');
    if (offset >= len && len >= 32) out.copyWithin(o, o - offset, o - offset + len);
    else for (let k = 0; k < len; k++) out[o + k] = out[o - offset + k]!;
    o += len;
  }
  if (o !== size) corruptParquet(`snappy block decompressed to ${o} bytes, not ${size}`);
}

type Uncompress = (src: Uint8Array, size: number) => Uint8Array;

/**
 * hysnappy's decompressor (C compiled to WebAssembly, inlined in its JS: the same on every
 * platform), ~2.5× our JS loop on lineitem's pages; null where WebAssembly cannot load it.
 */
let wasmSnappy: Uncompress | null | undefined;

function loadWasmSnappy(): Uncompress | null {
  try {
    return snappyUncompressor();
  } catch {
    return null;
  }
}

/** Raw snappy decompression of a page of `size` bytes (a fresh array, or `fallback`'s memory for the JS decoder). */
export function unsnappyPage(src: Uint8Array, size: number, fallback: (size: number) => Uint8Array): Uint8Array {
  if (wasmSnappy === undefined) wasmSnappy = loadWasmSnappy();
  if (wasmSnappy === null) {
    const out = fallback(size);
    unsnappy(src, out);
    return out;
  }
  const [declared] = snappyLength(src);
  if (declared !== size) corruptParquet(`snappy block of ${declared} bytes where its page header says ${size}`);
  try {
    return wasmSnappy(src, size);
  } catch (e) {
    return corruptParquet(`snappy block cannot be decompressed (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** Page bytes after decompression. */
export function inflate(codec: string, src: Uint8Array, size: number): Uint8Array {
  if (codec === 'UNCOMPRESSED') return src;
  return unsnappyPage(src, size, reusedPage);
}

/** The JS decoder's output: one buffer reused for every page (a page's values are copied out before the next is read). */
function reusedPage(size: number): Uint8Array {
  if (pageBuffer.length < size) pageBuffer = new Uint8Array(Math.max(size, pageBuffer.length * 2));
  return pageBuffer.subarray(0, size);
}

let pageBuffer = new Uint8Array(1 << 16);
