/**
 * Joins against DuckDB as the oracle, on whole results: inner, left, right, full, left_semi,
 * left_anti and cross; on a column name (a using-join: the key appears once, coalesced for full
 * outer), on a list of names, and on an expression with a residual non-equi condition. The
 * fixtures have NULL keys and duplicate keys on both sides. Every join runs twice — broadcast
 * (the default for small inputs) and shuffle hash join (broadcastThreshold: 0) — and the staged
 * plan is checked to show which strategy ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { broadcast, col, session, type DataFrame, type Session } from '../src/index.js';
import { expectSameResults } from './support/compare.js';
import { typedRows, writeDfFixtures, type DfFixtures, type TypedResult } from './support/fixtures-df.js';
import { tempDir } from './support/tpch.js';

type How = 'inner' | 'left' | 'right' | 'full' | 'left_semi' | 'left_anti';
const HOWS: readonly How[] = ['inner', 'left', 'right', 'full', 'left_semi', 'left_anti'];
const SQL_JOIN: Readonly<Record<'inner' | 'left' | 'right' | 'full', string>> = {
  inner: 'JOIN',
  left: 'LEFT JOIN',
  right: 'RIGHT JOIN',
  full: 'FULL JOIN',
};
/** Columns of the fixture table `l`, in file order (the join keys k, k2 lead). */
const L_COLS = ['k', 'k2', 'id', 'v', 's', 'big'];

let fx: DfFixtures;
let bc: Session;
let inl: Session;
let sh: Session;

beforeAll(async () => {
  fx = await writeDfFixtures(tempDir('stratus-joins-fx-'));
  // The broadcast exchange path: tiny scans would otherwise be read inline by the building tasks.
  bc = session({
    store: tempDir(),
    executors: 2,
    progress: false,
    job: { shufflePartitions: 3, disabledRules: ['inline_broadcast_scans'] },
  });
  inl = session({ store: tempDir(), executors: 2, progress: false, job: { shufflePartitions: 3 } });
  sh = session({
    store: tempDir(),
    executors: 2,
    progress: false,
    job: { shufflePartitions: 3, broadcastThreshold: 0 },
  });
});
afterAll(async () => {
  await bc?.stop();
  await inl?.stop();
  await sh?.stop();
  fx?.close();
});

/** Broadcast through an exchange stage, broadcast of a tiny scan read inside the building tasks, shuffle. */
type Strategy = 'broadcast' | 'inline' | 'shuffle';
const STRATEGIES: readonly Strategy[] = ['broadcast', 'inline', 'shuffle'];
const sessionFor = (st: Strategy): Session => ({ broadcast: bc, inline: inl, shuffle: sh })[st];
const L = (s: Session): DataFrame => s.read.parquet(fx.path.l);
const R = (s: Session): DataFrame => s.read.parquet(fx.path.r);
/** `r` without its k2 column, so a using-join on k has no other shared column name. */
const R1 = (s: Session): DataFrame => R(s).drop('k2');
/** `r` with its keys renamed (rk, rk2, rid, w, kf), for joins on an expression. */
const RR = (s: Session): DataFrame => R(s).withColumnRenamed('k', 'rk').withColumnRenamed('k2', 'rk2');
const RR_SQL = () => `(SELECT k AS rk, k2 AS rk2, rid, w, kf FROM ${fx.sql.r})`;

/** Stratus and DuckDB agree on column names, engine types and rows (in any order). */
async function expectJoin(df: DataFrame, sql: string): Promise<TypedResult> {
  const actual = typedRows(await df.collect());
  const expected = await fx.query(sql);
  expectSameResults(actual, expected, { ordered: false });
  expect(actual.types).toEqual(expected.types);
  return actual;
}

/** The staged plan's hash joins build from a broadcast stage, a scan read inline, or a hash-partitioned stage. */
async function expectBuild(df: DataFrame, build: Build): Promise<void> {
  const staged = (await df.explain()).split('== Staged Plan ==')[1]!;
  const joins = staged.split('\n').filter((line) => line.includes('HashJoin:'));
  expect(joins.length).toBeGreaterThan(0);
  for (const line of joins) expect(line).toContain(`build=${build}(`);
}

type Build = 'broadcast' | 'scan' | 'partitioned';
/** With the default threshold small inputs are broadcast, except for full outer joins (never broadcast). */
const expectedBuild = (st: Strategy, how: How): Build =>
  st === 'shuffle' || how === 'full' ? 'partitioned' : st === 'inline' ? 'scan' : 'broadcast';

