/**
 * Fault suite — bad input and bad user code fail at once, clearly, without crashing anything:
 * a Parquet file with a corrupt data page is CORRUPT_PARQUET naming the file, row group and
 * column (the decoder's panic is caught; the executor process lives on and reads good files
 * next); a corrupt footer names the file; a throwing user function is USER_CODE_ERROR naming
 * it, with a stack in its own source file; and a secret the function put in its log line and
 * error is in none of the client's error, the store's files or the captured output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, count, session, sum, type Session } from '../src/index.js';
import { API_KEY, leakSecret, strictNation } from './support/fault-fns.js';
import { rowsFromArrow } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01, tempDir } from './support/tpch.js';

const SECRET = 'sk-live-5c1e9a7f03b24d68';
let s: Session;
let dir: string;
beforeAll(async () => {
  // Executors read parameters from this file (they inherit the variable when they start).
  const params = path.join(tempDir(), 'params.json');
  fs.writeFileSync(params, JSON.stringify({ [API_KEY]: SECRET }));
  process.env.STRATUS_PARAMS_FILE = params;
  s = session({ store: tempDir(), executors: 2, progress: false, keepJobs: true, job: { parameters: [API_KEY] } });
  dir = tempDir('stratus-corrupt-');
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  await db.run(
    `COPY (SELECT * FROM '${SF01}/orders/*.parquet' ORDER BY o_orderkey) TO '${dir}/good.parquet' (FORMAT parquet, ROW_GROUP_SIZE 30000)`,
  );
});
afterAll(async () => {
  await s.stop();
});

/** A copy of good.parquet with `bytes` garbage bytes at the start of row group `rg`'s chunk of `column`. */
function corruptCopy(name: string, rg: number, column: string): string {
  const good = fs.readFileSync(path.join(dir, 'good.parquet'));
  const md = parquetMetadata(good.buffer.slice(good.byteOffset, good.byteOffset + good.byteLength));
  const chunk = md.row_groups[rg]!.columns.find((c) => c.meta_data!.path_in_schema[0] === column)!.meta_data!;
  const at = Number(chunk.dictionary_page_offset ?? chunk.data_page_offset);
  const bad = Buffer.from(good);
  for (let i = 0; i < 24; i++) bad[at + i] = 0xff - i; // the page header: no decoder can read past it
  const out = path.join(tempDir('stratus-bad-'), name);
  fs.writeFileSync(out, bad);
  return out;
}

const revenueByStatus = (file: string) =>
  s.read
    .parquet(file)
    .groupBy('o_orderstatus')
    .agg(count('*').alias('n'), sum('o_totalprice').alias('total'))
    .orderBy('o_orderstatus');

describe('corrupt input', () => {
  it('a corrupt data page: CORRUPT_PARQUET naming file, row group and column, at once; executors live on', async () => {
    const bad = corruptCopy('orders.parquet', 2, 'o_totalprice');
    // Start the executors, and remember them.
    await s.read.parquet(path.join(dir, 'good.parquet')).count();
    const pids = [...s.localRunner.pool.pids].sort();
    const err = await revenueByStatus(bad)
      .collect()
      .catch((e) => e);
    expect(err.code).toBe('CORRUPT_PARQUET');
    expect(err.message).toContain(`${pathToFileURL(bad).href}: row group 2, column 'o_totalprice' cannot be decoded`);
    expect(err.details).toMatchObject({
      file: pathToFileURL(bad).href,
      rowGroup: 2,
      column: 'o_totalprice',
      failures: 1,
    });
    expect(s.localRunner.actions.filter((a) => a === 'run_executors')).toHaveLength(1); // no retry
    expect(s.localRunner.retries).toEqual([]);
    // No executor crashed, and the same processes read a good file correctly next.
    expect([...s.localRunner.pool.pids].sort()).toEqual(pids);
    const rows = rowsFromArrow(await revenueByStatus(path.join(dir, 'good.parquet')).collect());
    const oracle = await duckdbQuery(
      'select o_orderstatus, count(*) as n, sum(o_totalprice) as total from orders group by 1 order by 1',
      SF01,
    );
    expect(rows.rows.map((r) => r.slice(0, 2))).toEqual(oracle.rows.map((r) => r.slice(0, 2)));
    expect([...s.localRunner.pool.pids].sort()).toEqual(pids);
  });

  it('a corrupt footer: CORRUPT_PARQUET naming the file', async () => {
    const good = fs.readFileSync(path.join(dir, 'good.parquet'));
    const bad = path.join(tempDir('stratus-bad-'), 'footer.parquet');
    const bytes = Buffer.from(good);
    const footerLength = bytes.readUInt32LE(bytes.length - 8);
    for (let i = 0; i < 64; i++) bytes[bytes.length - 8 - footerLength + 16 + i] = 0xee;
    fs.writeFileSync(bad, bytes);
    const err = await revenueByStatus(bad)
      .collect()
      .catch((e) => e);
    expect(err.code).toBe('CORRUPT_PARQUET');
    expect(err.message).toContain(pathToFileURL(bad).href);
    expect(err.details).toMatchObject({ file: pathToFileURL(bad).href });
  });
});

