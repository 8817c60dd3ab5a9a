/**
 * CSV and NDJSON readers and writers, checked against DuckDB (read_csv / read_json with explicit
 * options) on whole results, nulls included: header or not, delimiters, quoting (multiLine),
 * nullValue, inference, a given schema, date and timestamp formats, the three parse modes,
 * byte-range splitting (a file over many tasks reads exactly as one task), write → read round
 * trips (DuckDB reading our output too), and clear errors.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { col, session, type Session } from '../src/index.js';
import type { RangeReader } from '../operators/parquet.js';
import { readLines } from '../operators/textRange.js';
import { tempDir } from './support/tpch.js';
import { duckRowsCanon, ourRows } from './support/textData.js';

let s: Session;
let dir: string;
let instance: DuckDBInstance;
let duck: DuckDBConnection;

beforeAll(async () => {
  dir = tempDir('stratus-csv-');
  s = session({ store: tempDir(), executors: 2, progress: false });
  instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
});
afterAll(async () => {
  await s.stop();
  duck.closeSync();
  instance.closeSync();
});

const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text);
  return p;
};

/** Our rows and DuckDB's for the same SQL projection, both canonical, in the same order. */
async function expectSame(df: ReturnType<Session['read']['csv']>, sql: string): Promise<void> {
  expect(ourRows(await df.collect())).toEqual(await duckRowsCanon(duck, sql));
}

const PEOPLE = [
  'id,name,score,born,seen,ok',
  '1,"Smith, Jane",1.5,2024-01-02,2024-01-02 10:00:00,true',
  '2,,2.25,2024-02-29,2024-02-03 11:30:00.5,false',
  '3,"say ""hi""",-3,1999-12-31,,true',
  '4,plain,,2000-01-01,2000-01-01 00:00:01,',
  '',
].join('\n');