/**
 * DuckDB SQL for a using-join of `l` with `right` on `keys`, in Spark's column order: the keys
 * (the left's for inner/left, the right's for right, coalesced for full), then the left's other
 * columns, then the right's other columns. Semi and anti joins return the left's columns.
 */
function usingSql(how: How, keys: readonly string[], right: { from: string; cols: readonly string[] }): string {
  const cond = keys.map((k) => `l.${k} = r.${k}`).join(' AND ');
  if (how === 'left_semi' || how === 'left_anti') {
    return `SELECT l.* FROM ${fx.sql.l} l WHERE ${how === 'left_anti' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${right.from} r WHERE ${cond})`;
  }
  const key = (k: string) =>
    how === 'right' ? `r.${k} AS ${k}` : how === 'full' ? `COALESCE(l.${k}, r.${k}) AS ${k}` : `l.${k} AS ${k}`;
  const out = [
    ...keys.map(key),
    ...L_COLS.filter((c) => !keys.includes(c)).map((c) => `l.${c}`),
    ...right.cols.filter((c) => !keys.includes(c)).map((c) => `r.${c}`),
  ];
  return `SELECT ${out.join(', ')} FROM ${fx.sql.l} l ${SQL_JOIN[how]} ${right.from} r ON ${cond}`;
}

/** DuckDB SQL for `l` joined with RR on a condition over l's and RR's columns. */
function conditionSql(how: How, cond: string): string {
  if (how === 'left_semi' || how === 'left_anti') {
    return `SELECT l.* FROM ${fx.sql.l} l WHERE ${how === 'left_anti' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${RR_SQL()} r WHERE ${cond})`;
  }
  return `SELECT l.*, r.* FROM ${fx.sql.l} l ${SQL_JOIN[how]} ${RR_SQL()} r ON ${cond}`;
}

describe('the fixture exercises what the joins promise', () => {
  it('has NULL keys and duplicate keys on both sides, and keys found on one side only', async () => {
    const stats = await fx.query(`
      SELECT
        (SELECT count(*) FROM ${fx.sql.l} WHERE k IS NULL) AS l_null,
        (SELECT count(*) FROM ${fx.sql.r} WHERE k IS NULL) AS r_null,
        (SELECT max(c) FROM (SELECT count(*) AS c FROM ${fx.sql.l} GROUP BY k)) AS l_dup,
        (SELECT max(c) FROM (SELECT count(*) AS c FROM ${fx.sql.r} GROUP BY k)) AS r_dup,
        (SELECT count(*) FROM ${fx.sql.r} WHERE k NOT IN (SELECT k FROM ${fx.sql.l} WHERE k IS NOT NULL)) AS r_only,
        (SELECT count(*) FROM ${fx.sql.l} WHERE k NOT IN (SELECT k FROM ${fx.sql.r} WHERE k IS NOT NULL)) AS l_only`);
    const [lNull, rNull, lDup, rDup, rOnly, lOnly] = stats.rows[0] as number[];
    expect(lNull).toBeGreaterThan(0);
    expect(rNull).toBeGreaterThan(0);
    expect(lDup).toBeGreaterThan(1);
    expect(rDup).toBeGreaterThan(1);
    expect(rOnly).toBeGreaterThan(0);
    expect(lOnly).toBeGreaterThan(0);
  });
});

