/**
 * df.sample: a Bernoulli sample of TPC-H lineitem (SF0.1, several scan tasks and a shuffle):
 * the same seed keeps the same rows, another seed other rows, the kept share within six standard
 * deviations of the fraction, the rows a subset of the input (checked against DuckDB's count of
 * the same keys), and filters written after a sample are not pushed below it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, session, type DataFrame, type Session } from '../src/index.js';
import { uniforms } from '../operators/sample.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

let s: Session;
let lineitem: DataFrame;
let total: number;

beforeAll(async () => {
  s = session({ store: tempDir(), executors: 2, progress: false });
  lineitem = s.read.parquet(`${SF01}/lineitem`).select('l_orderkey', 'l_linenumber', 'l_quantity');
  total = await lineitem.count();
});
afterAll(() => s?.stop());

const keys = async (df: DataFrame): Promise<string[]> =>
  (await df.collectRows()).map((r) => `${r.l_orderkey}/${r.l_linenumber}`).sort();

/** |kept − n·p| ≤ 6·√(n·p·(1−p)): fails by chance with probability about 2e-9. */
const withinBound = (kept: number, n: number, p: number) =>
  expect(Math.abs(kept - n * p)).toBeLessThanOrEqual(6 * Math.sqrt(n * p * (1 - p)));

describe('sample', () => {
  it('keeps about fraction of the rows, the same ones for the same seed, others for another', async () => {
    const a = await keys(lineitem.sample(0.05, 42));
    const b = await keys(lineitem.sample(false, 0.05, 42));
    const c = await keys(lineitem.sample(0.05, 43));
    withinBound(a.length, total, 0.05);
    withinBound(c.length, total, 0.05);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
    // Independent draws: the two samples share about p² of the rows.
    const inA = new Set(a);
    withinBound(c.filter((k) => inA.has(k)).length, total, 0.05 * 0.05);
    expect(inA.size).toBe(a.length);
  });

  it('keeps only input rows: DuckDB finds every sampled key once in lineitem', async () => {
    const rows = await lineitem.sample(0.001, 7).collectRows();
    expect(rows.length).toBeGreaterThan(0);
    const list = rows.map((r) => `(${r.l_orderkey}, ${r.l_linenumber}, ${r.l_quantity})`).join(', ');
    const { rows: found } = await duckdbQuery(
      `SELECT count(*) FROM lineitem JOIN (VALUES ${list}) v(k, n, q) ON l_orderkey = k AND l_linenumber = n AND l_quantity = q`,
      SF01,
    );
    expect(found[0]![0]).toBe(rows.length);
  });

  it('is deterministic after a shuffle too, and 0 / 1 keep nothing / everything', async () => {
    const shuffled = lineitem.repartition(3, 'l_orderkey');
    const a = await keys(shuffled.sample(0.1, 5));
    expect(await keys(shuffled.sample(0.1, 5))).toEqual(a);
    withinBound(a.length, total, 0.1);
    expect(await lineitem.sample(0, 1).count()).toBe(0);
    expect(await lineitem.sample(1, 1).count()).toBe(total);
  });

  it('a filter after a sample is applied to the sample (not pushed below it)', async () => {
    const sampled = lineitem.sample(0.2, 11);
    const all = await sampled.collectRows();
    const filtered = await keys(sampled.filter(col('l_quantity').gt(25)));
    const expected = all
      .filter((r) => Number(r.l_quantity) > 25)
      .map((r) => `${r.l_orderkey}/${r.l_linenumber}`)
      .sort();
    expect(filtered).toEqual(expected);
    expect(await sampled.filter(col('l_quantity').gt(25)).explain()).toMatch(
      /Filter[^\n]*\n\s*Sample: fraction=0.2 seed=11/,
    );
  });

  it('draws a uniform stream per (seed, partition)', () => {
    const draws = (seed: number, partition: number) => {
      const next = uniforms(seed, partition);
      return Array.from({ length: 10_000 }, next);
    };
    const a = draws(42, 0);
    expect(draws(42, 0)).toEqual(a);
    for (const other of [draws(42, 1), draws(43, 0), draws(-42, 0), draws(42 + 2 ** 32, 0)]) {
      expect(other).not.toEqual(a);
      expect(other.filter((x, i) => x === a[i]).length).toBeLessThan(3);
    }
    for (const d of [a, draws(2 ** 40, 7)]) {
      expect(d.every((x) => x >= 0 && x < 1)).toBe(true);
      // Mean of 10,000 uniforms: 0.5 ± 6 × 0.0029.
      expect(Math.abs(d.reduce((t, x) => t + x, 0) / d.length - 0.5)).toBeLessThan(0.018);
    }
  });

  it('refuses sampling with replacement and bad fractions or seeds, naming them', () => {
    expect(() => lineitem.sample(true, 0.1)).toThrow(/withReplacement = true\) is not supported/);
    expect(() => lineitem.sample(1.5)).toThrow(/fraction must be a number between 0 and 1, got 1.5/);
    expect(() => lineitem.sample(-0.1, 3)).toThrow(/got -0.1/);
    expect(() => lineitem.sample(0.1, 2.5)).toThrow(/seed must be an integer, got 2.5/);
  });
});
