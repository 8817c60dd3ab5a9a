/**
 * Spark's regular-expression and string-editing functions against DuckDB on the expression
 * fixture (50 rows: NULLs, multibyte and non-BMP strings, LIKE-special characters), through the
 * DSL and through `session.sql`. Where Spark and DuckDB differ, the SQL spells out Spark's
 * answer: DuckDB's regexp_replace replaces one match unless given 'g' and writes groups as \1
 * (Spark: all matches, $1); DuckDB has no initcap or locate(…, pos) and refuses an empty lpad pad.
 * The Java-regex forms JS spells differently are checked on literals against Java's answers.
 */
import { describe, expect, it } from 'vitest';
import {
  col,
  concat,
  initcap,
  instr,
  lit,
  locate,
  lpad,
  regexp_extract,
  regexp_extract_all,
  regexp_like,
  regexp_replace,
  replace,
  rlike,
  rpad,
  split,
  translate,
} from '../src/index.js';
import { expectSameTyped, typedRowsFromArrow, useExpressionFixture } from './support/fixtures.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01 } from './support/tpch.js';

const fx = useExpressionFixture('strings');
const { check, checkFilter } = fx;

// Spark's initcap: lower case, then the first character and each one after a space upper case.
const INITCAP = (x: string) =>
  `array_to_string(list_transform(string_split(lower(${x}), ' '), w -> upper(w[1]) || w[2:]), ' ')`;

describe('regular expressions', () => {
  it('regexp_extract: the group of the first match, "" when none or the group did not take part', () =>
    check([
      ['x1', regexp_extract('s', '([a-z]+)', 1), "regexp_extract(s, '([a-z]+)', 1)"],
      ['x2', regexp_extract('s', '(\\d+)'), "regexp_extract(s, '(\\d+)', 1)"],
      ['x3', regexp_extract(col('s'), '(a)(b)?', 2), "regexp_extract(s, '(a)(b)?', 2)"],
      ['x4', regexp_extract('s', '[aeiouï].', 0), "regexp_extract(s, '[aeiouï].', 0)"],
      ['x5', regexp_extract('s', '(ä|ü|é|本)(.?)', 2), "regexp_extract(s, '(ä|ü|é|本)(.?)', 2)"],
      ['x6', regexp_extract('t', '^(\\S+)\\s', 1), "regexp_extract(t, '^(\\S+)\\s', 1)"],
      ['x7', regexp_extract('s', col('t'), 0), 'regexp_extract(s, t, 0)'],
      // RE2 has no backreferences: the doubled letters of the fixture spelled out.
      ['x8', regexp_extract('s', '(?<w>[a-z])\\k<w>', 0), "regexp_extract(s, '(aa|dd|ll|zz)', 0)"],
    ]));

  it('regexp_replace replaces every match; $n groups; from a position', () =>
    check([
      ['r1', regexp_replace('s', 'a', 'X'), "regexp_replace(s, 'a', 'X', 'g')"],
      ['r2', regexp_replace('s', '([a-z])([a-z])', '$2$1'), "regexp_replace(s, '([a-z])([a-z])', '\\2\\1', 'g')"],
      ['r3', regexp_replace('s', '', '-'), "regexp_replace(s, '', '-', 'g')"],
      ['r4', regexp_replace('s', '\\s+', '_'), "regexp_replace(s, '\\s+', '_', 'g')"],
      ['r5', regexp_replace('s', '[aä]', '\\$'), "regexp_replace(s, '[aä]', '$', 'g')"],
      ['r6', regexp_replace('s', '(ü|é|語)', '<$1$0>'), "regexp_replace(s, '(ü|é|語)', '<\\1\\0>', 'g')"],
      [
        'r7',
        regexp_replace('s', 'a', 'X', 2),
        "CASE WHEN length(s) <= 1 THEN s ELSE s[1] || regexp_replace(s[2:], 'a', 'X', 'g') END",
      ],
      [
        'r8',
        regexp_replace('s', '^.', '#', 2),
        "CASE WHEN length(s) <= 1 THEN s ELSE s[1] || regexp_replace(s[2:], '^.', '#') END",
      ],
      ['r9', regexp_replace('s', 'c', col('t')), "regexp_replace(s, 'c', t, 'g')"],
    ]));

  it('rlike / regexp_like find a match anywhere; NULL in, NULL out', async () => {
    await check([
      ['m1', col('s').rlike('^a'), "regexp_matches(s, '^a')"],
      ['m2', rlike('s', '[0-9]$'), "regexp_matches(s, '[0-9]$')"],
      ['m3', regexp_like('s', 'é|ß'), "regexp_matches(s, 'é|ß')"],
      ['m4', rlike('s', ''), "regexp_matches(s, '')"],
      ['m5', rlike('t', '(?i)ABC'), "regexp_matches(t, '(?i)abc')"],
      ['m6', rlike('s', col('t')), 'regexp_matches(s, t)'],
    ]);
    await checkFilter(col('s').rlike('^[a-z]+$'), "regexp_matches(s, '^[a-z]+$')");
  });
});

