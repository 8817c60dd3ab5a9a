/**
 * CSV and NDJSON over the S3-compatible server (s3rver, test/support/s3-global-setup.ts): a CSV
 * file uploaded to the bucket reads over ranged GETs split into several byte-range tasks with
 * exactly the rows the local file gives (and DuckDB reads); writes to `s3://…` commit and read
 * back as they do locally — job store and data both on S3; malformed records in a later byte range
 * follow the parse modes there as they do on a local disk (same rows, same byte offset named).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { session, type Session } from '../src/index.js';
import { s3Store, uniquePrefix } from './support/s3data.js';
import { duckRowsCanon, ourRows } from './support/textData.js';
import { tempDir } from './support/tpch.js';

const endpoint = inject('s3Endpoint');
const bucket = inject('s3Bucket');
const prefix = uniquePrefix('csv-json');

let local: Session;
let remote: Session;
let dir: string;
const csvText = (() => {
  const lines = ['id,name,amount,day'];
  for (let i = 0; i < 2000; i++)
    lines.push(
      `${i},"n${i % 13}, ""q"" ${'y'.repeat(i % 17)}",${i % 9 === 0 ? '' : (i / 8).toFixed(3)},2024-01-${String((i % 28) + 1).padStart(2, '0')}`,
    );
  return `${lines.join('\n')}\n`;
})();

/** 6000 good CSV lines (several tasks at taskBytes 20,000) with malformed ones in the later ranges; NDJSON likewise. */
const goodCsv = Array.from({ length: 6000 }, (_, i) => `${i},${i * 2}`).join('\n');
const badCsv = `${goodCsv}\nbad,1\n7\n8,9,10\n11,22\n`;
const badJson = `${Array.from({ length: 6000 }, (_, i) => JSON.stringify({ a: i, b: i * 2 })).join('\n')}\nnot json\n{"a":"x","b":1}\n{"a":11,"b":22}\n`;

beforeAll(async () => {
  dir = tempDir('stratus-csv-s3-');
  fs.writeFileSync(path.join(dir, 'bad.csv'), badCsv);
  fs.writeFileSync(path.join(dir, 'bad.json'), badJson);
  const data = s3Store({ endpoint, bucket, prefix: `${prefix}/data` });
  await data.put('bad-csv/part-0.csv', new TextEncoder().encode(badCsv));
  await data.put('bad-json/part-0.json', new TextEncoder().encode(badJson));
  fs.writeFileSync(path.join(dir, 'in.csv'), csvText);
  await s3Store({ endpoint, bucket, prefix: `${prefix}/data` }).put('in/part-0.csv', new TextEncoder().encode(csvText));
  local = session({ store: tempDir(), executors: 2, progress: false });
  remote = session({
    store: `s3://${bucket}/${prefix}/jobs`,
    endpoint,
    executors: 2,
    progress: false,
    job: { taskBytes: 20_000 },
  });
});
afterAll(async () => {
  await local?.stop();
  await remote?.stop();
});

const OPTS = { header: true, inferSchema: true, splitBytes: 5000 };

describe('CSV and NDJSON on S3', () => {
  it('reads an S3 CSV in several byte-range tasks with the rows of the local file and of DuckDB', async () => {
    const fromS3 = await remote.read.csv(`s3://${bucket}/${prefix}/data/in`, OPTS).collect();
    expect(remote.lastJobSummary!.stages[0]!.tasks).toBeGreaterThanOrEqual(3);
    const fromDisk = await local.read.csv(path.join(dir, 'in.csv'), OPTS).collect();
    expect(fromS3.numRows).toBe(2000);
    expect(ourRows(fromS3)).toEqual(ourRows(fromDisk));
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    try {
      expect(ourRows(fromS3)).toEqual(
        await duckRowsCanon(
          conn,
          `select * from read_csv('${path.join(dir, 'in.csv')}', header=true, quote='"', escape='"')`,
        ),
      );
    } finally {
      conn.closeSync();
      instance.closeSync();
    }
  });

  it('writes CSV and NDJSON to S3 through the job commit and reads them back unchanged', async () => {
    const src = remote.read.csv(`s3://${bucket}/${prefix}/data/in`, OPTS);
    const expected = ourRows(await local.read.csv(path.join(dir, 'in.csv'), OPTS).collect());
    const csvOut = `s3://${bucket}/${prefix}/out-csv`;
    expect((await src.write.mode('overwrite').csv(csvOut, { header: true })).rows).toBe(2000);
    await expect(src.write.csv(csvOut)).rejects.toThrow(/already exists/);
    const schema = 'id INT, name STRING, amount DOUBLE, day DATE';
    expect(ourRows(await remote.read.csv(csvOut, { header: true, schema }).collect())).toEqual(expected);
    const jsonOut = `s3://${bucket}/${prefix}/out-json`;
    await src.write.mode('overwrite').json(jsonOut);
    expect(ourRows(await remote.read.json(jsonOut, { schema }).collect())).toEqual(expected);
    // An overwrite replaces the dataset whole.
    await src.limit(5).write.mode('overwrite').json(jsonOut);
    expect(await remote.read.json(jsonOut, { schema }).count()).toBe(5);
  });

  it('malformed records in later byte ranges: PERMISSIVE, DROPMALFORMED and FAILFAST over S3 as on disk', async () => {
    const offset = Buffer.byteLength(`${goodCsv}\n`);
    const csvOpts = { schema: 'a INT, b INT', splitBytes: 5000 };
    const jsonOpts = { schema: 'a INT, b INT', splitBytes: 5000 };
    const onS3 = (kind: string) => `s3://${bucket}/${prefix}/data/bad-${kind}`;
    for (const [read, s3Path, localPath, opts] of [
      ['csv', onS3('csv'), path.join(dir, 'bad.csv'), csvOpts],
      ['json', onS3('json'), path.join(dir, 'bad.json'), jsonOpts],
    ] as const) {
      const permissive = { ...opts, columnNameOfCorruptRecord: '_corrupt' };
      const fromS3 = await remote.read[read](s3Path, permissive).collectRows();
      expect(remote.lastJobSummary!.stages[0]!.tasks).toBeGreaterThanOrEqual(3);
      expect(fromS3).toEqual(await local.read[read](localPath, permissive).collectRows());
      expect(fromS3.filter((r) => r._corrupt !== null).length).toBe(read === 'csv' ? 3 : 2);
      const dropped = { ...opts, mode: 'DROPMALFORMED' } as const;
      expect(await remote.read[read](s3Path, dropped).count()).toBe(6001);
      expect(await local.read[read](localPath, dropped).count()).toBe(6001);
    }
    await expect(remote.read.csv(onS3('csv'), { ...csvOpts, mode: 'FAILFAST' }).collect()).rejects.toThrow(
      new RegExp(`bad-csv/part-0\\.csv at byte offset ${offset}: column 'a' \\(int32\\) cannot hold "bad"`),
    );
    await expect(remote.read.json(onS3('json'), { ...jsonOpts, mode: 'FAILFAST' }).collect()).rejects.toThrow(
      /malformed JSON record in .*bad-json\/part-0\.json/,
    );
  });
});