describe('read.csv', () => {
  it('header and inferSchema: names from the header, types from a sample, values as DuckDB reads them', async () => {
    const p = file('people.csv', PEOPLE);
    const df = s.read.csv(p, { header: true, inferSchema: true });
    expect((await df.schema()).map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:int32',
      'name:string',
      'score:float64',
      'born:date',
      'seen:timestamp[us]',
      'ok:bool',
    ]);
    await expectSame(
      df.orderBy('id'),
      `select * from read_csv('${p}', header=true, quote='"', escape='"', auto_detect=true) order by id`,
    );
  });

  it('no header: columns _c0.._cN, all strings without inferSchema', async () => {
    const p = file('nohead.csv', PEOPLE.split('\n').slice(1).join('\n'));
    const df = s.read.csv(p);
    const schema = await df.schema();
    expect(schema.map((f) => `${f.name}:${f.type}`)).toEqual(
      ['_c0', '_c1', '_c2', '_c3', '_c4', '_c5'].map((n) => `${n}:string`),
    );
    await expectSame(
      df.orderBy('_c0'),
      `select * from read_csv('${p}', header=false, all_varchar=true, quote='"', escape='"', names=['_c0','_c1','_c2','_c3','_c4','_c5']) order by _c0`,
    );
  });

  it('other delimiters (sep and delimiter), tab included', async () => {
    const semi = file('semi.csv', 'a;b;c\n1;x,y;2.5\n2;;-1\n');
    await expectSame(
      s.read.option('sep', ';').option('header', true).option('inferSchema', true).csv(semi).orderBy('a'),
      `select * from read_csv('${semi}', delim=';', header=true) order by a`,
    );
    const tab = file('tab.tsv', 'a\tb\n1\thello world\n2\t"q\tuoted"\n');
    await expectSame(
      s.read.csv(tab, { delimiter: '\t', header: true, inferSchema: true }).orderBy('a'),
      `select * from read_csv('${tab}', delim='\t', header=true, quote='"') order by a`,
    );
  });

  it('quoted fields with delimiters, quotes and line breaks (multiLine)', async () => {
    const p = file('quoted.csv', 'k,v\n1,"line one\nline two"\n2,"comma, ""quote"" and\r\nCRLF"\n3,plain\n4,""\n5,\n');
    const df = s.read.csv(p, { header: true, inferSchema: true, multiLine: true });
    await expectSame(
      df.orderBy('k'),
      `select * from read_csv('${p}', header=true, quote='"', escape='"', allow_quoted_nulls=false) order by k`,
    );
    // A quoted empty field is an empty string, an unquoted one null.
    const rows = await df.orderBy('k').collectRows();
    expect(rows.slice(3).map((r) => r.v)).toEqual(['', null]);
    // Without multiLine a quoted line break ends the record: malformed, here dropped.
    const single = await s.read.csv(p, { header: true, mode: 'DROPMALFORMED' }).orderBy('k').collectRows();
    expect(single.map((r) => r.k)).toEqual(['3', '4', '5']);
  });

  it('nullValue and an escape character other than the quote', async () => {
    const p = file('nulls.csv', 'a,b\nNA,"x \\"y\\""\n2,NA\n3,""\n');
    const df = s.read.csv(p, { header: true, inferSchema: true, nullValue: 'NA', escape: '\\' });
    await expectSame(
      df,
      `select * from read_csv('${p}', header=true, nullstr='NA', quote='"', escape='\\', allow_quoted_nulls=false) order by a nulls first`,
    );
  });

  it('a given schema (DDL): exact bigint beyond 2^53, decimals digit for digit, dates, timestamps', async () => {
    const p = file(
      'typed.csv',
      '9007199254740993,12345678901234.56,2024-03-01,2024-03-01 12:34:56.123456,x\n-9223372036854775808,-0.01,1970-01-01,1970-01-01 00:00:00,\n',
    );
    const df = s.read.csv(p, { schema: 'id BIGINT, amount DECIMAL(16,2), d DATE, ts TIMESTAMP_NTZ, note STRING' });
    expect((await df.schema()).map((f) => f.type)).toEqual([
      'int64',
      'decimal(16,2)',
      'date',
      'timestamp[us]',
      'string',
    ]);
    await expectSame(
      df.orderBy('id'),
      `select * from read_csv('${p}', header=false, columns={'id':'BIGINT','amount':'DECIMAL(16,2)','d':'DATE','ts':'TIMESTAMP','note':'VARCHAR'}) order by id`,
    );
  });

  it('dateFormat and timestampFormat (Spark patterns)', async () => {
    const p = file('fmt.csv', 'd,t\n02/01/2024,02/01/2024 13:05\n31/12/1999,31/12/1999 23:59\n');
    const df = s.read.csv(p, {
      header: true,
      inferSchema: true,
      dateFormat: 'dd/MM/yyyy',
      timestampFormat: 'dd/MM/yyyy HH:mm',
    });
    expect((await df.schema()).map((f) => f.type)).toEqual(['date', 'timestamp[us]']);
    await expectSame(
      df.orderBy('d'),
      `select * from read_csv('${p}', header=true, columns={'d':'DATE','t':'TIMESTAMP'}, dateformat='%d/%m/%Y', timestampformat='%d/%m/%Y %H:%M') order by d`,
    );
  });
});

const MALFORMED = ['a,b', '1,10', 'x,20', '3', '4,40,400', '5,"open', '6,60', ''].join('\n');

describe('malformed lines: mode', () => {
  it('PERMISSIVE (default): bad values null, the raw record in columnNameOfCorruptRecord', async () => {
    const p = file('bad.csv', MALFORMED);
    const rows = await s.read
      .csv(p, { header: true, schema: 'a INT, b INT', columnNameOfCorruptRecord: '_corrupt' })
      .collectRows();
    expect(rows).toEqual([
      { a: 1, b: 10, _corrupt: null },
      { a: null, b: 20, _corrupt: 'x,20' },
      { a: 3, b: null, _corrupt: '3' },
      { a: 4, b: 40, _corrupt: '4,40,400' },
      { a: 5, b: null, _corrupt: '5,"open' },
      { a: 6, b: 60, _corrupt: null },
    ]);
  });

  it('DROPMALFORMED drops every malformed record, as DuckDB ignore_errors does', async () => {
    const p = file('bad2.csv', MALFORMED);
    await expectSame(
      s.read.csv(p, { header: true, schema: 'a INT, b INT', mode: 'DROPMALFORMED' }),
      `select * from read_csv('${p}', header=true, columns={'a':'INTEGER','b':'INTEGER'}, ignore_errors=true, strict_mode=true) order by a`,
    );
  });

  it('FAILFAST fails naming the file, the line and the byte offset', async () => {
    const p = file('bad3.csv', MALFORMED);
    const df = s.read.csv(p, { header: true, schema: 'a INT, b INT', mode: 'FAILFAST' });
    await expect(df.collect()).rejects.toThrow(
      new RegExp(
        `malformed CSV record in file://${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 3 \\(byte offset 9\\).*column 'a' \\(int32\\) cannot hold "x"`,
      ),
    );
  });
});

