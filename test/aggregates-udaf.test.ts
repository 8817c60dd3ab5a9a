/**
 * User-defined aggregates (udaf() in stratus/functions): registered by name in a module, shipped
 * to executor processes in the job's bundle, used in groupBy().agg, a global agg, over windows and
 * in SQL by name; checked against DuckDB on whole results with partial aggregation on and off
 * (states travel as JSON). Errors name the UDAF: a missing one, a throwing one, a state JSON
 * cannot carry, a declaration without its methods.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as E from '../planner/expr.js';
import { col, Column, count, type Session, Window } from '../src/index.js';
import { udaf } from '../src/functions.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import type { TypedResult } from './support/fixtures.js';
import { generatedTables, partialOnAndOff } from './support/generated.js';
import { tempDir } from './support/tpch.js';
import { bigState, boom, geomean, weightedAvg } from './support/udafs.js';

const T_SQL = `
  SELECT i::INTEGER AS id,
    CASE WHEN i % 11 = 0 THEN NULL ELSE (i % 4)::INTEGER END AS k,
    CASE WHEN i % 7 = 0 THEN NULL ELSE 1 + ((i * 37) % 101) / 4.0 END::DOUBLE AS v,
    CASE WHEN i % 5 = 0 THEN NULL ELSE (i % 9)::BIGINT END AS w
  FROM range(0, 400) t(i)`;

let on: Session;
let off: Session;
let dir: string;
let tSql: string;
let duck: { query(sql: string): Promise<TypedResult>; close(): void };
const t = (s: Session) => s.read.parquet(path.join(dir, 't'));

beforeAll(async () => {
  dir = tempDir('stratus-udaf-');
  const fx = await generatedTables(dir, {
    t: { sql: T_SQL, parts: ['id < 150', 'id >= 150 AND id < 280', 'id >= 280'], rowGroup: 40 },
  });
  duck = fx.duck;
  tSql = fx.sql('t');
  ({ on, off } = partialOnAndOff(2));
});
afterAll(async () => {
  await on?.stop();
  await off?.stop();
  duck?.close();
});

const GEOMEAN = 'exp(avg(ln(v)))';
const WAVG =
  'sum(v * w) FILTER (WHERE v IS NOT NULL AND w IS NOT NULL) / sum(w) FILTER (WHERE v IS NOT NULL AND w IS NOT NULL)';

describe('UDAFs match DuckDB', () => {
  for (const [label, s] of [
    ['partial aggregation on', () => on],
    ['partial aggregation off', () => off],
  ] as const)
    it(`in groupBy().agg and a global agg, in executor processes, ${label}`, async () => {
      const grouped = await t(s())
        .groupBy('k')
        .agg(geomean(col('v')).alias('g'), weightedAvg(col('v'), col('w')).alias('wa'), count('*').alias('n'))
        .collect();
      expectSameResults(
        rowsFromArrow(grouped),
        await duck.query(`SELECT k, ${GEOMEAN} AS g, ${WAVG} AS wa, count(*) AS n FROM ${tSql} GROUP BY k`),
        { ordered: false, relTol: 1e-9 },
      );
      const global = await t(s())
        .agg(geomean(col('v')).alias('g'))
        .collect();
      expectSameResults(rowsFromArrow(global), await duck.query(`SELECT ${GEOMEAN} AS g FROM ${tSql}`), {
        ordered: false,
        relTol: 1e-9,
      });
      expect(s().localRunner.pool.pids.every((p) => p !== process.pid)).toBe(true);
    });

  it('over windows (running and whole-partition) and in SQL by name', async () => {
    const A = Window.partitionBy('k').orderBy('id');
    const df = t(on).select(
      'id',
      geomean(col('v')).over(A).alias('run'),
      weightedAvg(col('v'), col('w')).over(Window.partitionBy('k')).alias('part'),
    );
    const sql = `SELECT id, exp(avg(ln(v)) OVER (PARTITION BY k ORDER BY id)) AS run,
      sum(CASE WHEN w IS NOT NULL THEN v * w END) OVER (PARTITION BY k) / sum(CASE WHEN v IS NOT NULL THEN w END) OVER (PARTITION BY k) AS part
      FROM ${tSql}`;
    expectSameResults(rowsFromArrow(await df.collect()), await duck.query(sql), { ordered: false, relTol: 1e-9 });
    on.registerView('t', t(on));
    const q = await on.sql('SELECT k, geomean(v) AS g, weighted_avg(v, w) AS wa FROM t GROUP BY k');
    expectSameResults(
      rowsFromArrow(await q.collect()),
      await duck.query(`SELECT k, ${GEOMEAN} AS g, ${WAVG} AS wa FROM ${tSql} GROUP BY k`),
      { ordered: false, relTol: 1e-9 },
    );
  });
});

describe('UDAF errors name the UDAF', () => {
  it('a throwing UDAF, a state JSON cannot carry, an unregistered name, a declaration without its methods', async () => {
    await expect(
      t(on)
        .groupBy('k')
        .agg(boom(col('v')).alias('b'))
        .collect(),
    ).rejects.toThrow(/boom\.update/);
    await expect(
      t(on)
        .groupBy('k')
        .agg(bigState(col('v')).alias('b'))
        .collect(),
    ).rejects.toThrow(/UDAF 'big_state': its state must be JSON-serializable/);
    const missing = new Column(E.agg('udaf', E.col('v'), [], { udaf: 'no_such_udaf', returns: 'float64' }));
    await expect(t(on).agg(missing.alias('m')).collect()).rejects.toThrow(/function 'no_such_udaf' is not registered/);
    expect(() => udaf('half', { init: () => 0 } as never, 'int64')).toThrow(/UDAF 'half' needs its update\(\) method/);
  });
});
