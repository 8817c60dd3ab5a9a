/**
 * The RLE / bit-packed hybrid reader (operators/parquetPages.ts `readHybrid`) with its
 * unpackers of one function per bit width (operators/bitUnpack.ts): every width 1–16 and wider
 * ones, bit-packed runs read whole and cut short (a last partial group of 8, a stop inside a
 * run), RLE runs between them, and a write offset: every value as encoded by a reference encoder.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  UNPACK,
  UNPACK_BYTES,
  UNPACK_BYTES_MAX_WIDTH,
  UNPACK_DOUBLES,
  UNPACK_DOUBLES_MAX_WIDTH,
  UNPACK_INTS,
  UNPACK_INTS_MAX_WIDTH,
  UNPACK_MAX_WIDTH,
} from '../operators/bitUnpack.js';
import { readHybrid, readHybridDict } from '../operators/parquetPages.js';

/** ULEB128 of a run header. */
function uleb(x: number): number[] {
  const out: number[] = [];
  do {
    let b = x % 128;
    x = Math.floor(x / 128);
    if (x > 0) b |= 0x80;
    out.push(b);
  } while (x > 0);
  return out;
}

/** A bit-packed run of `values` (padded with zeros to whole groups of 8), `width` bits each. */
function packed(values: readonly number[], width: number): number[] {
  const groups = Math.ceil(values.length / 8);
  const body = new Array<number>(groups * width).fill(0);
  for (let i = 0; i < values.length; i++)
    for (let b = 0; b < width; b++) {
      const bit = i * width + b;
      if (Math.floor(values[i]! / 2 ** b) % 2 === 1) body[bit >> 3]! |= 1 << (bit & 7);
    }
  return [...uleb(groups * 2 + 1), ...body];
}

/** An RLE run of `count` copies of `value`, `width` bits wide. */
function rle(value: number, count: number, width: number): number[] {
  const bytes = (width + 7) >> 3;
  return [...uleb(count * 2), ...Array.from({ length: bytes }, (_, k) => Math.floor(value / 2 ** (8 * k)) % 256)];
}

/** Values below 2^width in a pattern that sets every bit position. */
const pattern = (n: number, width: number, seed: number) =>
  Array.from({ length: n }, (_, i) => ((i * 2654435761 + seed * 40503) >>> 0) % 2 ** width);

describe('bit-packed hybrid runs', () => {
  it('has an unpacker for every width up to its maximum', () => {
    expect(UNPACK_MAX_WIDTH).toBe(16);
    for (let w = 1; w <= UNPACK_MAX_WIDTH; w++) expect(typeof UNPACK[w]).toBe('function');
  });

  for (const width of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 24, 31]) {
    it(`${width} bits: packed runs whole and cut short, RLE runs between`, () => {
      // 1003 values (a partial last group, padded with zeros), an RLE run, 64 values, 5 values
      // (less than a group).
      const a = pattern(1003, width, 1);
      const b = pattern(64, width, 2);
      const c = pattern(5, width, 3);
      const top = 2 ** width - 1;
      const bytes = Uint8Array.from([
        ...packed(a, width),
        ...rle(top, 20, width),
        ...packed(b, width),
        ...packed(c, width),
      ]);
      const expected = [...a, 0, 0, 0, 0, 0, ...Array<number>(20).fill(top), ...b, ...c];
      // Read whole, at an offset in `out`.
      const out = new Int32Array(expected.length + 3).fill(-1);
      readHybrid(bytes, 0, bytes.length, width, out, 3, expected.length);
      expect(Array.from(out.subarray(3), (x) => x >>> 0)).toEqual(expected);
      expect(Array.from(out.subarray(0, 3))).toEqual([-1, -1, -1]);
      // Stopped inside the first run, at every count up to a few groups and near its end.
      for (const n of [1, 7, 8, 9, 16, 17, 999, 1000, 1001, 1003]) {
        const part = new Int32Array(n + 1).fill(-1);
        readHybrid(bytes, 0, bytes.length, width, part, 0, n);
        expect(Array.from(part.subarray(0, n), (x) => x >>> 0)).toEqual(a.slice(0, n));
        expect(part[n]).toBe(-1);
      }
    });
  }

  /** A dictionary's values as one-byte strings' bytes, doubles or int32 (`make` builds the array), up to a width. */
  const kinds = [
    { name: 'bytes', max: UNPACK_BYTES_MAX_WIDTH, make: (n: number) => new Uint8Array(n), unpack: UNPACK_BYTES },
    {
      name: 'doubles',
      max: UNPACK_DOUBLES_MAX_WIDTH,
      make: (n: number) => new Float64Array(n),
      unpack: UNPACK_DOUBLES,
    },
    { name: 'int32 values', max: UNPACK_INTS_MAX_WIDTH, make: (n: number) => new Int32Array(n), unpack: UNPACK_INTS },
  ] as const;
  for (const kind of kinds)
    for (let width = 1; width <= kind.max; width++) {
      it(`${width} bits to a dictionary's ${kind.name}; a code past the dictionary is reported`, () => {
        const size = Math.max(1, 2 ** width - 3); // a padded dictionary: the top codes are past it
        const value = (c: number) =>
          kind.name === 'doubles' ? c * 1.5 - 7 : kind.name === 'bytes' ? 65 + c : c * 3 - 7;
        const dict = kind.make(2 ** width);
        for (let c = 0; c < dict.length; c++) dict[c] = value(c);
        const read = (bytes: Uint8Array, out: Float64Array | Int32Array | Uint8Array, at: number, n: number) =>
          // biome-ignore lint/suspicious/noExplicitAny: one call for both array kinds
          readHybridDict(bytes, 0, bytes.length, width, dict as any, size - 1, out as any, at, n, kind.unpack as any);
        const a = pattern(1003, width, 1).map((c) => c % size);
        const b = pattern(64, width, 2).map((c) => c % size);
        const bytes = Uint8Array.from([...packed(a, width), ...rle(size - 1, 20, width), ...packed(b, width)]);
        const expected = [...a, 0, 0, 0, 0, 0, ...Array<number>(20).fill(size - 1), ...b];
        const out = kind.make(expected.length + 2);
        expect(read(bytes, out, 2, expected.length)).toBeGreaterThanOrEqual(0);
        expect(Array.from(out.subarray(2))).toEqual(expected.map(value));
        if (size < 2 ** width) {
          const bad = Uint8Array.from(packed([...a.slice(0, 9), size], width));
          expect(read(bad, kind.make(16), 0, 10)).toBeLessThan(0);
          const run = Uint8Array.from(rle(size, 3, width));
          expect(read(run, kind.make(3), 0, 3)).toBeLessThan(0);
        }
      });
    }
});

describe('operators/bitUnpack.ts', () => {
  it('is what scripts/gen-bit-unpack.mjs writes (up to formatting)', () => {
    const root = path.join(import.meta.dirname, '..');
    const generated = execFileSync(process.execPath, [path.join(root, 'scripts/gen-bit-unpack.mjs')], {
      encoding: 'utf8',
    });
    const checkedIn = fs.readFileSync(path.join(root, 'operators/bitUnpack.ts'), 'utf8');
    // Formatting only moves whitespace and adds trailing commas.
    const norm = (s: string) => s.replace(/\s+/g, '').replace(/,([)\]}])/g, '$1');
    expect(norm(checkedIn)).toBe(norm(generated));
  });
});
