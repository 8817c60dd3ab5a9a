/**
 * The page decoder's gathers of strings all one width (operators/parquetGather.ts): their
 * offsets are views of one array per width shared by every such column; each column still reads
 * back exactly its values, before and after the shared array grows for a longer column, and
 * with nulls.
 */
import { describe, expect, it } from 'vitest';
import { gather, widthOffsets } from '../operators/parquetGather.js';
import { type BytesVec, isValid, valueAt, type Vec, vecFromValues } from '../operators/vector.js';

const values = (v: Vec, n: number) =>
  Array.from({ length: n }, (_, i) => (isValid(v.validity, i) ? valueAt(v, i) : null));

/** Codes 0..size-1 in a pattern over n rows. */
const codes = (n: number, size: number) => Int32Array.from({ length: n }, (_, i) => (i * 7 + (i >> 3)) % size);

describe('one-width string gathers', () => {
  it('read back their values; columns of one width share their offsets', () => {
    const flags = vecFromValues('string', ['A', 'N', 'R']);
    const pairs = vecFromValues('string', ['AB', 'CD', 'EF', 'GH']);
    const idx1 = codes(1000, 3);
    const a = gather(flags, idx1) as BytesVec;
    const b = gather(flags, codes(600, 3)) as BytesVec;
    const c = gather(pairs, codes(1000, 4)) as BytesVec;
    expect(values(a, 1000)).toEqual(Array.from(idx1, (k) => ['A', 'N', 'R'][k]));
    expect(values(b, 600)).toEqual(Array.from(codes(600, 3), (k) => ['A', 'N', 'R'][k]));
    expect(values(c, 1000)).toEqual(Array.from(codes(1000, 4), (k) => ['AB', 'CD', 'EF', 'GH'][k]));
    expect(a.offsets.length).toBe(1001);
    expect(b.offsets.length).toBe(601);
    expect(a.offsets.buffer).toBe(b.offsets.buffer);
    expect(c.offsets.buffer).not.toBe(a.offsets.buffer);
    // A longer column: a new shared array; the earlier columns keep theirs, unchanged.
    const before = Int32Array.from(a.offsets);
    const d = gather(flags, codes(100_000, 3)) as BytesVec;
    expect(values(d, 100_000)).toEqual(Array.from(codes(100_000, 3), (k) => ['A', 'N', 'R'][k]));
    expect(a.offsets).toEqual(before);
    expect(values(a, 1000)).toEqual(Array.from(idx1, (k) => ['A', 'N', 'R'][k]));
    expect((gather(flags, codes(50, 3)) as BytesVec).offsets.buffer).toBe(d.offsets.buffer);
  });

  it('a dictionary with a null entry: the null rows stay null', () => {
    const dict = vecFromValues('string', ['x', 'y', null]);
    const idx = Int32Array.from({ length: 300 }, (_, i) => i % 3);
    const v = gather(dict, idx);
    expect(values(v, 300)).toEqual(Array.from(idx, (k) => ['x', 'y', null][k]));
  });

  it('widthOffsets: k * width for every width, shared up to 16 bytes', () => {
    for (const w of [0, 1, 2, 5, 16, 17, 40]) {
      const o = widthOffsets(w, 777);
      expect(o.length).toBe(778);
      expect(Array.from(o).every((x, k) => x === k * w)).toBe(true);
      expect(widthOffsets(w, 10).buffer === o.buffer).toBe(w <= 16);
    }
  });
});