describe('string editing', () => {
  it('replace: every occurrence, an empty search leaves the string', () =>
    check([
      ['p1', replace('s', 'a', 'XY'), "replace(s, 'a', 'XY')"],
      ['p2', replace('s', 'ü'), "replace(s, 'ü', '')"],
      ['p3', replace('s', '', 'X'), 's'],
      ['p4', replace('s', col('t'), '#'), "replace(s, t, '#')"],
      ['p5', replace('s', 'aa', 'a'), "replace(s, 'aa', 'a')"],
    ]));

  it('lpad / rpad pad with whole and partial copies, cut longer strings, count characters', () =>
    check([
      ['l1', lpad('s', 6, 'xy'), "lpad(s, 6, 'xy')"],
      ['l2', lpad('s', 2, '-'), "lpad(s, 2, '-')"],
      ['l3', lpad('s', 3), "lpad(s, 3, ' ')"],
      ['l4', lpad('s', 0, 'x'), "lpad(s, 0, 'x')"],
      ['l5', lpad('s', -1, 'x'), "lpad(s, -1, 'x')"],
      ['l6', lpad('s', 5, ''), 's[1:5]'],
      ['l7', lpad('s', col('j'), '*'), "lpad(s, j, '*')"],
      ['l8', lpad('t', 4, '本ü'), "lpad(t, 4, '本ü')"],
      ['r1', rpad('s', 8, 'ü'), "rpad(s, 8, 'ü')"],
      ['r2', rpad('s', 3, 'ab'), "rpad(s, 3, 'ab')"],
      ['r3', rpad('t', col('j'), '.'), "rpad(t, j, '.')"],
      ['r4', rpad(col('s'), 7, col('t')), "CASE WHEN t = '' THEN s[1:7] ELSE rpad(s, 7, t) END"],
    ]));

  it('instr and locate are 1-based on characters, 0 when absent', () =>
    check([
      ['i1', instr('s', 'a'), "instr(s, 'a')::INTEGER"],
      ['i2', instr('s', 'é'), "instr(s, 'é')::INTEGER"],
      ['i3', instr('s', ''), "instr(s, '')::INTEGER"],
      ['i4', instr('s', col('t')), 'instr(s, t)::INTEGER'],
      ['i5', instr('t', 'smile'), "instr(t, 'smile')::INTEGER"],
      ['o1', locate('a', 's'), "instr(s, 'a')::INTEGER"],
      ['o2', locate('a', 's', 2), "(CASE WHEN instr(s[2:], 'a') = 0 THEN 0 ELSE instr(s[2:], 'a') + 1 END)::INTEGER"],
      // A NULL position is 0, even for a NULL string (Spark, as Hive); pos < 1 is 0.
      [
        'o3',
        locate('c', 's', col('j')),
        "(CASE WHEN j IS NULL THEN 0 WHEN s IS NULL THEN NULL WHEN j < 1 THEN 0 WHEN instr(s[j:], 'c') = 0 THEN 0 ELSE instr(s[j:], 'c') + j - 1 END)::INTEGER",
      ],
      // Spark's locate of '' is 1 from any position.
      ['o4', locate('', 's', 3), '(CASE WHEN s IS NULL THEN NULL ELSE 1 END)::INTEGER'],
      ['o5', locate('e', 's', 0), '(CASE WHEN s IS NULL THEN NULL ELSE 0 END)::INTEGER'],
    ]));

  it('initcap upper-cases the first letter of each space-separated word', () =>
    check([
      ['c1', initcap('s'), INITCAP('s')],
      ['c2', initcap('t'), INITCAP('t')],
    ]));

  it('translate maps characters by place, deletes past the end, the first mapping wins', () =>
    check([
      ['t1', translate('s', 'abc', 'xy'), "translate(s, 'abc', 'xy')"],
      ['t2', translate('s', 'üéß', 'ue'), "translate(s, 'üéß', 'ue')"],
      ['t3', translate('s', 'aa', 'xy'), "translate(s, 'aa', 'xy')"],
      ['t4', translate('t', '😀 ', '!_'), "translate(t, '😀 ', '!_')"],
      ['t5', translate('s', col('t'), 'Z'), "translate(s, t, 'Z')"],
    ]));
});

