/**
 * Every layout of the int32 join index (direct slots, ranked slots built from sorted or unsorted
 * keys, hashed with and without its presence bitmap) and the general index (int64 keys past
 * 2^31), checked against a naive lookup: matches (all pairs, and each probe row's first build
 * row), and has. Build keys sorted, shuffled, unique, repeated (the first repeat late), with
 * nulls on both sides and keys at the int32 extremes.
 */
import { describe, expect, it } from 'vitest';
import { type JoinIndex, joinIndex } from '../operators/joinIndex.js';
import type { Vec } from '../operators/vector.js';
import { isValid, valueAt, vecFromValues } from '../operators/vector.js';

/** A seeded generator (tests stay deterministic). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

type Key = number | bigint | null;

/** Build rows per key, ascending. */
function rowsByKey(build: Vec, n: number): Map<string, number[]> {
  const held = new Map<string, number[]>();
  for (let j = 0; j < n; j++) {
    if (!isValid(build.validity, j)) continue;
    const k = String(valueAt(build, j));
    (held.get(k) ?? held.set(k, []).get(k)!).push(j);
  }
  return held;
}

/** The naive answers: all pairs, first pairs, rows that have a match. */
function naive(build: Vec, probe: Vec, nb: number, np: number) {
  const held = rowsByKey(build, nb);
  const all: [number, number][] = [];
  const first: [number, number][] = [];
  const has: number[] = [];
  for (let i = 0; i < np; i++) {
    const rows = isValid(probe.validity, i) ? held.get(String(valueAt(probe, i))) : undefined;
    if (!rows) continue;
    for (const j of rows) all.push([i, j]);
    first.push([i, rows[0]!]);
    has.push(i);
  }
  return { all, first, has };
}

function pairs(index: JoinIndex, probe: Vec, np: number, firstOnly: boolean): [number, number][] {
  const m = index.matches([probe], np, firstOnly);
  return Array.from(m.psel, (p, k) => [p, m.bsel[k]!] as [number, number]);
}

/** The layout an IntJoinIndex chose (its private fields), or 'general'. */
function layout(index: JoinIndex): string {
  const x = index as unknown as { rankBits?: unknown; keys?: unknown; present?: unknown };
  if (!('keys' in x)) return 'general';
  if (x.rankBits) return 'ranked';
  if (x.keys === null) return 'direct';
  return x.present ? 'hashed with bitmap' : 'hashed';
}

/** n keys drawn by `draw`, a twentieth null (`nulls`); distinct, or a fifth repeated (from `repeatFrom` on). */
function buildKeys(
  r: () => number,
  n: number,
  draw: () => number,
  repeated: boolean,
  repeatFrom: number,
  nulls = 0.05,
): (number | null)[] {
  const out: (number | null)[] = [];
  const seen = new Set<number>();
  while (out.length < n) {
    const x = r() < nulls ? null : draw();
    if (x !== null && seen.has(x) && !repeated) continue;
    if (x !== null) seen.add(x);
    out.push(x);
    if (repeated && out.length > repeatFrom && x !== null && r() < 0.2) out.push(x);
  }
  return out.slice(0, n);
}

/** Ascending, nulls left where they were. */
function sortKeys(keys: readonly (number | null)[]): (number | null)[] {
  const values = keys.filter((x): x is number => x !== null).sort((a, b) => a - b);
  let k = 0;
  return keys.map((x) => (x === null ? null : values[k++]!));
}

const cases: [layout: string, n: number, draw: (r: () => number) => number][] = [
  ['direct', 300, (r) => Math.floor(r() * 500) - 100],
  // 300 rows: 1024 hash slots, ranked up to a span of 64 K keys.
  ['ranked', 300, (r) => Math.floor(r() * 60_000) - 30_000],
  // Half the keys in a dense run: words with most of their 32 bits set.
  ['ranked', 300, (r) => (r() < 0.5 ? Math.floor(r() * 200) : Math.floor(r() * 60_000))],
  ['hashed with bitmap', 300, (r) => Math.floor(r() * 5_000_000) - 2_000_000],
  ['hashed', 300, (r) => (r() < 0.1 ? (r() < 0.5 ? -2147483648 : 2147483647) : Math.floor((r() - 0.5) * 4e9))],
];

