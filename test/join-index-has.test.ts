/**
 * JoinIndex.has, the membership lookup of a scan's runtime filter: the probe rows whose keys the
 * build side holds, checked against a naive scan for every index layout (direct slots, hashed
 * with and without its presence bitmap, unique and repeated keys, packed and general tuples),
 * with nulls on both sides.
 */
import { describe, expect, it } from 'vitest';
import { joinIndex } from '../operators/joinIndex.js';
import type { Vec } from '../operators/vector.js';
import { isValid, valueAt, vecFromValues } from '../operators/vector.js';

/** The probe rows with a non-null key tuple equal to some build row's. */
function naive(build: readonly Vec[], probe: readonly Vec[], nb: number, np: number): number[] {
  const key = (cols: readonly Vec[], i: number) =>
    cols.some((c) => !isValid(c.validity, i)) ? null : JSON.stringify(cols.map((c) => String(valueAt(c, i))));
  const held = new Set<string>();
  for (let j = 0; j < nb; j++) {
    const k = key(build, j);
    if (k !== null) held.add(k);
  }
  const out: number[] = [];
  for (let i = 0; i < np; i++) {
    const k = key(probe, i);
    if (k !== null && held.has(k)) out.push(i);
  }
  return out;
}

/** A seeded generator (tests stay deterministic). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ints = (xs: readonly (number | null)[]) => vecFromValues('int32', [...xs]);

/** n keys drawn by `draw`, a twentieth null; repeated ones when asked. */
function keys(r: () => number, n: number, draw: () => number, repeated: boolean): (number | null)[] {
  const out: (number | null)[] = [];
  while (out.length < n) {
    const x = r() < 0.05 ? null : draw();
    out.push(x);
    if (repeated && x !== null && r() < 0.3) out.push(x);
  }
  return out;
}

describe('join index membership (has)', () => {
  const layouts: [string, (r: () => number) => number][] = [
    ['direct', (r) => Math.floor(r() * 300) - 100],
    ['hashed with bitmap', (r) => Math.floor(r() * 5_000_000) - 2_000_000],
    ['hashed without bitmap', (r) => Math.floor((r() - 0.5) * 4_000_000_000)],
  ];
  for (const [name, draw] of layouts)
    for (const repeated of [false, true])
      it(`${name}, ${repeated ? 'repeated' : 'unique'} build keys: the rows a naive lookup finds`, () => {
        const r = rng(name.length * 11 + (repeated ? 1 : 0));
        const bk = keys(r, 200, () => draw(r), repeated);
        const held = bk.filter((x): x is number => x !== null);
        // Probe keys: runs of held keys (a sorted file), absent keys, nulls.
        const pk = keys(r, 600, () => (r() < 0.5 ? held[Math.floor(r() * held.length)]! : draw(r)), true);
        const [build, probe] = [[ints(bk)], [ints(pk)]];
        const want = naive(build, probe, bk.length, pk.length);
        expect(Array.from(joinIndex(build, bk.length).has(probe, pk.length))).toEqual(want);
        expect(want.length).toBeGreaterThan(100);
      });

  it('probe keys without nulls, at the ends of the int32 range: the rows a naive lookup finds', () => {
    const MAX = 2147483647;
    const MIN = -2147483648;
    // Build keys at the top of the range (base near 2^31) and near zero; probe keys anywhere, no null.
    for (const bk of [
      [MAX, MAX - 5, MAX - 100],
      [MIN, MIN + 7, MIN + 64],
      [0, 3, 17, 1000],
    ]) {
      const pk = [MIN, MIN + 7, -1, 0, 3, 4, 17, 1000, 1001, MAX - 100, MAX - 5, MAX - 4, MAX, MIN + 64, MIN + 63];
      const [build, probe] = [[ints(bk)], [ints(pk)]];
      const want = naive(build, probe, bk.length, pk.length);
      expect(probe[0]!.validity).toBeNull();
      expect(Array.from(joinIndex(build, bk.length).has(probe, pk.length))).toEqual(want);
      expect(Array.from(joinIndex(build, bk.length).has(probe, pk.length, new Int32Array(pk.length)))).toEqual(want);
    }
  });

  it('key tuples, packed into one int32 or through the general index, and string keys', () => {
    const r = rng(5);
    for (const range of [
      [200, 30],
      [100_000, 100_000],
    ]) {
      const build = range.map((m) => ints(keys(r, 300, () => Math.floor(r() * m), false).slice(0, 300)));
      const probe = range.map((m, k) =>
        ints(
          Array.from({ length: 400 }, (_, i) =>
            i % 2 ? Math.floor(r() * m) : (valueAt(build[k]!, i % 300) as number | null),
          ),
        ),
      );
      expect(Array.from(joinIndex(build, 300).has(probe, 400))).toEqual(naive(build, probe, 300, 400));
    }
    const strings = (xs: (string | null)[]) => [vecFromValues('string', xs)];
    expect(Array.from(joinIndex(strings(['a', 'b', null]), 3).has(strings(['b', null, 'c', 'a']), 4))).toEqual([0, 3]);
  });
});