describe.each(STRATEGIES)('joins (%s)', (st) => {
  describe('on one column name (using-join)', () => {
    for (const how of HOWS) {
      it(`${how}: the key appears once${how === 'full' ? ', coalesced from both sides' : ''}`, async () => {
        const s = sessionFor(st);
        const df = L(s).join(R1(s), 'k', how);
        await expectBuild(df, expectedBuild(st, how));
        await expectJoin(
          df,
          usingSql(how, ['k'], { from: `(SELECT k, rid, w, kf FROM ${fx.sql.r})`, cols: ['k', 'rid', 'w', 'kf'] }),
        );
      });
    }
  });

  describe('on a list of column names (multi-column key)', () => {
    for (const how of HOWS) {
      it(`${how} on [k, k2]`, async () => {
        const s = sessionFor(st);
        const df = L(s).join(R(s), ['k', 'k2'], how);
        await expectBuild(df, expectedBuild(st, how));
        await expectJoin(df, usingSql(how, ['k', 'k2'], { from: fx.sql.r, cols: ['k', 'k2', 'rid', 'w', 'kf'] }));
      });
    }
  });

  describe('on an expression with a residual non-equi condition', () => {
    for (const how of HOWS) {
      it(`${how} on k = rk AND v < w`, async () => {
        const s = sessionFor(st);
        const df = L(s).join(
          RR(s),
          col('k')
            .equalTo(col('rk'))
            .and(col('v').lt(col('w'))),
          how,
        );
        await expectBuild(df, expectedBuild(st, how));
        await expectJoin(df, conditionSql(how, 'l.k = r.rk AND l.v < r.w'));
      });
    }
    for (const how of ['left', 'full', 'left_anti'] as const) {
      it(`${how} on a two-column key plus a condition on the left side only (unmatched left rows are kept, not filtered)`, async () => {
        const s = sessionFor(st);
        const df = L(s).join(
          RR(s),
          col('k2')
            .equalTo(col('rk2'))
            .and(col('rk').equalTo(col('k')))
            .and(col('id').mod(2).equalTo(0)),
          how,
        );
        await expectJoin(df, conditionSql(how, 'l.k2 = r.rk2 AND r.rk = l.k AND l.id % 2 = 0'));
      });
    }
  });

  describe('on keys that are expressions', () => {
    for (const how of ['inner', 'left', 'full'] as const) {
      it(`${how} on k + 1 = rk`, async () => {
        const s = sessionFor(st);
        const df = L(s).join(RR(s), col('k').plus(1).equalTo(col('rk')), how);
        await expectBuild(df, expectedBuild(st, how));
        await expectJoin(df, conditionSql(how, 'l.k + 1 = r.rk'));
      });
    }
  });

  describe('on a non-equi condition only (nested loop over a broadcast side)', () => {
    for (const how of ['inner', 'left', 'right', 'left_semi', 'left_anti'] as const) {
      it(`${how} on v > w AND id < 6`, async () => {
        const s = sessionFor(st);
        const df = L(s).join(RR(s), col('v').gt(col('w')).and(col('id').lt(6)), how);
        await expectJoin(df, conditionSql(how, 'l.v > r.w AND l.id < 6'));
      });
    }
  });

  it('NULL keys never match, even when both sides have NULLs', async () => {
    const s = sessionFor(st);
    const lNull = L(s).filter(col('k').isNull());
    const rNull = R1(s).filter(col('k').isNull().or(col('k').lt(3)));
    const left = `(SELECT * FROM ${fx.sql.l} WHERE k IS NULL)`;
    const right = `(SELECT k, rid, w, kf FROM ${fx.sql.r} WHERE k IS NULL OR k < 3)`;
    for (const how of HOWS) {
      const sql = usingSql(how, ['k'], { from: right, cols: ['k', 'rid', 'w', 'kf'] }).replace(fx.sql.l, left);
      const got = await expectJoin(lNull.join(rNull, 'k', how), sql);
      const expectedRows = { inner: 0, left: 5, right: null, full: null, left_semi: 0, left_anti: 5 }[how];
      if (expectedRows !== null) expect(got.rows).toHaveLength(expectedRows);
    }
  });

  it('many-to-many: each key pairs every left row with every right row', async () => {
    const s = sessionFor(st);
    const df = L(s).select('k', 'id').join(R1(s).select('k', 'rid'), 'k').groupBy('k').count();
    await expectJoin(
      df,
      `SELECT l.k, count(*) AS count FROM ${fx.sql.l} l JOIN ${fx.sql.r} r ON l.k = r.k GROUP BY l.k`,
    );
  });

  it('crossJoin pairs every row with every row', async () => {
    const s = sessionFor(st);
    const df = L(s).select('id', 'k').crossJoin(R(s).select('rid', 'k2'));
    const got = await expectJoin(df, `SELECT l.id, l.k, r.rid, r.k2 FROM ${fx.sql.l} l CROSS JOIN ${fx.sql.r} r`);
    expect(got.rows).toHaveLength(60 * 40);
  });

  it('crossJoin followed by a filter equals the inner join on that condition', async () => {
    const s = sessionFor(st);
    const df = L(s)
      .crossJoin(RR(s))
      .filter(
        col('k')
          .equalTo(col('rk'))
          .and(col('v').geq(col('w'))),
      );
    await expectJoin(df, conditionSql('inner', 'l.k = r.rk AND l.v >= r.w'));
  });

  describe('keys of different numeric types', () => {
    for (const how of HOWS) {
      it(`${how}: int32 key = float64 key (using-join)`, async () => {
        const s = sessionFor(st);
        const df = L(s).join(R(s).select(col('kf').alias('k'), 'rid'), 'k', how);
        const expected = await fx.query(
          usingSql(how, ['k'], { from: `(SELECT kf AS k, rid FROM ${fx.sql.r})`, cols: ['k', 'rid'] }),
        );
        expectSameResults(typedRows(await df.collect()), expected, { ordered: false });
      });
    }
    it('inner on an expression: int32 = float64 and int64 = int32', async () => {
      const s = sessionFor(st);
      await expectJoin(L(s).join(RR(s), col('k').equalTo(col('kf'))), conditionSql('inner', 'l.k = r.kf'));
      await expectJoin(L(s).join(RR(s), col('big').equalTo(col('rk'))), conditionSql('inner', 'l.big = r.rk'));
    });
  });

  describe('duplicate column names from the two sides', () => {
    it("a using-join keeps both sides' other columns that share a name (Spark: ambiguous only when referenced)", async () => {
      const s = sessionFor(st);
      const df = L(s).join(R(s).select('k', 'k2', 'rid'), 'k');
      const actual = typedRows(await df.collect());
      const expected = await fx.query(
        `SELECT l.k, l.k2, l.id, l.v, l.s, l.big, r.k2 AS k2, r.rid FROM ${fx.sql.l} l JOIN ${fx.sql.r} r ON l.k = r.k`,
      );
      expectSameResults(actual, expected, { ordered: false });
    });

    const dupLeft = (s: Session) => L(s).select('id', 'v');
    const dupRight = (s: Session) => R(s).select('rid', col('w').alias('v'));
    const dupOn = col('id').equalTo(col('rid').minus(100));
    const dupSql = () =>
      `SELECT l.id, l.v, r.rid, r.w AS v FROM ${fx.sql.l} l JOIN ${fx.sql.r} r ON l.id = r.rid - 100`;
    it("an expression join keeps both columns named v, each with its own side's values", async () => {
      const s = sessionFor(st);
      expectSameResults(typedRows(await dupLeft(s).join(dupRight(s), dupOn).collect()), await fx.query(dupSql()), {
        ordered: false,
      });
    });
    it('the same with broadcast(left) (the build side is swapped and the columns reordered)', async () => {
      const s = sessionFor(st);
      expectSameResults(
        typedRows(await broadcast(dupLeft(s)).join(dupRight(s), dupOn).collect()),
        await fx.query(dupSql()),
        { ordered: false },
      );
    });
  });
});

