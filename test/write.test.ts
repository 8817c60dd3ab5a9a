/**
 * write.parquet: save modes, partitionBy with hive-style read back (and partition pruning), and
 * the job commit: a failed job leaves no visible output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { col, count, session, sum, type Session } from '../src/index.js';
import { SF01, tempDir } from './support/tpch.js';

let s: Session;
let out: string;
beforeAll(() => {
  s = session({ store: tempDir(), executors: 2, progress: false });
  out = tempDir('stratus-out-');
});
afterAll(async () => {
  await s.stop();
});

const orders = () => s.read.parquet(path.join(SF01, 'orders'));
const files = (dir: string): string[] =>
  fs.existsSync(dir)
    ? fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => path.relative(dir, path.join(d.parentPath, d.name)))
        .sort()
    : [];

describe('write.parquet', () => {
  it('writes partitioned output that reads back with its partition column, and prunes by it', async () => {
    const dest = path.join(out, 'by_status');
    const src = orders().select('o_orderkey', 'o_totalprice', 'o_orderstatus');
    const written = await src.write.partitionBy('o_orderstatus').parquet(dest);
    const total = await orders().count();
    expect(written.rows).toBe(total);
    const listed = files(dest);
    expect(listed).toContain('_SUCCESS');
    expect(
      listed
        .filter((f) => f.endsWith('.parquet'))
        .every((f) => /^o_orderstatus=[FOP]\/part-\d{5}-.+\.parquet$/.test(f)),
    ).toBe(true);
    expect(listed.some((f) => f.includes('_temporary'))).toBe(false);

    const back = s.read.parquet(dest);
    expect((await back.schema()).map((f) => `${f.name}:${f.type}`)).toEqual([
      'o_orderkey:int32',
      'o_totalprice:decimal(15,2)',
      'o_orderstatus:string',
    ]);
    const byStatus = await back
      .groupBy('o_orderstatus')
      .agg(count('*').alias('n'), sum('o_totalprice').alias('t'))
      .orderBy('o_orderstatus')
      .take(10);
    const expected = await src
      .groupBy('o_orderstatus')
      .agg(count('*').alias('n'), sum('o_totalprice').alias('t'))
      .orderBy('o_orderstatus')
      .take(10);
    expect(byStatus.map((r) => [r.o_orderstatus, r.n])).toEqual(expected.map((r) => [r.o_orderstatus, r.n]));
    for (const [i, r] of byStatus.entries()) expect(r.t).toBe(expected[i]!.t); // exact decimal text
    expect(await back.filter(col('o_orderstatus').equalTo('P')).count()).toBe(
      expected.find((r) => r.o_orderstatus === 'P')!.n,
    );
  });

  it('honours errorIfExists, ignore, append and overwrite', async () => {
    const dest = path.join(out, 'modes');
    const small = orders().filter(col('o_orderkey').lt(100)).select('o_orderkey');
    const n = await small.count();
    await small.write.parquet(dest);
    const err = await small.write.parquet(dest).catch((e) => e);
    expect(err.code).toBe('PATH_EXISTS');
    expect(err.message).toContain(dest);
    expect(await small.write.mode('ignore').parquet(dest)).toEqual({ rows: 0, files: 0 });
    expect(await s.read.parquet(dest).count()).toBe(n);
    await small.write.mode('append').parquet(dest);
    expect(await s.read.parquet(dest).count()).toBe(2 * n);
    await small.write.mode('overwrite').parquet(dest);
    expect(await s.read.parquet(dest).count()).toBe(n);
  });

  it('refuses two columns of one name (a file keeps one column per name)', async () => {
    const dest = path.join(out, 'dup');
    const twice = orders().select(col('o_orderkey').alias('k'), col('o_custkey').alias('k'));
    await expect(twice.write.parquet(dest)).rejects.toThrow(/cannot write two columns named 'k'/);
    expect(files(dest).filter((f) => f.endsWith('.parquet'))).toEqual([]);
  });

  it('leaves no visible output when the job fails', async () => {
    // Input: one good file and one whose data pages are corrupt (its footer is intact, so the
    // job plans and runs, and fails in an executor after other tasks have staged files).
    const input = path.join(out, 'bad_input');
    await orders().select('o_orderkey', 'o_comment').write.parquet(input);
    // A plain directory, as another tool would leave it: Stratus reads what is listed there
    // (a dataset with a Stratus log would name its files and ignore the one added below).
    fs.rmSync(path.join(input, '_stratus'), { recursive: true });
    const good = files(input).filter((f) => f.endsWith('.parquet'));
    const victim = path.join(input, good[0]!);
    fs.copyFileSync(victim, path.join(input, 'zz-corrupt.parquet'));
    const bytes = fs.readFileSync(path.join(input, 'zz-corrupt.parquet'));
    const footerStart = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
    bytes.fill(0x5a, 4, footerStart); // every page header and page, footer kept
    fs.writeFileSync(path.join(input, 'zz-corrupt.parquet'), bytes);

    const dest = path.join(out, 'never');
    const err = await s.read
      .parquet(input)
      .write.parquet(dest)
      .catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(String(err.message)).toMatch(/zz-corrupt\.parquet/);
    expect(files(dest).filter((f) => !f.startsWith('_temporary'))).toEqual([]);
    expect(files(dest)).toEqual([]);
  });
});
