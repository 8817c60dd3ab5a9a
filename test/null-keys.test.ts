/**
 * NULL group keys form ONE group, whatever bytes a decoder or a join leaves under the null slot:
 * group-by in one phase (count distinct, after a limit, partial aggregation off), group-by over
 * the nulls of a left join mixed with file nulls, distinct, and the hash shuffle. Every key type
 * is covered; results are compared with DuckDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GroupTable, hashRows } from '../operators/hash.js';
import type { Vec } from '../operators/vector.js';
import { col, count, countDistinct, session, sum, type DataFrame, type Session } from '../src/index.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { generatedTables, type Generated } from './support/generated.js';
import { tempDir } from './support/tpch.js';

/**
 * Six rows; the key columns are NULL in four of them. Values under the nulls differ row to row in
 * DuckDB's encoding (it writes nothing for nulls, so decoders fill in what they like), and `k`
 * joins `side` on only some rows, so a left join adds nulls of its own.
 */
const T_SQL = `
  SELECT * FROM (VALUES
    (0, 10,   'x',  1.5::DOUBLE,  true,  DATE '2020-01-01', 5000000000::BIGINT, 1),
    (1, NULL, NULL, NULL,         NULL,  NULL,              NULL,               2),
    (2, NULL, NULL, NULL,         NULL,  NULL,              NULL,               3),
    (3, 10,   'x',  1.5::DOUBLE,  true,  DATE '2020-01-01', 5000000000::BIGINT, 1),
    (4, NULL, NULL, NULL,         NULL,  NULL,              NULL,               4),
    (5, NULL, NULL, NULL,         NULL,  NULL,              NULL,               2)
  ) AS t(id, d, s, f, b, dt, big, g)`;

/** Join partner for `t.id`: only ids 0, 1 and 3 match, and `v` has nulls of its own. */
const SIDE_SQL = `
  SELECT * FROM (VALUES (0, 7), (1, NULL), (3, 7)) AS s(id, v)`;

const KEYS = ['d', 's', 'f', 'b', 'dt', 'big'] as const;

let s: Session;
let fx: Generated;
let t: DataFrame;
let side: DataFrame;
let tSql: string;
let sideSql: string;

beforeAll(async () => {
  fx = await generatedTables(tempDir('stratus-nullkeys-'), {
    t: { sql: T_SQL, rowGroup: 2 },
    side: { sql: SIDE_SQL, rowGroup: 2 },
  });
  tSql = fx.sql('t');
  sideSql = fx.sql('side');
  s = session({ store: tempDir(), executors: 1, progress: false, job: { shufflePartitions: 3 } });
  t = s.read.parquet(fx.path('t'));
  side = s.read.parquet(fx.path('side'));
});
afterAll(async () => {
  await s?.stop();
  fx?.duck.close();
});

async function expectSame(df: DataFrame, sql: string): Promise<void> {
  expectSameResults(rowsFromArrow(await df.collect()), await fx.duck.query(sql), { ordered: false });
}

describe('NULL group keys are one group', () => {
  for (const k of KEYS) {
    it(`groupBy(${k}) with count(*) and countDistinct (one phase)`, async () => {
      await expectSame(
        t.groupBy(k).agg(count('*').alias('n'), countDistinct('g').alias('dg')),
        `SELECT ${k}, count(*) AS n, count(DISTINCT g) AS dg FROM ${tSql} GROUP BY ${k}`,
      );
    });
  }

  it('every key type at once, with partial aggregation off', async () => {
    const s2 = session({
      store: tempDir(),
      executors: 1,
      progress: false,
      job: { shufflePartitions: 3, disabledRules: ['partial_aggregation'] },
    });
    try {
      const df = s2.read.parquet(fx.path('t'));
      for (const k of KEYS)
        expectSameResults(
          rowsFromArrow(await df.groupBy(k).agg(count('*').alias('n'), sum('g').alias('sg')).collect()),
          await fx.duck.query(`SELECT ${k}, count(*) AS n, sum(g) AS sg FROM ${tSql} GROUP BY ${k}`),
          { ordered: false },
        );
    } finally {
      await s2.stop();
    }
  });

  it('a group-by after a limit', async () => {
    await expectSame(
      t.limit(6).groupBy('d', 's').agg(count('*').alias('n')),
      `SELECT d, s, count(*) AS n FROM ${tSql} GROUP BY d, s`,
    );
  });

  it('a multi-column key of every type', async () => {
    await expectSame(
      t.groupBy(...KEYS).agg(count('*').alias('n'), countDistinct('g').alias('dg')),
      `SELECT ${KEYS.join(', ')}, count(*) AS n, count(DISTINCT g) AS dg FROM ${tSql} GROUP BY ${KEYS.join(', ')}`,
    );
  });

  it('distinct', async () => {
    await expectSame(t.select(...KEYS).distinct(), `SELECT DISTINCT ${KEYS.join(', ')} FROM ${tSql}`);
  });

  it('join nulls and file nulls after a left join', async () => {
    await expectSame(
      t.join(side, 'id', 'left').groupBy('v', 'd').agg(count('*').alias('n'), countDistinct('g').alias('dg')),
      `SELECT v, d, count(*) AS n, count(DISTINCT g) AS dg FROM ${tSql} LEFT JOIN ${sideSql} USING (id) GROUP BY v, d`,
    );
  });

  it('null-safe equality joins nulls to nulls', async () => {
    const r = side.withColumnRenamed('id', 'rid');
    await expectSame(
      t.join(r, col('d').eqNullSafe(col('v')), 'inner').select('id', 'rid'),
      `SELECT id, rid FROM ${tSql} JOIN (SELECT id AS rid, v FROM ${sideSql}) ON d IS NOT DISTINCT FROM v`,
    );
  });
});

describe('hashRows and GroupTable ignore the bytes under a null slot', () => {
  const nulls = Uint8Array.of(0b10); // row 0 null, row 1 valid
  const pairs: [Vec, Vec][] = [
    [
      { type: 'int32', values: Int32Array.of(7, 1), validity: nulls },
      { type: 'int32', values: Int32Array.of(-3, 1), validity: nulls },
    ],
    [
      { type: 'float64', values: Float64Array.of(Number.NaN, 2), validity: nulls },
      { type: 'float64', values: Float64Array.of(0.5, 2), validity: nulls },
    ],
    [
      { type: 'bool', values: Uint8Array.of(1, 0), validity: nulls },
      { type: 'bool', values: Uint8Array.of(0, 0), validity: nulls },
    ],
    [
      { type: 'string', offsets: Int32Array.of(0, 3, 4), data: new TextEncoder().encode('abcz'), validity: nulls },
      { type: 'string', offsets: Int32Array.of(0, 0, 1), data: new TextEncoder().encode('z'), validity: nulls },
    ],
  ];
  for (const [a, b] of pairs) {
    it(`${a.type}: equal hashes and one group for null rows with different slot contents`, () => {
      const other: Vec = { type: 'int32', values: Int32Array.of(4, 4), validity: null };
      expect(hashRows([a, other], 2)).toEqual(hashRows([b, other], 2));
      const table = new GroupTable([a.type, 'int32']);
      const ga = table.groupIds([a, other], 2);
      const gb = table.groupIds([b, other], 2);
      expect([...gb]).toEqual([...ga]);
      expect(table.size).toBe(2);
    });
  }
});
