/**
 * The plan contract: plans round-trip through JSON; malformed plans, unknown versions, unknown
 * columns and type errors are rejected with errors naming the thing at fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { col, date, lit, session, sum, type Session } from '../src/index.js';
import { loadPlan } from '../planner/validate.js';
import { PLAN_VERSION, type PlanDocument } from '../planner/plan.js';
import { PlanError, SchemaError } from '../planner/errors.js';
import { SF01, tempDir } from './support/tpch.js';

let s: Session;
beforeAll(() => {
  s = session({ store: tempDir(), executors: 1, progress: false });
});
afterAll(async () => {
  await s.stop();
});

const lineitem = () => s.read.parquet(path.join(SF01, 'lineitem'));

describe('plan documents', () => {
  it('round-trip through JSON unchanged', () => {
    const df = lineitem()
      .filter(col('l_shipdate').leq(date('1998-09-02')).and(col('l_discount').between(0.05, 0.07)))
      .withColumn('rev', col('l_extendedprice').multiply(lit(1).minus(col('l_discount'))))
      .groupBy('l_returnflag')
      .agg(sum('rev').alias('revenue'))
      .orderBy(col('revenue').desc())
      .limit(3);
    const doc: PlanDocument = { version: PLAN_VERSION, root: df.plan, sink: { kind: 'collect' } };
    const text = JSON.stringify(doc);
    expect(loadPlan(text)).toEqual(doc);
    expect(JSON.stringify(loadPlan(text))).toBe(text);
  });

  it('rejects a malformed plan, naming the path at fault', () => {
    const bad = {
      version: PLAN_VERSION,
      sink: { kind: 'collect' },
      root: {
        kind: 'Filter',
        input: { kind: 'Scan', path: '/x', format: 'parquet', columns: null, filters: [] },
        predicate: {
          kind: 'binary',
          op: '<>',
          left: { kind: 'col', name: 'a' },
          right: { kind: 'lit', value: 1, type: 'int32' },
        },
      },
    };
    expect(() => loadPlan(JSON.stringify(bad))).toThrow(PlanError);
    expect(() => loadPlan(JSON.stringify(bad))).toThrow(/plan\.root\.predicate\.op: expected one of/);
    expect(() => loadPlan('{"version": 1, "root": ')).toThrow(/not valid JSON/);
    expect(() =>
      loadPlan(JSON.stringify({ version: 1, root: { kind: 'Teleport' }, sink: { kind: 'collect' } })),
    ).toThrow(/plan\.root\.kind: expected one of Scan, Filter/);
  });

  it('rejects an unknown version', () => {
    const doc = { version: 99, root: lineitem().plan, sink: { kind: 'collect' } };
    expect(() => loadPlan(JSON.stringify(doc))).toThrow(
      /plan version 99 is not supported; this engine reads version 1/,
    );
  });
});

describe('analysis at plan time', () => {
  it('names a bad date literal, from the DSL, a compared string and a plan document', async () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e as PlanError;
      }
      throw new Error('expected an error');
    };
    for (const [iso, why] of [
      ['1998-13-01', 'month 13 does not exist'],
      ['1998-02-29', 'day 29 does not exist in 1998-02'],
      ['1998-04-00', 'day 0 does not exist in 1998-04'],
      ['1998/01/01', 'expected YYYY-MM-DD'],
    ]) {
      const err = bad(() => date(iso!));
      expect(err).toBeInstanceOf(PlanError);
      expect(err.code).toBe('BAD_DATE_LITERAL');
      expect(err.message).toBe(`invalid date literal '${iso}': ${why}`);
      expect(err.details.literal).toBe(iso);
    }
    expect(date('2000-02-29').expr).toEqual({ kind: 'lit', value: '2000-02-29', type: 'date' });
    const compared = await lineitem()
      .filter(col('l_shipdate').lt(lit('1995-02-30')))
      .count()
      .catch((e) => e);
    expect(compared).toBeInstanceOf(PlanError);
    expect(compared.message).toBe("invalid date literal '1995-02-30': day 30 does not exist in 1995-02");
    const doc = {
      version: PLAN_VERSION,
      root: lineitem().filter(col('l_shipdate').lt(date('1995-01-31'))).plan,
      sink: { kind: 'collect' },
    };
    const text = JSON.stringify(doc).replace('1995-01-31', '1995-01-32');
    expect(() => loadPlan(text)).toThrow("invalid date literal '1995-01-32': day 32 does not exist in 1995-01");
  });

  it('names an unknown column and the valid ones', async () => {
    const err = await lineitem()
      .select('l_quantity', 'l_nope')
      .collect()
      .catch((e) => e);
    expect(err).toBeInstanceOf(SchemaError);
    expect(err.code).toBe('COLUMN_NOT_FOUND');
    expect(err.message).toMatch(/column 'l_nope' does not exist; valid columns are 'l_orderkey', 'l_partkey'/);
    expect(err.details.validColumns).toContain('l_shipdate');
  });

  it('names the expression of a type error', async () => {
    const err = await lineitem()
      .filter(col('l_returnflag').gt(5))
      .count()
      .catch((e) => e);
    expect(err).toBeInstanceOf(SchemaError);
    expect(err.code).toBe('TYPE_MISMATCH');
    expect(err.message).toBe('type error in (l_returnflag > 5): cannot compare string with int32');
  });

  it('fails before submitting anything', async () => {
    s.lastJobId = undefined;
    await lineitem()
      .select('missing')
      .collect()
      .catch(() => undefined);
    expect(s.lastJobId).toBeUndefined();
  });

  it('names a file that is not Parquet, and files whose schemas disagree', async () => {
    const dir = tempDir('stratus-bad-');
    fs.writeFileSync(path.join(dir, 'notes.parquet'), 'this is not a parquet file, just text padding it out');
    const err = await s.read
      .parquet(dir)
      .count()
      .catch((e) => e);
    expect(err.code).toBe('CORRUPT_PARQUET');
    expect(err.message).toContain(path.join(dir, 'notes.parquet'));
    const mixed = tempDir('stratus-mixed-');
    fs.copyFileSync(path.join(SF01, 'nation', 'part-0.parquet'), path.join(mixed, 'a.parquet'));
    fs.copyFileSync(path.join(SF01, 'region', 'part-0.parquet'), path.join(mixed, 'b.parquet'));
    const mismatch = await s.read
      .parquet(mixed)
      .count()
      .catch((e) => e);
    expect(mismatch.code).toBe('SCHEMA_MISMATCH');
    expect(mismatch.message).toMatch(
      /column 'n_nationkey' is in .*a\.parquet but not in .*b\.parquet: .*b\.parquet has \(r_regionkey int32/,
    );
  });

  it('names an unreachable store and its endpoint', async () => {
    const dead = session({ store: 's3://nobucket/prefix', endpoint: 'http://127.0.0.1:9', progress: false });
    try {
      const err = await dead.read
        .parquet(path.join(SF01, 'nation'))
        .count()
        .catch((e) => e);
      expect(err.code).toBe('UNREACHABLE');
      expect(err.message).toMatch(/cannot reach the S3 endpoint http:\/\/127\.0\.0\.1:9 for bucket 'nobucket'/);
    } finally {
      await dead.stop();
    }
  });

  it('reports a missing dataset by path', async () => {
    const err = await s.read
      .parquet('/definitely/not/here')
      .count()
      .catch((e) => e);
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('/definitely/not/here');
  });
});