describe('byte-range splitting', () => {
  it('FAILFAST in a range that does not start the file names the exact byte offset', async () => {
    const good = Array.from({ length: 200 }, (_, i) => `${i},${i * 2}`).join('\n');
    const offset = Buffer.byteLength(`${good}\n`);
    const p = file('late-bad.csv', `${good}\nbad,1\n7,8\n`);
    const df = s.read.csv(p, { schema: 'a INT, b INT', mode: 'FAILFAST', splitBytes: 100 });
    await expect(df.collect()).rejects.toThrow(
      new RegExp(`late-bad\\.csv at byte offset ${offset}: column 'a' \\(int32\\) cannot hold "bad"`),
    );
    expect(await s.read.csv(p, { schema: 'a INT, b INT', mode: 'DROPMALFORMED', splitBytes: 100 }).count()).toBe(201);
  });

  it('consecutive ranges read every line exactly once, whatever the boundaries', async () => {
    const text = 'a,1\nbb,22\n\nccc,333\r\nd,4\nlast-no-newline';
    const bytes = new TextEncoder().encode(text);
    const r: RangeReader = { name: 't', size: bytes.length, read: async (a, b) => bytes.slice(a, b) };
    const whole = new TextDecoder().decode((await readLines(r, 0, bytes.length)).bytes);
    expect(whole).toBe(text);
    for (let split = 1; split <= bytes.length; split++) {
      let joined = '';
      for (let start = 0; start < bytes.length; start += split)
        joined += new TextDecoder().decode((await readLines(r, start, Math.min(bytes.length, start + split))).bytes);
      expect(joined, `split ${split}`).toBe(text);
    }
  });

  it('a file split into many tasks reads the same rows as one task and as DuckDB, lines straddling boundaries included', async () => {
    const lines = ['id,name,amount'];
    for (let i = 0; i < 3000; i++)
      lines.push(
        `${i},"name ${i % 37}, ${i % 5 === 0 ? 'é€🙂' : ''}${'x'.repeat(i % 23)}",${i % 11 === 0 ? '' : (i * 0.25).toFixed(2)}`,
      );
    const p = file('big.csv', `${lines.join('\n')}\n`);
    const opts = { header: true, inferSchema: true, splitBytes: 1000 };
    const split = session({ store: tempDir(), executors: 2, progress: false, job: { taskBytes: 3000 } });
    try {
      const plan = await split.read.csv(p, opts).filter(col('amount').gt(10)).select('id').explain();
      expect(plan).toMatch(/Scan: path=file:\/\/.*big\.csv columns=\[id, amount\] filters=\[.*amount.*\] format=csv/);
      expect(plan).toMatch(/CsvScan: path=file:\/\/.*big\.csv columns=\[id, amount\]/);
      const many = await split.read.csv(p, opts).collect();
      const tasks = split.lastJobSummary!.stages[0]!.tasks;
      expect(tasks).toBeGreaterThanOrEqual(3);
      const one = await s.read.csv(p, { ...opts, splitBytes: 1 << 30 }).collect();
      expect(s.lastJobSummary!.stages[0]!.tasks).toBe(1);
      expect(ourRows(many)).toEqual(ourRows(one));
      expect(many.numRows).toBe(3000);
      expect(ourRows(many)).toEqual(
        await duckRowsCanon(duck, `select * from read_csv('${p}', header=true, quote='"', escape='"')`),
      );
    } finally {
      await split.stop();
    }
  });
});

