import { describe, expect, it } from 'vitest';
import { joinIndex } from '../operators/joinIndex.js';
import type { Vec } from '../operators/vector.js';
import { isValid, valueAt, vecFromValues } from '../operators/vector.js';

/** Every (probe row, build row) pair with equal, non-null keys, in probe then build order. */
function naive(build: readonly Vec[], probe: readonly Vec[], nb: number, np: number): [number, number][] {
  const key = (cols: readonly Vec[], i: number) =>
    cols.some((c) => !isValid(c.validity, i)) ? null : JSON.stringify(cols.map((c) => String(valueAt(c, i))));
  const out: [number, number][] = [];
  for (let i = 0; i < np; i++) {
    const k = key(probe, i);
    if (k === null) continue;
    for (let j = 0; j < nb; j++) if (key(build, j) === k) out.push([i, j]);
  }
  return out;
}

function pairs(build: readonly Vec[], probe: readonly Vec[], nb: number, np: number): [number, number][] {
  const m = joinIndex(build, nb).matches(probe, np);
  return Array.from(m.psel, (p, k) => [p, m.bsel[k]!] as [number, number]);
}

/** A seeded generator (tests stay deterministic). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ints = (xs: readonly (number | null)[], type: 'int32' | 'date' = 'int32') => vecFromValues(type, [...xs]);

describe('join index', () => {
  // Each layout: dense keys (addressed directly), spread keys (hashed, bitmap in front), keys
  // too spread for a bitmap (hashed alone); unique and repeated build keys; nulls on both sides.
  const layouts: [string, (r: () => number) => number][] = [
    ['direct', (r) => Math.floor(r() * 300) - 100],
    ['hashed with bitmap', (r) => Math.floor(r() * 5_000_000) - 2_000_000],
    ['hashed without bitmap', (r) => Math.floor((r() - 0.5) * 4_000_000_000)],
  ];
  for (const [name, draw] of layouts) {
    for (const repeated of [false, true]) {
      it(`${name}, ${repeated ? 'repeated' : 'unique'} build keys, nulls on both sides`, () => {
        const r = rng(name.length * 7 + (repeated ? 1 : 0));
        const nb = 200;
        const seen = new Set<number>();
        const bk: (number | null)[] = [];
        while (bk.length < nb) {
          if (r() < 0.05) {
            bk.push(null);
            continue;
          }
          const x = draw(r);
          if (!repeated && seen.has(x)) continue;
          seen.add(x);
          bk.push(x);
          if (repeated && r() < 0.3) bk.push(x);
        }
        const known = [...seen];
        // Probe keys: runs of a build key (sorted files), absent keys, nulls.
        const pk: (number | null)[] = [];
        while (pk.length < 600) {
          const u = r();
          if (u < 0.05) pk.push(null);
          else if (u < 0.5) pk.push(draw(r));
          else {
            const x = known[Math.floor(r() * known.length)]!;
            for (let k = Math.floor(r() * 3); k >= 0; k--) pk.push(x);
          }
        }
        const build = [ints(bk)];
        const probe = [ints(pk)];
        expect(pairs(build, probe, bk.length, pk.length)).toEqual(naive(build, probe, bk.length, pk.length));
      });
    }
  }

  it('dates, an empty build side, and an all-null build side', () => {
    const probe = [ints([1, 2, null, 3], 'date')];
    expect(pairs([ints([3, 1, 1], 'date')], probe, 3, 4)).toEqual([
      [0, 1],
      [0, 2],
      [3, 0],
    ]);
    expect(pairs([ints([])], probe, 0, 4)).toEqual([]);
    expect(pairs([ints([null, null])], probe, 2, 4)).toEqual([]);
  });

  it('a released index lends its memory to the next build, and to one build only', () => {
    const keys = (xs: number[]) => [ints(xs)];
    const a = joinIndex(keys([1, 2, 3, 2]), 4);
    a.release();
    const b = joinIndex(keys([3, 4, 4]), 3);
    const c = joinIndex(keys([4, 1, 3]), 3);
    const probe = keys([4, 3, 1]);
    const got = (ix: typeof b) => {
      const m = ix.matches(probe, 3);
      return Array.from(m.psel, (p, k) => [p, m.bsel[k]]);
    };
    expect(got(b)).toEqual([
      [0, 1],
      [0, 2],
      [1, 0],
    ]);
    expect(got(c)).toEqual([
      [0, 0],
      [1, 2],
      [2, 1],
    ]);
    expect(got(b)).toEqual([
      [0, 1],
      [0, 2],
      [1, 0],
    ]);
  });

  it('firstOnly: one match a probe row (semi and anti joins)', () => {
    for (const build of [[ints([7, 7, 8, 7])], [ints([7, 7, 8, 7]), vecFromValues('string', ['a', 'a', 'a', 'a'])]]) {
      const probe =
        build.length === 1 ? [ints([7, 9, 8])] : [ints([7, 9, 8]), vecFromValues('string', ['a', 'a', 'a'])];
      const m = joinIndex(build, 4).matches(probe, 3, true);
      expect([Array.from(m.psel), Array.from(m.bsel)]).toEqual([
        [0, 2],
        [0, 2],
      ]);
    }
  });

  it('several int32 key columns: packed into one when their ranges allow, else general; nulls and out-of-range probes', () => {
    const r = rng(99);
    for (const range of [
      [200, 30, 5],
      [200_000, 10_000],
      [100_000, 100_000],
    ]) {
      const draw = (k: number) => (r() < 0.04 ? null : Math.floor(r() * range[k]!) - 7);
      const nb = 300;
      const build = range.map((_, k) => ints(Array.from({ length: nb }, () => draw(k))));
      // Probe tuples: half copied from build rows (some shifted out of range), half random.
      const rows = Array.from({ length: 500 }, (_, i) => {
        const j = Math.floor(r() * nb);
        return range.map((_, k) => {
          if (i % 2) return draw(k);
          const x = valueAt(build[k]!, j) as number | null;
          return x !== null && r() < 0.05 ? x + range[k]! * 3 : x;
        });
      });
      const probe = range.map((_, k) => ints(rows.map((row) => row[k]!)));
      expect(pairs(build, probe, nb, rows.length)).toEqual(naive(build, probe, nb, rows.length));
      const packs = range.reduce((a, b) => a * b, 1) < 2 ** 31;
      expect(joinIndex(build, nb).constructor.name).toBe(packs ? 'PackedJoinIndex' : 'GeneralJoinIndex');
    }
  });

  it('two key columns and string keys go through the general index', () => {
    const build = [ints([1, 1, 2, null]), vecFromValues('string', ['a', 'b', 'a', 'a'])];
    const probe = [ints([1, 2, 1, 1]), vecFromValues('string', ['b', 'a', null, 'a'])];
    expect(pairs(build, probe, 4, 4)).toEqual(naive(build, probe, 4, 4));
    expect(pairs(build, probe, 4, 4)).toEqual([
      [0, 1],
      [1, 2],
      [3, 0],
    ]);
  });
});