describe('join index layouts against a naive lookup', () => {
  for (const [c, [want, n, draw]] of cases.entries())
    for (const order of ['sorted', 'sorted without nulls', 'shuffled'])
      for (const repeated of [false, true])
        it(`${want} (case ${c}), ${order}, ${repeated ? 'repeated' : 'unique'} build keys`, () => {
          const r = rng(c * 31 + order.length * 7 + (repeated ? 1 : 0));
          let bk = buildKeys(r, n, () => draw(r), repeated, n / 2, order === 'sorted without nulls' ? 0 : 0.05);
          if (order !== 'shuffled') bk = sortKeys(bk);
          const held = bk.filter((x): x is number => x !== null);
          // Probe keys: runs of held keys (a sorted file), neighbours of held keys, others, nulls.
          const pk: Key[] = [];
          while (pk.length < 2000) {
            const u = r();
            const x =
              u < 0.05 ? null : u < 0.5 ? held[Math.floor(r() * held.length)]! : u < 0.7 ? held[0]! + 1 : draw(r);
            const run = 1 + Math.floor(r() * 3);
            for (let k = 0; k < run; k++) pk.push(x);
          }
          pk.push(held[0]! - 1, Math.max(...held) + 1, Math.max(...held));
          const build = vecFromValues('int32', bk);
          const probe = vecFromValues('int32', pk);
          const index = joinIndex([build], bk.length);
          expect(layout(index)).toBe(want);
          const expected = naive(build, probe, bk.length, pk.length);
          expect(expected.has.length).toBeGreaterThan(500);
          if (repeated) expect(expected.all.length).toBeGreaterThan(expected.first.length);
          // Repeated keys are listed on the first lookup that wants every match: first rows and
          // has before it, all pairs, then first rows and has again from the lists.
          for (let round = 0; round < 2; round++) {
            expect(pairs(index, probe, pk.length, true)).toEqual(expected.first);
            expect(Array.from(index.has([probe], pk.length))).toEqual(expected.has);
            if (round === 0) expect(pairs(index, probe, pk.length, false)).toEqual(expected.all);
          }
          index.release();
        });

  it('int64 keys past 2^31 (the general index), repeated, with nulls', () => {
    const r = rng(64);
    const big = (x: number) => BigInt(x) * 3_000_000_000n - 7n;
    const bk = buildKeys(r, 300, () => Math.floor(r() * 200) - 100, true, 0).map((x) => (x === null ? null : big(x)));
    const pk = buildKeys(r, 1000, () => Math.floor(r() * 300) - 150, true, 0).map((x) => (x === null ? null : big(x)));
    const build = vecFromValues('int64', bk);
    const probe = vecFromValues('int64', pk);
    const index = joinIndex([build], bk.length);
    expect(layout(index)).toBe('general');
    const expected = naive(build, probe, bk.length, pk.length);
    expect(expected.has.length).toBeGreaterThan(100);
    expect(pairs(index, probe, pk.length, false)).toEqual(expected.all);
    expect(pairs(index, probe, pk.length, true)).toEqual(expected.first);
    expect(Array.from(index.has([probe], pk.length))).toEqual(expected.has);
  });

  it('a build side of nulls only, and an empty one, match nothing', () => {
    for (const bk of [[null, null, null], []] as Key[][]) {
      const index = joinIndex([vecFromValues('int32', bk)], bk.length);
      const probe = vecFromValues('int32', [1, null, 0, -1]);
      expect(index.matches([probe], 4).psel.length).toBe(0);
      expect(index.has([probe], 4).length).toBe(0);
    }
  });
});