describe('read.json (NDJSON)', () => {
  it('infers bigint, double, boolean and string (nested values as JSON text) as DuckDB does', async () => {
    const p = file(
      'events.json',
      [
        '{"id": 9007199254740993, "name": "a", "v": 1.5, "ok": true, "w": 3.0}',
        '{"id": 2, "name": null, "v": 2, "ok": false, "tags": ["a", {"b": 12345678901234567890}]}',
        '{"name": "c, \\"q\\"", "id": -3, "v": -0.25}',
        '{"id": 4, "w": 1.0, "name": "whole double"}',
        '',
      ].join('\n'),
    );
    const df = s.read.json(p);
    expect((await df.schema()).map((f) => `${f.name}:${f.type}`)).toEqual([
      'id:int64',
      'name:string',
      'v:float64',
      'ok:bool',
      'w:float64',
      'tags:string',
    ]);
    const tags = (await df.select('id', 'tags').collectRows()).filter((r) => r.tags !== null);
    expect(tags).toEqual([{ id: 2, tags: '["a",{"b":12345678901234567890}]' }]);
    await expectSame(
      df.drop('tags'),
      `select id, name, v, ok, w from read_json('${p}', format='newline_delimited', columns={'id':'BIGINT','name':'VARCHAR','v':'DOUBLE','ok':'BOOLEAN','w':'DOUBLE'}) order by id`,
    );
  });

  it('a given schema, dates and timestamps by format, and the three modes', async () => {
    const p = file(
      'typed.json',
      [
        '{"k": 1, "d": "2024/01/02", "amount": 12.50}',
        '{"k": "two", "d": "2024/01/03", "amount": 1}',
        'not json',
        '{"k": 4, "d": "2024/13/01"}',
        '{"k": 5}',
        '',
      ].join('\n'),
    );
    const schema = 'k INT, d DATE, amount DECIMAL(10,2)';
    const permissive = await s.read
      .json(p, { schema, dateFormat: 'yyyy/MM/dd', columnNameOfCorruptRecord: '_bad' })
      .collectRows();
    expect(permissive).toEqual([
      { k: 1, d: '2024-01-02', amount: '12.50', _bad: null },
      { k: null, d: '2024-01-03', amount: '1.00', _bad: '{"k": "two", "d": "2024/01/03", "amount": 1}' },
      { k: null, d: null, amount: null, _bad: 'not json' },
      { k: 4, d: null, amount: null, _bad: '{"k": 4, "d": "2024/13/01"}' },
      { k: 5, d: null, amount: null, _bad: null },
    ]);
    const dropped = await s.read.json(p, { schema, dateFormat: 'yyyy/MM/dd', mode: 'DROPMALFORMED' }).collectRows();
    expect(dropped.map((r) => r.k)).toEqual([1, 5]);
    await expect(s.read.json(p, { schema, dateFormat: 'yyyy/MM/dd', mode: 'FAILFAST' }).collect()).rejects.toThrow(
      /malformed JSON record in .*typed\.json line 2 .*column 'k' \(int32\)/,
    );
  });
});

