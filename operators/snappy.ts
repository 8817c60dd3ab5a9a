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

/** The decompressor's WebAssembly exports: `uncompress(in, inLength, out)` returns 0 or an error code. */
interface SnappyExports {
  readonly memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  readonly uncompress: (input: number, inputLength: number, output: number) => number;
}

/** The WebAssembly namespace's constructor of instances (not in the compiler's lib here). */
type InstanceConstructor = new (module: unknown, imports?: unknown) => { readonly exports: Record<string, unknown> };
const webAssembly = (globalThis as unknown as { WebAssembly?: { Instance: InstanceConstructor } }).WebAssembly;

/**
 * hysnappy's decompressor (C compiled to WebAssembly, inlined in its JS: the same on every
 * platform), ~2.5× our JS loop on lineitem's pages; null where WebAssembly cannot load it.
 * Its JS wrapper copies each page out of WebAssembly memory into a fresh array (as much CPU as
 * the decompression, with the page faults of a new buffer), so we keep the instance it creates
 * (caught as it is constructed: hysnappy exports only the wrapper) and call its `uncompress`
 * ourselves, reading the page where it was written.
 */
let wasmSnappy: SnappyExports | null | undefined;

function loadWasmSnappy(): SnappyExports | null {
  if (!webAssembly) return null;
  const Instance = webAssembly.Instance;
  let exports: Record<string, unknown> | undefined;
  try {
    // A constructor (not an arrow function): hysnappy calls it with `new`.
    webAssembly.Instance = class extends Instance {
      constructor(module: unknown, imports?: unknown) {
        super(module, imports);
        exports = this.exports;
      }
    };
    snappyUncompressor();
  } catch {
    return null;
  } finally {
    webAssembly.Instance = Instance;
  }
  const memory = exports?.memory as SnappyExports['memory'] | undefined;
  const uncompress = exports?.uncompress;
  if (!(memory?.buffer instanceof ArrayBuffer) || typeof uncompress !== 'function') return null;
  return { memory, uncompress: uncompress as SnappyExports['uncompress'] };
}

/** Which decoder inflates pages here (tests). */
export function snappyDecoder(): 'wasm' | 'js' {
  return wasmDecoder() ? 'wasm' : 'js';
}

function wasmDecoder(): SnappyExports | null {
  if (wasmSnappy === undefined) wasmSnappy = loadWasmSnappy();
  return wasmSnappy;
}

/**
 * Where hysnappy's wrapper puts the compressed block in WebAssembly memory (past the C stack and
 * data); the page follows it.
 */
const WASM_INPUT = 68_000;
/** A view of the decompressor's memory (replaced when the memory grows, which detaches it). */
let heap = new Uint8Array(0);

function wasmUnsnappy(w: SnappyExports, src: Uint8Array, size: number): Uint8Array {
  const output = WASM_INPUT + src.length;
  const need = output + size;
  const have = w.memory.buffer.byteLength;
  if (have < need) w.memory.grow(Math.ceil((need - have) / 65_536));
  if (heap.buffer !== w.memory.buffer) heap = new Uint8Array(w.memory.buffer);
  heap.set(src, WASM_INPUT);
  let result: number;
  try {
    result = w.uncompress(WASM_INPUT, src.length, output);
  } catch (e) {
    return corruptParquet(`snappy block cannot be decompressed (${e instanceof Error ? e.message : String(e)})`);
  }
  if (result !== 0) {
    const why = result === -1 ? 'invalid length header' : result === -3 ? 'premature end of input' : `error ${result}`;
    corruptParquet(`snappy block cannot be decompressed (${why})`);
  }
  return heap.subarray(output, need);
}

/**
 * Raw snappy decompression of a page of `size` bytes, into memory reused by the next call (the
 * WebAssembly decoder's, or one buffer for the JS decoder): read the page's values out before
 * inflating another.
 */
export function unsnappyPage(src: Uint8Array, size: number): Uint8Array {
  const w = wasmDecoder();
  if (w === null) {
    const out = reusedPage(size);
    unsnappy(src, out);
    return out;
  }
  const [declared] = snappyLength(src);
  if (declared !== size) corruptParquet(`snappy block of ${declared} bytes where its page header says ${size}`);
  return wasmUnsnappy(w, src, size);
}

/** Page bytes after decompression (valid until the next page is inflated). */
export function inflate(codec: string, src: Uint8Array, size: number): Uint8Array {
  if (codec === 'UNCOMPRESSED') return src;
  return unsnappyPage(src, size);
}

/** The JS decoder's output: one buffer reused for every page. */
function reusedPage(size: number): Uint8Array {
  if (pageBuffer.length < size) pageBuffer = new Uint8Array(Math.max(size, pageBuffer.length * 2));
  return pageBuffer.subarray(0, size);
}

let pageBuffer = new Uint8Array(1 << 16);