describe('broadcast(df) hint (with broadcastThreshold: 0, so only the hint can broadcast)', () => {
  const canBroadcast = (side: 'left' | 'right', how: How) =>
    side === 'right' ? ['inner', 'left', 'left_semi', 'left_anti'].includes(how) : ['inner', 'right'].includes(how);
  for (const side of ['right', 'left'] as const) {
    for (const how of HOWS) {
      const build = canBroadcast(side, how) ? 'broadcast' : 'partitioned';
      it(`${how} with broadcast(${side}) builds from a ${build} stage and gives the same answer`, async () => {
        const df = side === 'right' ? L(sh).join(broadcast(R1(sh)), 'k', how) : broadcast(L(sh)).join(R1(sh), 'k', how);
        await expectBuild(df, build);
        await expectJoin(
          df,
          usingSql(how, ['k'], { from: `(SELECT k, rid, w, kf FROM ${fx.sql.r})`, cols: ['k', 'rid', 'w', 'kf'] }),
        );
      });
    }
  }
  it('crossJoin(broadcast(df))', async () => {
    const df = L(sh)
      .select('id')
      .crossJoin(broadcast(R(sh).select('rid')));
    await expectBuild(df, 'broadcast');
    await expectJoin(df, `SELECT l.id, r.rid FROM ${fx.sql.l} l CROSS JOIN ${fx.sql.r} r`);
  });
});

describe('using-join column order', () => {
  it("puts the key columns first, then the left's other columns, then the right's (as Spark does)", async () => {
    const df = L(bc).join(R(bc).select('k2', 'rid'), 'k2', 'left');
    await expectJoin(df, usingSql('left', ['k2'], { from: `(SELECT k2, rid FROM ${fx.sql.r})`, cols: ['k2', 'rid'] }));
  });
});