describe('write.csv / write.json', () => {
  const SOURCE = `select * from (values
      (1, 'plain', 1.5::double, 12.34::decimal(10,2), date '2024-01-02', timestamp '2024-01-02 10:00:00.25', true, 9007199254740993::bigint),
      (2, 'comma, "quote"', -0.0::double, -0.01::decimal(10,2), date '1970-01-01', null, false, '-9223372036854775808'::bigint),
      (3, '', null, null, null, timestamp '1999-12-31 23:59:59', null, null),
      (4, null, 3.0::double, 0::decimal(10,2), date '2000-02-29', timestamp '2000-02-29 00:00:00', true, 0::bigint),
      (5, 'line
break', 1e300::double, 99999999.99::decimal(10,2), date '2024-12-31', timestamp '2024-12-31 12:00:00', false, 7::bigint)
    ) t(id, s, x, m, d, ts, b, big)`;
  const SCHEMA = 'id INT, s STRING, x DOUBLE, m DECIMAL(10,2), d DATE, ts TIMESTAMP_NTZ, b BOOLEAN, big BIGINT';
  let src: string;
  beforeAll(async () => {
    src = path.join(dir, 'source.parquet');
    await duck.run(`copy (${SOURCE}) to '${src}' (format parquet)`);
  });

  it('CSV: write → read gives the same rows (nulls and empty strings apart), and DuckDB reads our files', async () => {
    const out = path.join(dir, 'out-csv');
    const written = await s.read.parquet(src).write.mode('overwrite').csv(out, { header: true });
    expect(written.rows).toBe(5);
    const back = s.read.csv(out, { header: true, schema: SCHEMA, multiLine: true });
    await expectSame(back.orderBy('id'), `${SOURCE} order by id`);
    expect(
      await duckRowsCanon(
        duck,
        `select * from read_csv('${out}/*.csv', header=true, quote='"', escape='"', allow_quoted_nulls=false, columns={'id':'INTEGER','s':'VARCHAR','x':'DOUBLE','m':'DECIMAL(10,2)','d':'DATE','ts':'TIMESTAMP','b':'BOOLEAN','big':'BIGINT'})`,
      ),
    ).toEqual(await duckRowsCanon(duck, SOURCE));
  });

  it('CSV with a delimiter, nullValue and a header-less append; save modes as Parquet has them', async () => {
    const out = path.join(dir, 'out-csv2');
    const df = s.read.parquet(src).select('id', 's');
    await df.write.csv(out, { sep: '|', nullValue: 'NULL' });
    await expect(df.write.csv(out)).rejects.toThrow(/already exists/);
    expect((await df.write.mode('ignore').csv(out)).rows).toBe(0);
    // Spark's builder form: format / option / save.
    await df.write.format('csv').option('sep', '|').options({ nullValue: 'NULL' }).mode('append').save(out);
    const back = s.read.csv(out, { sep: '|', nullValue: 'NULL', schema: 'id INT, s STRING', multiLine: true });
    expect(await back.count()).toBe(10);
    await expectSame(back.orderBy('id', 's'), `select id, s from (${SOURCE} union all ${SOURCE}) order by id, s`);
  });

  it('NDJSON: write → read round trip and DuckDB reading our files', async () => {
    const out = path.join(dir, 'out-json');
    await s.read.parquet(src).write.mode('overwrite').json(out);
    const back = s.read.json(out, { schema: SCHEMA });
    await expectSame(back.orderBy('id'), `${SOURCE} order by id`);
    expect(
      await duckRowsCanon(
        duck,
        `select id, s, x, m, d, ts, b, big from read_json('${out}/*.json', format='newline_delimited', columns={'id':'INTEGER','s':'VARCHAR','x':'DOUBLE','m':'DECIMAL(10,2)','d':'DATE','ts':'TIMESTAMP','b':'BOOLEAN','big':'BIGINT'})`,
      ),
    ).toEqual(await duckRowsCanon(duck, SOURCE));
  });

  it('partitionBy writes hive directories that read back with the partition column', async () => {
    const out = path.join(dir, 'out-part');
    await s.read.parquet(src).select('id', 'b').write.partitionBy('b').csv(out, { header: true });
    const back = await s.read.csv(out, { header: true, inferSchema: true }).orderBy('id').collectRows();
    // Partition values are typed as for Parquet datasets (int, bigint, double, date, else string).
    expect(back).toEqual([
      { id: 1, b: 'true' },
      { id: 2, b: 'false' },
      { id: 3, b: null },
      { id: 4, b: 'true' },
      { id: 5, b: 'false' },
    ]);
    expect(
      fs
        .readdirSync(out)
        .filter((d) => d.startsWith('b='))
        .sort(),
    ).toEqual(['b=__HIVE_DEFAULT_PARTITION__', 'b=false', 'b=true']);
  });
});

describe('errors', () => {
  it('a missing file', async () => {
    await expect(s.read.csv(path.join(dir, 'nope.csv')).collect()).rejects.toThrow(/nope\.csv' does not exist/);
  });

  it('bad options name the option', () => {
    expect(() => s.read.csv('x.csv', { hedaer: true } as never)).toThrow(/unknown csv read option 'hedaer'/);
    expect(() => s.read.csv('x.csv', { mode: 'LENIENT' })).toThrow(
      /'mode' is one of PERMISSIVE, DROPMALFORMED, FAILFAST/,
    );
    expect(() => s.read.csv('x.csv', { sep: ';;' })).toThrow(/option 'sep' takes one character/);
    expect(() => s.read.json('x.json', { header: true })).toThrow(/unknown json read option 'header'/);
    expect(() => s.read.csv('x.csv', { schema: 'a INTERVAL' })).toThrow(/column 'a' has type 'INTERVAL'/);
    expect(() => s.read.option('sep', ';').parquet('x.parquet')).toThrow(/'sep' is not a Parquet option/);
    expect(() => s.read.parquet('x').write.option('header', true).parquet('y')).toThrow(
      /'header' is not a Parquet option/,
    );
    expect(() => s.read.parquet('x').write.csv('y', { compression: 'gzip' })).toThrow(
      /unknown csv write option 'compression'/,
    );
  });

  it('a schema that does not match the file fails in FAILFAST naming the field count', async () => {
    const p = file('mismatch.csv', 'a,b,c\n1,2,3\n');
    const df = s.read.csv(p, { header: true, schema: 'a INT, b INT', mode: 'FAILFAST' });
    await expect(df.collect()).rejects.toThrow(/mismatch\.csv line 2 .*the record has 3 fields, the schema 2/);
  });
});
