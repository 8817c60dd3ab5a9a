/**
 * Snappy pages of our page decoder (operators/parquetPages.ts): hysnappy's WebAssembly
 * decompressor and the JS fallback give the same bytes on blocks of every shape (literals only,
 * long runs, short and long back-references, empty), and refuse the same corrupt blocks — as
 * CORRUPT_PARQUET, never garbage of another length.
 */
import { snappyCompress } from 'hysnappy';
import { describe, expect, it } from 'vitest';
import { snappyDecoder, unsnappy, unsnappyPage } from '../operators/snappy.js';

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed: number, repetitive: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s >>> 24) / 256 < repetitive ? (i % 13) * 7 : s >>> 24;
  }
  return out;
}

const js = (src: Uint8Array, size: number): Uint8Array => {
  const out = new Uint8Array(size);
  unsnappy(src, out);
  return out;
};
/** Byte equality (vitest's deep equality is slow on large arrays). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));
/** A page through hysnappy's WebAssembly decoder, copied out of the memory the next page reuses. */
const wasm = (src: Uint8Array, size: number): Uint8Array => unsnappyPage(src, size).slice();

describe('snappy pages', () => {
  const blocks = [
    new Uint8Array(0),
    bytes(1, 1, 0),
    bytes(100, 2, 0),
    bytes(70_000, 3, 0),
    bytes(70_000, 4, 0.9),
    new Uint8Array(300_000).fill(42),
    // int64 words of small values (a plain DECIMAL(15,2) page): short copies and literals
    new Uint8Array(new BigInt64Array(Array.from({ length: 20_000 }, (_, i) => BigInt((i * 7919) % 10_000_000))).buffer),
  ];

  it('the WebAssembly decoder and the JS fallback give the bytes compressed', () => {
    for (const b of blocks) {
      const c = snappyCompress(b);
      expect(same(wasm(c, b.length), b)).toBe(true);
      expect(same(js(c, b.length), b)).toBe(true);
    }
  });

  it('pages are inflated by the WebAssembly decoder, in place, across its memory growing', () => {
    expect(snappyDecoder()).toBe('wasm');
    // Small, large (the memory grows: earlier views of it are detached), small again.
    for (const b of [bytes(3000, 6, 0.5), bytes(1_500_000, 7, 0.8), bytes(10, 8, 0), bytes(2_500_000, 9, 0.2)]) {
      const page = unsnappyPage(snappyCompress(b), b.length);
      expect(page.length).toBe(b.length);
      expect(same(page, b)).toBe(true);
    }
    // The next page reuses the memory: the same bytes are not copied out again.
    const first = unsnappyPage(snappyCompress(bytes(100, 10, 0)), 100);
    const second = unsnappyPage(snappyCompress(bytes(100, 11, 0)), 100);
    expect(first.buffer).toBe(second.buffer);
    expect(same(second, bytes(100, 11, 0))).toBe(true);
  });

  it('a block whose length is not the page header’s is corrupt in both', () => {
    const c = snappyCompress(bytes(5000, 5, 0.5));
    expect(() => wasm(c, 4999)).toThrow(expect.objectContaining({ code: 'CORRUPT_PARQUET' }));
    expect(() => js(c, 4999)).toThrow(expect.objectContaining({ code: 'CORRUPT_PARQUET' }));
  });

  it('corrupt blocks fail alike in both decoders, as CORRUPT_PARQUET', () => {
    let failed = 0;
    for (let t = 0; t < 400; t++) {
      const b = bytes(200 + ((t * 97) % 4000), t, 0.7);
      const c = snappyCompress(b);
      c[1 + ((t * 31) % (c.length - 1))] ^= 1 + (t % 255);
      const outcome = (f: () => Uint8Array) => {
        try {
          return Buffer.from(f()).toString('base64');
        } catch (e) {
          expect(e).toMatchObject({ code: 'CORRUPT_PARQUET' });
          return 'corrupt';
        }
      };
      const a = outcome(() => wasm(c, b.length));
      expect(outcome(() => js(c, b.length))).toBe(a);
      if (a === 'corrupt') failed++;
    }
    expect(failed).toBeGreaterThan(20);
  });
});