describe('user code', () => {
  it('a throwing function: USER_CODE_ERROR naming it, its stack in its own source, no retry', async () => {
    const err = await s.read
      .parquet(path.join(SF01, 'nation'))
      .select(strictNation(col('n_nationkey')).alias('k'))
      .collect()
      .catch((e) => e);
    expect(err.code).toBe('USER_CODE_ERROR');
    expect(err.message).toMatch(
      /^user function 'strict_nation' threw RangeError: nation key 25 out of range \(.*test\/support\/fault-fns\.ts:\d+:\d+\)$/,
    );
    expect(err.details).toMatchObject({ function: 'strict_nation', error: 'RangeError', failures: 1 });
    const frames = (err.details.stack as string).split('\n');
    expect(frames[0]).toBe('RangeError: nation key 25 out of range');
    // The helper, then the function, both in the user's file — and nothing of the engine.
    expect(frames[1]).toMatch(/at checkRange \(.*test\/support\/fault-fns\.ts:\d+:\d+\)/);
    expect(frames[2]).toMatch(/test\/support\/fault-fns\.ts:\d+:\d+/);
    expect(frames).toHaveLength(3);
    expect(s.localRunner.actions.filter((a) => a === 'run_executors')).toHaveLength(1);
  });
});

describe('secrets never leave', () => {
  it('a function that logs and throws its secret: not in the error, the store or the output', async () => {
    const captured: string[] = [];
    const streams = [process.stdout, process.stderr] as const;
    const writes = streams.map((st) => st.write);
    for (const st of streams)
      st.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        return (writes[streams.indexOf(st)] as (...a: unknown[]) => boolean).call(st, chunk, ...rest);
      }) as typeof st.write;
    let err: Error & { code?: string; details?: Record<string, unknown> };
    try {
      err = await s.read
        .parquet(path.join(SF01, 'region'))
        .select(leakSecret(col('r_regionkey')).alias('k'))
        .collect()
        .catch((e) => e);
      // Executors' output reaches this process through pipes: wait for the log line (however
      // loaded the machine), then a little more for anything written after it.
      for (const until = Date.now() + 60_000; Date.now() < until; ) {
        if (captured.join('').includes('calling the pricing API for 0')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      streams.forEach((st, i) => {
        st.write = writes[i]!;
      });
    }
    expect(err.code).toBe('USER_CODE_ERROR');
    expect(err.message).toContain('pricing API refused key *** for');
    const clientSide = [err.message, err.stack, JSON.stringify(err.details), JSON.stringify(err)].join('\n');
    expect(clientSide).not.toContain(SECRET);
    // The user's log line was printed, masked.
    const output = captured.join('');
    expect(output).toContain('calling the pricing API for 0 with key=***');
    expect(output).not.toContain(SECRET);
    // Every file of the store: state, summaries, manifests, plans, bundles.
    const root = (s.storeRef as { root: string }).root;
    const files = fs
      .readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.join(d.parentPath, d.name));
    expect(files.some((f) => f.endsWith('state.json'))).toBe(true);
    expect(files.some((f) => f.includes('/summaries/'))).toBe(true);
    for (const f of files) expect(fs.readFileSync(f).includes(SECRET), f).toBe(false);
    // The error was about this secret: it is in the state, masked.
    const state = files.find((f) => f.endsWith('state.json') && f.includes(s.lastJobId!))!;
    expect(fs.readFileSync(state, 'utf8')).toContain('pricing API refused key ***');
  });
});
