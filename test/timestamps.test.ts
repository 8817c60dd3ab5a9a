/**
 * Timestamps and times are exact end to end: every flavour DuckDB writes (TIMESTAMP,
 * TIMESTAMP_MS, TIMESTAMP_NS, TIMESTAMP_S, TIMESTAMPTZ, TIME) — values before 1970, fractions
 * to the nanosecond, NULLs — goes through read → filter / group / join / sort / shuffle →
 * collect with its unit and zone, and through write → DuckDB reads back the same types and
 * values. Compared with DuckDB as integer counts of each unit. Types are known at analysis
 * (printSchema), and operations a timestamp does not support fail at plan time naming column
 * and type. Arrow zones and seconds units that Parquet cannot say survive through the embedded
 * Arrow schema.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coalesce,
  col,
  count,
  countDistinct,
  date,
  date_format,
  date_trunc,
  lit,
  max,
  min,
  session,
  greatest,
  sum,
  timestamp,
  upper,
  when,
  type Column,
  type DataFrame,
  type Session,
} from '../src/index.js';
import { PlanError, SchemaError } from '../planner/errors.js';
import { expectSameResults } from './support/compare.js';
import {
  counted,
  duckdb,
  duckRows,
  EVENTS_SQL,
  exactRows,
  type Fixture,
  TAGS_SQL,
  writeParquet,
} from './support/timestamps.js';
import { tempDir } from './support/tpch.js';

const TEMPORAL = ['ts', 'tms', 'tns', 'tsec', 'tz', 't'];

let s: Session;
let duck: Fixture;
let dir: string;
let events: DataFrame;
let tags: DataFrame;
let eventsSql: string;
let tagsSql: string;

async function expectSame(df: DataFrame, sql: string, ordered = false): Promise<void> {
  expectSameResults(exactRows(await df.collect()), await duckRows(duck.conn, sql), { ordered });
}

beforeAll(async () => {
  dir = tempDir('stratus-ts-');
  duck = await duckdb();
  const e = await writeParquet(duck.conn, EVENTS_SQL, dir, 'events', 3, 'id');
  const t = await writeParquet(duck.conn, TAGS_SQL, dir, 'tags', 2, 'tag');
  eventsSql = `read_parquet('${e}/*.parquet')`;
  tagsSql = `read_parquet('${t}/*.parquet')`;
  s = session({ store: tempDir(), executors: 2, progress: false, job: { shufflePartitions: 3 } });
  events = s.read.parquet(e);
  tags = s.read.parquet(t);
});
afterAll(async () => {
  await s?.stop();
  duck?.close();
});

describe('timestamp types are known at analysis', () => {
  it('schema and printSchema name unit and zone for every flavour', async () => {
    expect((await events.schema()).map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:int32',
      'k:int32',
      'ts:timestamp[us]',
      'tms:timestamp[ms]',
      'tns:timestamp[ns]',
      'tsec:timestamp[us]', // DuckDB writes TIMESTAMP_S as microseconds
      'tz:timestamp[us, UTC]',
      't:time[us]',
      'd:date',
      's:string',
    ]);
    const lines: string[] = [];
    const log = console.log;
    console.log = (x: string) => lines.push(x);
    try {
      await events.select('tns', 'tz', 't').printSchema();
    } finally {
      console.log = log;
    }
    expect(lines.join('\n')).toBe(
      [
        'root',
        ' |-- tns: timestamp[ns] (nullable = true)',
        ' |-- tz: timestamp[us, UTC] (nullable = true)',
        ' |-- t: time[us] (nullable = true)',
      ].join('\n'),
    );
  });

  it('collect returns every value as stored, with its Arrow unit and zone', async () => {
    const table = await events.select('id', ...TEMPORAL).collect();
    expect(table.schema.fields.map((f) => String(f.type))).toEqual([
      'Int32',
      'Timestamp<MICROSECOND>',
      'Timestamp<MILLISECOND>',
      'Timestamp<NANOSECOND>',
      'Timestamp<MICROSECOND>',
      'Timestamp<MICROSECOND, UTC>',
      'Time64<MICROSECOND>',
    ]);
    await expectSame(events.select('id', ...TEMPORAL), `SELECT id, ${counted(TEMPORAL)} FROM ${eventsSql}`);
  });

  it('take() gives timestamps as text, as DuckDB prints them; instants with their offset in the session zone', async () => {
    const [row] = await events.filter(col('id').eq(1)).select('ts', 'tms', 'tns', 'tz', 't').take(1);
    const text = await duckRows(
      duck.conn,
      `SELECT ts::VARCHAR, tms::VARCHAR, tns::VARCHAR, (tz AT TIME ZONE 'UTC')::VARCHAR || '+00:00', t::VARCHAR,
         (tz AT TIME ZONE 'America/New_York')::VARCHAR, strftime(tz AT TIME ZONE 'America/New_York', '%Y') FROM ${eventsSql} WHERE id = 1`,
    );
    const [ts, tms, tns, tz, t, nyWall] = text.rows[0]!;
    expect(row).toEqual({ ts, tms, tns, tz, t });
    expect(String(tz)).toMatch(/^1966-09-/); // before 1970
    const ny = session({ store: tempDir(), executors: 1, progress: false, timeZone: 'America/New_York' });
    try {
      const [r] = await ny.read.parquet(path.join(dir, 'events')).filter(col('id').eq(1)).select('tz').take(1);
      expect(r).toEqual({ tz: `${nyWall}-04:00` }); // September: daylight time
    } finally {
      await ny.stop();
    }
  });
});

describe('filter, group, join and sort on timestamps match DuckDB', () => {
  it('filters against timestamp literals, strings, dates and other units', async () => {
    await expectSame(
      events.filter(col('ts').geq(timestamp('1969-07-20 20:17:40.123457'))).select('id'),
      `SELECT id FROM ${eventsSql} WHERE ts >= TIMESTAMP '1969-07-20 20:17:40.123457'`,
    );
    await expectSame(
      events.filter(col('tns').lt('1968-01-01 00:00:00.5')).select('id'),
      `SELECT id FROM ${eventsSql} WHERE tns < TIMESTAMP_NS '1968-01-01 00:00:00.5'`,
    );
    await expectSame(
      events
        .filter(
          col('tz')
            .gt(timestamp('1970-06-01T00:00:00Z'))
            .and(col('tz').lt(lit(new Date('1974-01-01T00:00:00Z')))),
        )
        .select('id'),
      `SELECT id FROM ${eventsSql} WHERE tz > TIMESTAMPTZ '1970-06-01 00:00:00+00' AND tz < TIMESTAMPTZ '1974-01-01 00:00:00+00'`,
    );
    await expectSame(
      events.filter(col('tms').leq(date('1967-05-01'))).select('id'),
      `SELECT id FROM ${eventsSql} WHERE tms <= DATE '1967-05-01'`,
    );
    // Units meet in the finer one: a microsecond column against milliseconds and nanoseconds.
    await expectSame(
      events.filter(col('ts').eq(col('tms'))).select('id'),
      `SELECT id FROM ${eventsSql} WHERE ts = tms`,
    );
    await expectSame(
      events.filter(col('tns').gt(col('ts'))).select('id'),
      `SELECT id FROM ${eventsSql} WHERE tns > ts`,
    );
    await expectSame(
      events.filter(col('ts').isin(timestamp('1969-07-20 20:17:40.123456'), '1970-01-14 04:17:40.123458')).select('id'),
      `SELECT id FROM ${eventsSql} WHERE ts IN (TIMESTAMP '1969-07-20 20:17:40.123456', TIMESTAMP '1970-01-14 04:17:40.123458')`,
    );
    await expectSame(
      events.filter(col('t').between('06:00:00', '12:30:00.5')).select('id'),
      `SELECT id FROM ${eventsSql} WHERE t BETWEEN TIME '06:00:00' AND TIME '12:30:00.5'`,
    );
  });

  it('grouping by each flavour gives one group per value (NULL once); min / max / count keep type and value', async () => {
    for (const c of ['ts', 'tns', 'tz', 't']) {
      await expectSame(
        events.groupBy(c).agg(count('*').alias('n'), min('id').alias('lo')),
        `SELECT ${counted([c])}, count(*) AS n, min(id) AS lo FROM ${eventsSql} GROUP BY ${c}`,
      );
    }
    await expectSame(
      events
        .groupBy('k')
        .agg(
          min('ts').alias('ts'),
          max('tns').alias('tns'),
          max('tz').alias('tz'),
          min('t').alias('t'),
          countDistinct('tms').alias('dm'),
        ),
      `SELECT k, epoch_us(min(ts)) AS ts, epoch_ns(max(tns)) AS tns, epoch_us(max(tz)) AS tz, epoch_us(min(t)) AS t,
         count(DISTINCT tms) AS dm FROM ${eventsSql} GROUP BY k`,
    );
    await expectSame(events.select('tsec').distinct(), `SELECT DISTINCT ${counted(['tsec'])} FROM ${eventsSql}`);
  });

  it('joins on timestamp keys (same unit, and a microsecond key against a millisecond one)', async () => {
    await expectSame(
      events.join(tags.select('ts', 'tag'), 'ts').select('id', 'tag'),
      `SELECT id, tag FROM ${eventsSql} e JOIN ${tagsSql} g USING (ts)`,
    );
    await expectSame(
      events.join(tags.withColumnRenamed('tms', 'g_tms'), col('tms').eq(col('g_tms')), 'left').select('id', 'tag'),
      `SELECT id, tag FROM ${eventsSql} e LEFT JOIN ${tagsSql} g ON e.tms = g.tms`,
    );
    await expectSame(
      events.join(tags.select(col('tms').alias('gm'), 'tag'), col('ts').eq(col('gm'))).select('id', 'tag'),
      `SELECT id, tag FROM ${eventsSql} e JOIN ${tagsSql} g ON e.ts = g.tms`,
    );
  });

  it('sorts by timestamps (pre-1970 first, NULLs as asked) through the range shuffle', async () => {
    await expectSame(
      events.orderBy(col('tns').desc(), col('id')).select('id', 'tns'),
      `SELECT id, epoch_ns(tns) AS tns FROM ${eventsSql} ORDER BY tns DESC NULLS LAST, id`,
      true,
    );
    await expectSame(
      events.orderBy(col('tz').ascNullsLast(), col('id')).limit(20).select('id', 'tz'),
      `SELECT id, epoch_us(tz) AS tz FROM ${eventsSql} ORDER BY tz ASC NULLS LAST, id LIMIT 20`,
      true,
    );
  });
});

describe('expressions that mix timestamp types agree on one type', () => {
  it('coalesce, greatest, CASE and casts (to and from text, dates, seconds) match DuckDB', async () => {
    const df = events.select(
      'id',
      coalesce(col('tms'), col('ts')).alias('c'),
      greatest(col('ts'), col('tns')).alias('g'),
      when(col('k').eq(0), col('tms')).otherwise(col('ts')).alias('w'),
      col('tz').cast('string').alias('tz_s'),
      col('ts').cast('string').alias('ts_s'),
      col('tz').cast('date').alias('tz_d'),
      col('s').cast('timestamp_ntz').alias('s_ntz'),
      col('s').cast('timestamp').alias('s_ltz'),
      col('ts').cast('int64').alias('secs'),
      col('tns').cast('timestamp[ms]').alias('ns_ms'),
      col('t').cast('string').alias('t_s'),
    );
    expect((await df.schema()).map((f) => f.type).slice(1, 4)).toEqual([
      'timestamp[us]',
      'timestamp[ns]',
      'timestamp[us]',
    ]);
    await expectSame(
      df,
      `SELECT id, epoch_us(coalesce(tms, ts)) AS c, epoch_ns(greatest(ts::TIMESTAMP_NS, tns)) AS g,
         epoch_us(CASE WHEN k = 0 THEN tms ELSE ts END) AS w, (tz AT TIME ZONE 'UTC')::VARCHAR AS tz_s, ts::VARCHAR AS ts_s,
         tz::DATE AS tz_d, epoch_us(s::TIMESTAMP) AS s_ntz, epoch_us(s::TIMESTAMPTZ) AS s_ltz, floor(epoch(ts))::BIGINT AS secs,
         floor(epoch_ns(tns) / 1000000)::BIGINT AS ns_ms, t::VARCHAR AS t_s FROM ${eventsSql}`,
    );
  });
});

describe('footer statistics of timestamp columns prune row groups, never rows', () => {
  it('a selective range on a sorted column reads fewer row groups; values at group boundaries stay', async () => {
    const sorted = path.join(dir, 'sorted');
    fs.mkdirSync(sorted);
    const file = path.join(sorted, 's.parquet');
    await duck.conn.run(
      `COPY (SELECT TIMESTAMP '1968-01-01 00:00:00.000001' + i * INTERVAL 1 HOUR + i * INTERVAL 7 MICROSECOND AS ts,
           (TIMESTAMP '1968-01-01 00:00:00' + i * INTERVAL 1 HOUR)::TIMESTAMP_MS AS tms,
           (TIMESTAMP '1968-01-01 00:00:00' + i * INTERVAL 1 HOUR)::TIMESTAMPTZ AS tz,
           make_timestamp_ns(epoch_ns(TIMESTAMP '1968-01-01 00:00:00' + i * INTERVAL 1 HOUR) + 1) AS tns
         FROM range(0, 20480) AS t(i) ORDER BY i) TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 2048)`,
    );
    const df = s.read.parquet(sorted);
    const sql = `read_parquet('${file}')`;
    // The first and last rows of row groups, so a bound rounded the wrong way would lose them.
    const at = async (row: number, c: string) =>
      String((await duckRows(duck.conn, `SELECT ${c}::VARCHAR FROM ${sql} LIMIT 1 OFFSET ${row}`)).rows[0]![0]);
    const [first6, last2, first3] = [await at(12288, 'ts'), await at(4095, 'tms'), await at(6144, 'tz')];
    const cases: [Column, string][] = [
      [col('ts').geq(timestamp(first6)), `ts >= TIMESTAMP '${first6}'`],
      [col('tms').leq(timestamp(last2)), `tms <= TIMESTAMP '${last2}'`],
      [col('tz').lt(timestamp(`${first3.replace('+00', '')}Z`)), `tz < TIMESTAMPTZ '${first3}'`],
      [col('tns').gt(timestamp('1968-05-25 00:00:00.000000001')), `tns > TIMESTAMP_NS '1968-05-25 00:00:00.000000001'`],
    ];
    const pruned: number[] = [];
    for (const [cond, where] of cases) {
      await expectSame(df.filter(cond).select('ts'), `SELECT epoch_us(ts) AS ts FROM ${sql} WHERE ${where}`);
      pruned.push(s.lastJobSummary!.prunedRowGroups ?? 0);
    }
    // Of 10 groups: bounds are widened by a millisecond (the footer reader rounds them), so the group
    // starting exactly at an exclusive bound is read.
    expect(pruned.slice(0, 3)).toEqual([6, 8, 6]);
    expect(pruned[3]).toBe(0); // nanosecond bounds beyond 2^53 are not kept: no pruning, same rows
  });
});

describe('writes keep unit and zone: DuckDB reads back identical values and types', () => {
  it('every flavour, through a shuffle', async () => {
    const out = path.join(dir, 'out-roundtrip');
    await events.repartition(3).write.mode('overwrite').parquet(out);
    const back = `read_parquet('${out}/*.parquet')`;
    const types = await duckRows(duck.conn, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${back})`);
    expectSameResults(
      types,
      await duckRows(duck.conn, `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${eventsSql})`),
      {
        ordered: true,
      },
    );
    const all = ['id', 'k', ...TEMPORAL, 'd', 's'];
    expectSameResults(
      await duckRows(duck.conn, `SELECT ${counted(all)} FROM ${back}`),
      await duckRows(duck.conn, `SELECT ${counted(all)} FROM ${eventsSql}`),
      { ordered: false },
    );
    // And Stratus reads its own output back with the same types.
    expect((await s.read.parquet(out).schema()).map((f) => f.type)).toEqual((await events.schema()).map((f) => f.type));
  });

  it('Arrow zones and a seconds unit (embedded Arrow schema) survive read, compute and write', async () => {
    const src = path.join(dir, 'arrow-zones');
    fs.mkdirSync(src);
    const secs = new BigInt64Array([-86_401n, 0n, 1_700_000_000n]);
    const ms = new BigInt64Array([-1n, 1_710_054_000_000n, 1_730_613_600_000n]);
    const fields = [
      new arrow.Field('sec', new arrow.TimestampSecond(), true),
      new arrow.Field('ny', new arrow.TimestampMillisecond('America/New_York'), true),
    ];
    const schema = new arrow.Schema(fields);
    const data = arrow.makeData({
      type: new arrow.Struct(fields),
      length: 3,
      nullCount: 0,
      children: [
        arrow.makeData({ type: fields[0]!.type, length: 3, data: secs }),
        arrow.makeData({ type: fields[1]!.type, length: 3, data: ms }),
      ],
    });
    const table = new arrow.Table(schema, [new arrow.RecordBatch(schema, data)]);
    const bytes = pw.writeParquet(pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
    fs.writeFileSync(path.join(src, 'part-0.parquet'), bytes);

    const df = s.read.parquet(src);
    expect((await df.schema()).map((f) => f.type)).toEqual(['timestamp[s]', 'timestamp[ms, America/New_York]']);
    const got = exactRows(
      await df
        .filter(col('ny').gt(timestamp('1970-01-01T00:00:00Z')))
        .orderBy('sec')
        .collect(),
    );
    expect(got.rows).toEqual([
      ['0', '1710054000000'],
      ['1700000000', '1730613600000'],
    ]);
    const out = path.join(dir, 'out-arrow-zones');
    await df.write.mode('overwrite').parquet(out);
    expect((await s.read.parquet(out).schema()).map((f) => f.type)).toEqual([
      'timestamp[ms]',
      'timestamp[ms, America/New_York]',
    ]);
    // Parquet has no seconds: written as milliseconds (MILLIS in the footer), the same instants; DuckDB reads
    // millisecond timestamps as its TIMESTAMP, and a zoned one as TIMESTAMPTZ.
    const back = await duckRows(
      duck.conn,
      `SELECT epoch_ms(sec) AS sec, epoch_ms(ny) AS ny, typeof(sec) AS a, typeof(ny) AS b FROM '${out}/*.parquet' ORDER BY sec`,
    );
    expect(back.rows).toEqual([
      ['-86401000', '-1', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE'],
      ['0', '1710054000000', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE'],
      ['1700000000000', '1730613600000', 'TIMESTAMP', 'TIMESTAMP WITH TIME ZONE'],
    ]);
  });
});

describe('unsupported operations fail at plan time, naming column and type', () => {
  const planError = async (df: () => DataFrame, ...parts: string[]) => {
    const err = await df()
      .collect()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(Error);
    expect(err instanceof PlanError || err instanceof SchemaError).toBe(true);
    for (const p of parts) expect((err as Error).message).toContain(p);
  };

  it('arithmetic, sums and string functions on timestamps', async () => {
    await planError(() => events.groupBy('k').agg(sum('ts')), 'sum(ts)', 'timestamp[us]');
    await planError(() => events.select(col('tz').plus(1)), 'tz', 'timestamp[us, UTC]', 'interval');
    await planError(() => events.select(col('ts').minus(col('tms'))), 'ts', 'tms', 'timestamp[ms]');
    await planError(() => events.select(upper(col('t'))), 'upper(t)', 'time[us]');
    await planError(() => events.select(col('tns').cast('bool')), 'tns', 'timestamp[ns]', 'bool');
    await planError(() => events.filter(col('t').eq(col('ts'))), 'time[us]', 'timestamp[us]');
  });

  it('bad literals and zones are named', async () => {
    await planError(() => events.filter(col('ts').gt('2024-13-01')), "'2024-13-01'", 'timestamp[us]');
    expect(() => timestamp('yesterday')).toThrow(/invalid timestamp\[us\] literal 'yesterday'/);
    await planError(() => events.select(date_format('ts', 'yyyy-MM-dd bb')), "'yyyy-MM-dd bb'", "letter 'b'");
    await planError(() => events.select(date_trunc('fortnight', 'ts')), "'fortnight'", 'week');
    expect(() => session({ timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone 'Mars\/Olympus'/);
  });
});