describe('split', () => {
  it('split returns list<string>: the pieces between matches, trailing empty ones kept', async () => {
    const df = fx
      .frame()
      .select(
        col('id'),
        split('s', '%').alias('a'),
        split('s', '_').alias('b'),
        split('s', '\\s+').alias('c'),
        split('s', '').alias('d'),
        split('s', 'a').alias('e'),
        split('t', '[aeiouü ]').alias('f'),
        split('s', 'a', 2).alias('g'),
        split('s', col('t')).alias('h'),
      );
    expect(await df.dtypes).toContainEqual(['a', 'list<string>']);
    const actual = (await df.collectRows()).map((r) => [r.id, r.a, r.b, r.c, r.d, r.e, r.f, r.g, r.h]);
    const json = (x: string) => `to_json(${x})::VARCHAR`;
    const expected = await fx.query(
      `SELECT id, ${[
        "string_split(s, '%')",
        "string_split(s, '_')",
        "regexp_split_to_array(s, '\\s+')",
        "string_split(s, '')",
        "string_split(s, 'a')",
        "regexp_split_to_array(t, '[aeiouü ]')",
        "CASE WHEN s IS NULL THEN NULL WHEN instr(s, 'a') = 0 THEN [s] ELSE [substring(s, 1, instr(s, 'a') - 1), substring(s, instr(s, 'a') + 1)] END",
        // Spark's split by an empty pattern (t = '') gives the characters; DuckDB's regexp split agrees.
        // DuckDB splits by a NULL pattern as by none; Spark's result is NULL.
        'CASE WHEN t IS NOT NULL THEN regexp_split_to_array(s, t) END',
      ]
        .map(json)
        .join(', ')} FROM ${fx.table} ORDER BY id`,
    );
    const parsed = expected.rows.map((r) => r.map((v, i) => (i === 0 || v === null ? v : JSON.parse(v as string))));
    expect(actual.sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual(parsed);
  });

  it('regexp_extract_all: the group of every match as list<string>', async () => {
    const df = fx
      .frame()
      .select(
        col('id'),
        regexp_extract_all('s', '([a-z])([a-z])?', 1).alias('a'),
        regexp_extract_all('s', '([a-z])([a-z])?', 2).alias('b'),
        regexp_extract_all('s', '[äöüéï本語]', 0).alias('c'),
        regexp_extract_all('t', '(\\w+)').alias('d'),
      );
    expect(await df.dtypes).toContainEqual(['a', 'list<string>']);
    const actual = (await df.collectRows()).map((r) => [r.id, r.a, r.b, r.c, r.d]);
    const expected = await fx.query(
      `SELECT id, ${[
        "regexp_extract_all(s, '([a-z])([a-z])?', 1)",
        // Spark: '' for a group that took no part in a match (DuckDB: NULL).
        "list_transform(regexp_extract_all(s, '([a-z])([a-z])?', 2), x -> coalesce(x, ''))",
        "regexp_extract_all(s, '[äöüéï本語]', 0)",
        "regexp_extract_all(t, '(\\w+)', 1)",
      ]
        .map((x) => `to_json(${x})::VARCHAR`)
        .join(', ')} FROM ${fx.table} ORDER BY id`,
    );
    const parsed = expected.rows.map((r) => r.map((v, i) => (i === 0 || v === null ? v : JSON.parse(v as string))));
    expect(actual.sort((x, y) => Number(x[0]) - Number(y[0]))).toEqual(parsed);
    await expect(
      fx
        .frame()
        .select(regexp_extract_all('s', 'a', 1))
        .schema(),
    ).rejects.toMatchObject({
      code: 'BAD_GROUP_INDEX',
      message: expect.stringMatching(/regexp_extract_all: group index 1/),
    });
  });

  it("split follows Java's String.split where DuckDB differs (limits, zero-width matches)", async () => {
    const row = await fx
      .frame()
      .limit(1)
      .select(
        split(lit('a b'), 'x*').alias('zero_width'),
        split(lit('a,b,,'), ',').alias('trailing'),
        split(lit('a,b,,'), ',', 0).alias('limit0'),
        split(lit('a,b,c'), ',', 2).alias('limit2'),
        split(lit('a,b,c'), ',', 1).alias('limit1'),
        split(lit('abc'), '', 2).alias('chars2'),
        split(lit(''), ',').alias('empty'),
        split(lit('😀x😀'), '').alias('astral'),
        split(lit(null).cast('string'), ',').alias('nul'),
      )
      .collectRows();
    expect(row[0]).toEqual({
      zero_width: ['a', ' ', 'b', ''],
      trailing: ['a', 'b', '', ''],
      limit0: ['a', 'b', '', ''],
      limit2: ['a', 'b,c'],
      limit1: ['a,b,c'],
      chars2: ['a', 'bc'],
      empty: [''],
      astral: ['😀', 'x', '😀'],
      nul: null,
    });
  });
});

describe('on TPC-H', () => {
  it('pattern filters pushed into lineitem scans (dictionary-encoded strings) count as DuckDB', async () => {
    const lineitem = fx.session.read.parquet(`${SF01}/lineitem`);
    const got = await lineitem
      .filter(col('l_shipmode').rlike('^(AIR|RAIL)$').and(instr('l_comment', 'furious').gt(0)))
      .groupBy(regexp_extract('l_shipinstruct', '^(\\w+)').alias('verb'))
      .count()
      .collectRows();
    const { rows } = await duckdbQuery(
      `SELECT regexp_extract(l_shipinstruct, '^(\\w+)', 1) AS verb, count(*) FROM lineitem
       WHERE regexp_matches(l_shipmode, '^(AIR|RAIL)$') AND instr(l_comment, 'furious') > 0 GROUP BY 1 ORDER BY 1`,
      SF01,
    );
    expect(rows.length).toBe(4); // DELIVER, COLLECT, NONE, TAKE
    expect(got.map((r) => [r.verb, r.count]).sort()).toEqual(rows.map((r) => [r[0], r[1]]));
  });
});

describe('SQL', () => {
  it('session.sql and selectExpr know the functions by their Spark names', async () => {
    fx.frame().createOrReplaceTempView('fx');
    const text = `SELECT id, regexp_extract(s, '([a-z]+)', 1) AS a, regexp_replace(s, '(a)', '[$1]') AS b,
      rlike(s, '^a') AS c, regexp_like(s, 'b') AS d, replace(s, 'a', '') AS e, lpad(s, 4, '0') AS f,
      rpad(s, 4) AS g, instr(s, 'b') AS h, locate('b', s, 2) AS i, initcap(s) AS j,
      translate(s, 'ab', 'BA') AS k, regexp_extract(s, '(.)') AS l FROM fx`;
    const expected = await fx.query(
      `SELECT id, regexp_extract(s, '([a-z]+)', 1) AS a, regexp_replace(s, '(a)', '[\\1]', 'g') AS b,
      regexp_matches(s, '^a') AS c, regexp_matches(s, 'b') AS d, replace(s, 'a', '') AS e, lpad(s, 4, '0') AS f,
      rpad(s, 4, ' ') AS g, instr(s, 'b')::INTEGER AS h,
      (CASE WHEN instr(s[2:], 'b') = 0 THEN 0 ELSE instr(s[2:], 'b') + 1 END)::INTEGER AS i, ${INITCAP('s')} AS j,
      translate(s, 'ab', 'BA') AS k, regexp_extract(s, '(.)') AS l FROM ${fx.table}`,
    );
    expectSameTyped(typedRowsFromArrow(await (await fx.session.sql(text)).collect()), expected);
    const splits = await (
      await fx.session.sql("SELECT id, split(s, 'b') AS m, split(s, 'b', 1) AS n FROM fx WHERE id < 3")
    ).collectRows();
    expect(splits.sort((a, b) => Number(a.id) - Number(b.id))).toEqual([
      { id: 0, m: [''], n: [''] },
      { id: 1, m: ['ü'], n: ['ü'] },
      { id: 2, m: ['a%', ''], n: ['a%b'] },
    ]);
    // Spark's RLIKE / REGEXP operators (and PostgreSQL's ~ / !~); the words inside strings stay.
    const ops = await (
      await fx.session.sql(
        `SELECT id, s RLIKE '^a' AS a, s NOT RLIKE 'b' AS b, s regexp '[0-9]' AS c, s ~ 'é|ü' AS d, s !~ 'c$' AS e,
         'x rlike y' AS f FROM fx WHERE s Rlike '.' -- rlike in a comment`,
      )
    ).collect();
    expectSameTyped(
      typedRowsFromArrow(ops),
      await fx.query(
        `SELECT id, regexp_matches(s, '^a') AS a, NOT regexp_matches(s, 'b') AS b, regexp_matches(s, '[0-9]') AS c,
         regexp_matches(s, 'é|ü') AS d, NOT regexp_matches(s, 'c$') AS e, 'x rlike y' AS f
         FROM ${fx.table} WHERE regexp_matches(s, '.')`,
      ),
    );
    expect(
      (await fx.frame().filter("s not rlike '[a-z]'").select('id').collectRows())
        .map((r) => Number(r.id))
        .sort((x, y) => x - y),
    ).toEqual(
      (await fx.query(`SELECT id FROM ${fx.table} WHERE NOT regexp_matches(s, '[a-z]') ORDER BY id`)).rows.map(
        (r) => r[0],
      ),
    );
    const viaExpr = await fx
      .frame()
      .selectExpr('id', "regexp_replace(s, '[aeiou]', '*') AS v", "rlike(s, '[0-9]') AS w")
      .collect();
    expectSameTyped(
      typedRowsFromArrow(viaExpr),
      await fx.query(
        `SELECT id, regexp_replace(s, '[aeiou]', '*', 'g') AS v, regexp_matches(s, '[0-9]') AS w FROM ${fx.table}`,
      ),
    );
  });
});

describe('Java patterns on JS RegExp', () => {
  const one = async (c: ReturnType<typeof lit>) => {
    const t = await fx.frame().limit(1).select(c.alias('v')).collect();
    return t.getChild('v')!.get(0);
  };
  it('translates the Java forms JS spells differently (answers as Java gives them)', async () => {
    expect(await one(regexp_extract(lit('a.b*c'), '\\Q.b*\\E', 0))).toBe('.b*');
    expect(await one(regexp_extract(lit('x]y'), '[]x]+', 0))).toBe('x]');
    expect(await one(regexp_extract(lit('a}b'), 'a}', 0))).toBe('a}');
    expect(await one(regexp_extract(lit('Ab1 é'), '\\p{Alpha}+', 0))).toBe('Ab');
    expect(await one(regexp_extract(lit('ab-c'), '\\w\\-\\w', 0))).toBe('b-c');
    expect(await one(regexp_extract(lit('say "hi"'), '\\"(\\w+)\\"', 1))).toBe('hi');
    expect(await one(regexp_extract(lit('A\u00A0B'), 'A\\sB', 0))).toBe(''); // Java's \s is ASCII only
    expect(await one(regexp_extract(lit('A\u00A0B'), 'A\\hB', 0))).toBe('A\u00A0B');
    expect(await one(rlike(lit('abc\n'), 'c$'))).toBe(true); // Java's $ also matches before a final line break
    expect(await one(rlike(lit('abc\n'), 'c\\z'))).toBe(false);
    expect(await one(rlike(lit('x\nabc'), '\\Aabc'))).toBe(false);
    expect(await one(rlike(lit('x\nabc'), '(?m)^abc'))).toBe(true);
    expect(await one(rlike(lit('a\u0085b'), 'a.b'))).toBe(false); // NEL ends a line in Java
    expect(await one(rlike(lit('a\nb'), '(?s)a.b'))).toBe(true);
    expect(await one(regexp_extract(lit('😀x'), '^(.)', 1))).toBe('😀');
    expect(await one(regexp_replace(lit('2024-05'), '(?<y>\\d+)-(?<m>\\d+)', '\u0024{m}/\u0024{y}'))).toBe('05/2024');
    expect(await one(regexp_replace(lit('abc'), '(b)', '$11'))).toBe('ab1c'); // $11 is group 1 then '1'
    expect(await one(regexp_replace(lit('a\\b'), '\\\\', '\\\\\\\\'))).toBe('a\\\\b');
  });

  it('refuses, at plan time and naming the pattern, patterns it cannot run', async () => {
    const df = fx.frame();
    const fails = (c: ReturnType<typeof lit>, code: string, text: RegExp) =>
      expect(df.select(c).schema()).rejects.toMatchObject({ code, message: expect.stringMatching(text) });
    await fails(regexp_extract('s', '(a', 1), 'BAD_REGEX', /regexp_extract: invalid regular expression '\(a'/);
    await fails(rlike('s', 'a*+'), 'BAD_REGEX', /'a\*\+'.*possessive/);
    await fails(rlike('s', '(?>ab)'), 'BAD_REGEX', /atomic groups/);
    await fails(rlike('s', '[a-z&&[^c]]'), 'BAD_REGEX', /nested character classes|intersections/);
    await fails(rlike('s', '(?x)a b'), 'BAD_REGEX', /inline flag \(\?x\)/);
    await fails(regexp_extract('s', '(a)(b)', 3), 'BAD_GROUP_INDEX', /group index 3 .*'\(a\)\(b\)' has 2 group/);
    await fails(regexp_extract('s', 'a', -1), 'BAD_GROUP_INDEX', /cannot be negative/);
    await fails(regexp_replace('s', '(a)', '$2'), 'BAD_REPLACEMENT', /invalid replacement '\$2': no group 2/);
    await fails(regexp_replace('s', 'a', 'US$'), 'BAD_REPLACEMENT', /'US\$'/);
    await fails(regexp_replace('s', '(?<x>a)', '\u0024{y}'), 'BAD_REPLACEMENT', /no group named 'y'/);
    await fails(regexp_replace('s', 'a', 'b', 0), 'BAD_ARGUMENT', /position must be 1 or more/);
    await fails(rlike('i', 'a'), 'TYPE_MISMATCH', /rlike expects a string and a pattern/);
  });

  it('a pattern column with an invalid pattern fails the job naming it', async () => {
    // A NULL pattern is NULL, not an error.
    const nulls = await fx
      .frame()
      .select(rlike('s', lit(null).cast('string')).alias('x'))
      .collect();
    expect([...nulls.getChild('x')!].every((v) => v === null)).toBe(true);
    await expect(
      fx
        .frame()
        .select(rlike('s', concat(col('s'), lit('('))).alias('x'))
        .collect(),
    ).rejects.toThrow(/rlike: invalid regular expression '.*\('/);
  });
});
