/**
 * The TPC-H generator (benchmarks/datagen): row counts, the official files' schema, determinism
 * independent of the file split, TPC-H Q1, referential integrity and the spec's value rules —
 * all checked through DuckDB over SF 0.01 output.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TABLES, generateTpch } from '../benchmarks/datagen/index.js';
import { OFFICIAL } from './support/tpch.js';

const SF = 0.01;

/** `DESCRIBE` of the official TPC-H files (tpch-sf0.1), per table: name, DuckDB type, nullable. */
const OFFICIAL_SCHEMA: Record<string, string[]> = {
  region: ['r_regionkey INTEGER YES', 'r_name VARCHAR YES', 'r_comment VARCHAR YES'],
  nation: ['n_nationkey INTEGER YES', 'n_name VARCHAR YES', 'n_regionkey INTEGER YES', 'n_comment VARCHAR YES'],
  supplier: [
    's_suppkey INTEGER YES',
    's_name VARCHAR YES',
    's_address VARCHAR YES',
    's_nationkey INTEGER YES',
    's_phone VARCHAR YES',
    's_acctbal DOUBLE YES',
    's_comment VARCHAR YES',
  ],
  customer: [
    'c_custkey INTEGER YES',
    'c_name VARCHAR YES',
    'c_address VARCHAR YES',
    'c_nationkey INTEGER YES',
    'c_phone VARCHAR YES',
    'c_acctbal DOUBLE YES',
    'c_mktsegment VARCHAR YES',
    'c_comment VARCHAR YES',
  ],
  part: [
    'p_partkey INTEGER YES',
    'p_name VARCHAR YES',
    'p_mfgr VARCHAR YES',
    'p_brand VARCHAR YES',
    'p_type VARCHAR YES',
    'p_size INTEGER YES',
    'p_container VARCHAR YES',
    'p_retailprice DOUBLE YES',
    'p_comment VARCHAR YES',
  ],
  partsupp: [
    'ps_partkey INTEGER YES',
    'ps_suppkey INTEGER YES',
    'ps_availqty INTEGER YES',
    'ps_supplycost DOUBLE YES',
    'ps_comment VARCHAR YES',
  ],
  orders: [
    'o_orderkey INTEGER YES',
    'o_custkey INTEGER YES',
    'o_orderstatus VARCHAR YES',
    'o_totalprice DOUBLE YES',
    'o_orderdate DATE YES',
    'o_orderpriority VARCHAR YES',
    'o_clerk VARCHAR YES',
    'o_shippriority INTEGER YES',
    'o_comment VARCHAR YES',
  ],
  lineitem: [
    'l_orderkey INTEGER YES',
    'l_partkey INTEGER YES',
    'l_suppkey INTEGER YES',
    'l_linenumber INTEGER YES',
    'l_quantity DOUBLE YES',
    'l_extendedprice DOUBLE YES',
    'l_discount DOUBLE YES',
    'l_tax DOUBLE YES',
    'l_returnflag VARCHAR YES',
    'l_linestatus VARCHAR YES',
    'l_shipdate DATE YES',
    'l_commitdate DATE YES',
    'l_receiptdate DATE YES',
    'l_shipinstruct VARCHAR YES',
    'l_shipmode VARCHAR YES',
    'l_comment VARCHAR YES',
  ],
};

/** The NATION table of the TPC-H specification (clause 4.2.3): key, name, region key. */
const SPEC_NATIONS = [
  ['ALGERIA', 0],
  ['ARGENTINA', 1],
  ['BRAZIL', 1],
  ['CANADA', 1],
  ['EGYPT', 4],
  ['ETHIOPIA', 0],
  ['FRANCE', 3],
  ['GERMANY', 3],
  ['INDIA', 2],
  ['INDONESIA', 2],
  ['IRAN', 4],
  ['IRAQ', 4],
  ['JAPAN', 2],
  ['JORDAN', 4],
  ['KENYA', 0],
  ['MOROCCO', 0],
  ['MOZAMBIQUE', 0],
  ['PERU', 1],
  ['CHINA', 2],
  ['ROMANIA', 3],
  ['SAUDI ARABIA', 4],
  ['VIETNAM', 2],
  ['RUSSIA', 3],
  ['UNITED KINGDOM', 3],
  ['UNITED STATES', 1],
].map(([name, region], key) => ({ n_nationkey: key, n_name: name, n_regionkey: region }));
const NATIONS_SQL = 'SELECT n_nationkey, n_name, n_regionkey FROM';

/** The generator's default schema: the official one with the money columns DECIMAL(15,2), as dbgen writes them. */
const GENERATED_SCHEMA: Record<string, string[]> = Object.fromEntries(
  Object.entries(OFFICIAL_SCHEMA).map(([t, cols]) => [t, cols.map((c) => c.replace(' DOUBLE ', ' DECIMAL(15,2) '))]),
);

let root: string;
let dirA: string; // default split
let dirB: string; // same options again
let dirC: string; // another split, row-group size and codec
let dirD: string; // money columns as DOUBLE
let rowsA: Record<string, number>;
let rowsC: Record<string, number>;
let db: DuckDBInstance;
let conn: DuckDBConnection;

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}

/** One number from a one-row, one-column query. */
async function scalar(sql: string): Promise<number> {
  const [row] = await query(sql);
  return Number(Object.values(row!)[0]);
}

const scan = (dir: string, table: string) => `read_parquet('${join(dir, table)}/*.parquet')`;

async function checksum(dir: string, table: string): Promise<string> {
  const [row] = await query(`SELECT sum(hash(t))::VARCHAR AS h, count(*)::INTEGER AS n FROM ${scan(dir, table)} t`);
  return `${row!.n}:${row!.h}`;
}

async function describeTable(path: string): Promise<string[]> {
  const rows = await query(`DESCRIBE SELECT * FROM read_parquet('${path}/*.parquet')`);
  return rows.map((r) => `${r.column_name} ${r.column_type} ${r.null}`);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'stratus-datagen-'));
  [dirA, dirB, dirC, dirD] = ['a', 'b', 'c', 'd'].map((d) => join(root, d)) as [string, string, string, string];
  rowsA = await generateTpch({ sf: SF, dir: dirA });
  await generateTpch({ sf: SF, dir: dirB });
  rowsC = await generateTpch({ sf: SF, dir: dirC, filesPerTable: 3, rowGroupSize: 5000, compression: 'snappy' });
  await generateTpch({ sf: SF, dir: dirD, money: 'double' });
  db = await DuckDBInstance.create(':memory:');
  conn = await db.connect();
});

afterAll(async () => {
  conn?.closeSync();
  db?.closeSync();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('generateTpch at SF 0.01', () => {
  it('writes the TPC-H cardinalities, and returns them', async () => {
    const fixed = { region: 5, nation: 25, supplier: 100, customer: 1500, part: 2000, partsupp: 8000, orders: 15000 };
    expect(rowsA).toMatchObject(fixed);
    expect(rowsA.lineitem).toBeGreaterThan(15000 * 3.8);
    expect(rowsA.lineitem).toBeLessThan(15000 * 4.2);
    for (const table of TABLES) {
      expect(await scalar(`SELECT count(*) FROM ${scan(dirA, table)}`), table).toBe(rowsA[table]);
    }
  });

  it('lays out one directory per table, splitting files when asked', async () => {
    for (const table of TABLES) expect(await readdir(join(dirA, table)), table).toEqual(['part-0.parquet']);
    expect(await readdir(join(dirC, 'lineitem'))).toEqual(['part-0.parquet', 'part-1.parquet', 'part-2.parquet']);
    expect(await readdir(join(dirC, 'nation'))).toEqual(['part-0.parquet']);
    const groups = await query(
      `SELECT row_group_num_rows::INTEGER AS n FROM parquet_metadata('${join(dirC, 'lineitem', 'part-0.parquet')}')
       WHERE column_id = 0 ORDER BY row_group_id`,
    );
    expect(groups.slice(0, -1).every((g) => g.n === 5000)).toBe(true);
  });

  it("has the official files' column names and order, money as DECIMAL(15,2), and the spec's nations", async () => {
    expect(Object.keys(OFFICIAL_SCHEMA).sort()).toEqual([...TABLES].sort());
    expect(GENERATED_SCHEMA.lineitem).toContain('l_extendedprice DECIMAL(15,2) YES');
    for (const table of TABLES) {
      expect(await describeTable(join(dirA, table)), table).toEqual(GENERATED_SCHEMA[table]);
    }
    expect(await query(`${NATIONS_SQL} ${scan(dirA, 'nation')} ORDER BY 1`)).toEqual(SPEC_NATIONS);
  });

  it("with money: 'double', has exactly the official files' types and the same values", async () => {
    for (const table of TABLES) {
      expect(await describeTable(join(dirD, table)), table).toEqual(OFFICIAL_SCHEMA[table]);
      // DECIMAL meets DOUBLE as DOUBLE: cents / 100 as a double either way, so the rows are identical.
      const onlyIn = async (x: string, y: string) =>
        scalar(`SELECT count(*) FROM (SELECT * FROM ${scan(x, table)} EXCEPT ALL SELECT * FROM ${scan(y, table)})`);
      expect(await onlyIn(dirA, dirD), table).toBe(0);
      expect(await onlyIn(dirD, dirA), table).toBe(0);
    }
  });

  it.runIf(OFFICIAL)('checks against what the official files hold (schema and nations)', async () => {
    for (const table of TABLES) {
      expect(await describeTable(join(OFFICIAL!.data, table)), table).toEqual(OFFICIAL_SCHEMA[table]);
    }
    expect(await query(`${NATIONS_SQL} ${scan(OFFICIAL!.data, 'nation')} ORDER BY 1`)).toEqual(SPEC_NATIONS);
  });

  it('is deterministic: same sf → byte-identical files', async () => {
    for (const table of TABLES) {
      const a = await readFile(join(dirA, table, 'part-0.parquet'));
      const b = await readFile(join(dirB, table, 'part-0.parquet'));
      expect(a.equals(b), table).toBe(true);
      expect(await checksum(dirB, table), table).toBe(await checksum(dirA, table));
    }
  });

  it('gives the same values whatever the file split, row-group size and codec', async () => {
    expect(rowsC).toEqual(rowsA);
    for (const table of TABLES) expect(await checksum(dirC, table), table).toBe(await checksum(dirA, table));
  });

  it('answers TPC-H Q1 with the four (returnflag, linestatus) groups', async () => {
    const q1 = await query(`
      SELECT l_returnflag AS f, l_linestatus AS s, count(*)::INTEGER AS n, avg(l_quantity) AS qty,
             avg(l_discount) AS disc, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS charge
      FROM ${scan(dirA, 'lineitem')} WHERE l_shipdate <= DATE '1998-12-01' - INTERVAL 90 DAY
      GROUP BY ALL ORDER BY ALL`);
    expect(q1.map((r) => `${r.f}${r.s}`)).toEqual(['AF', 'NF', 'NO', 'RF']);
    const total = q1.reduce((s, r) => s + (r.n as number), 0);
    expect(total / rowsA.lineitem!).toBeGreaterThan(0.95);
    // N/F is the thin slice shipped by 1995-06-17 but received after it (~0.6% in the official data).
    expect((q1[1]!.n as number) / total).toBeGreaterThan(0.003);
    expect((q1[1]!.n as number) / total).toBeLessThan(0.012);
    for (const r of q1) {
      expect(r.qty as number).toBeGreaterThan(24.5);
      expect(r.qty as number).toBeLessThan(26.5);
      expect(r.disc as number).toBeCloseTo(0.05, 2);
    }
  });

  it('keeps every foreign key and the part → supplier mapping', async () => {
    const orphans = async (sql: string) => scalar(`SELECT count(*) FROM ${sql}`);
    expect(
      await orphans(`${scan(dirA, 'lineitem')} l ANTI JOIN ${scan(dirA, 'orders')} o ON l.l_orderkey = o.o_orderkey`),
    ).toBe(0);
    expect(
      await orphans(`${scan(dirA, 'orders')} o ANTI JOIN ${scan(dirA, 'lineitem')} l ON l.l_orderkey = o.o_orderkey`),
    ).toBe(0);
    expect(
      await orphans(
        `${scan(dirA, 'lineitem')} l ANTI JOIN ${scan(dirA, 'partsupp')} ps ON l.l_partkey = ps.ps_partkey AND l.l_suppkey = ps.ps_suppkey`,
      ),
    ).toBe(0);
    expect(
      await orphans(`${scan(dirA, 'orders')} o ANTI JOIN ${scan(dirA, 'customer')} c ON o.o_custkey = c.c_custkey`),
    ).toBe(0);
    expect(
      await orphans(
        `${scan(dirA, 'partsupp')} ps ANTI JOIN ${scan(dirA, 'supplier')} s ON ps.ps_suppkey = s.s_suppkey`,
      ),
    ).toBe(0);
    expect(await scalar(`SELECT count(DISTINCT (ps_partkey, ps_suppkey)) FROM ${scan(dirA, 'partsupp')}`)).toBe(8000);
    // A third of the customers (keys divisible by 3) never order: Q13 and Q22 depend on it.
    expect(await scalar(`SELECT count(*) FROM ${scan(dirA, 'orders')} WHERE o_custkey % 3 = 0`)).toBe(0);
  });

  it('derives o_totalprice and o_orderstatus from the order lines', async () => {
    const [r] = await query(`
      WITH l AS (
        SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS total, count(*) AS lines,
               count(*) FILTER (l_linestatus = 'O') AS open
        FROM ${scan(dirA, 'lineitem')} GROUP BY 1)
      SELECT max(abs(o_totalprice - total) / lines) AS err_per_line,
             count(*) FILTER (o_orderstatus <> CASE WHEN open = 0 THEN 'F' WHEN open = lines THEN 'O' ELSE 'P' END)::INTEGER AS bad_status,
             count(*) FILTER (o_orderstatus = 'P')::INTEGER AS partial
      FROM ${scan(dirA, 'orders')} JOIN l ON o_orderkey = l_orderkey`);
    expect(r!.err_per_line as number).toBeLessThan(0.021); // cents truncated per line, like dbgen
    expect(r!.bad_status).toBe(0);
    expect(r!.partial as number).toBeGreaterThan(100);
  });

  it('follows the spec rules for lineitem values and dates', async () => {
    const [r] = await query(`
      SELECT
        count(*) FILTER (l_quantity NOT BETWEEN 1 AND 50 OR l_quantity <> round(l_quantity))::INTEGER AS bad_qty,
        count(*) FILTER (round(l_discount * 100) NOT BETWEEN 0 AND 10 OR abs(l_discount * 100 - round(l_discount * 100)) > 1e-9)::INTEGER AS bad_disc,
        count(*) FILTER (round(l_tax * 100) NOT BETWEEN 0 AND 8)::INTEGER AS bad_tax,
        count(*) FILTER (abs(l_extendedprice - l_quantity * p_retailprice) > 0.005)::INTEGER AS bad_price,
        count(*) FILTER (l_shipdate - o_orderdate NOT BETWEEN 1 AND 121)::INTEGER AS bad_ship,
        count(*) FILTER (l_commitdate - o_orderdate NOT BETWEEN 30 AND 90)::INTEGER AS bad_commit,
        count(*) FILTER (l_receiptdate - l_shipdate NOT BETWEEN 1 AND 30)::INTEGER AS bad_receipt,
        count(*) FILTER ((l_receiptdate <= DATE '1995-06-17') <> (l_returnflag IN ('R', 'A')))::INTEGER AS bad_flag,
        count(*) FILTER ((l_shipdate > DATE '1995-06-17') <> (l_linestatus = 'O'))::INTEGER AS bad_status,
        min(o_orderdate)::VARCHAR AS first, max(o_orderdate)::VARCHAR AS last, max(l_receiptdate) <= DATE '1998-12-31' AS in_window,
        count(DISTINCT l_shipmode)::INTEGER AS modes, count(DISTINCT l_shipinstruct)::INTEGER AS instructions,
        max(l_linenumber)::INTEGER AS max_line
      FROM ${scan(dirA, 'lineitem')} JOIN ${scan(dirA, 'orders')} ON l_orderkey = o_orderkey
                                     JOIN ${scan(dirA, 'part')} ON l_partkey = p_partkey`);
    expect(r).toMatchObject({
      bad_qty: 0,
      bad_disc: 0,
      bad_tax: 0,
      bad_price: 0,
      bad_ship: 0,
      bad_commit: 0,
      bad_receipt: 0,
      bad_flag: 0,
      bad_status: 0,
      in_window: true,
      modes: 7,
      instructions: 4,
      max_line: 7,
    });
    expect(r!.first as string).toMatch(/^1992-01-0/);
    expect(r!.last as string).toMatch(/^1998-0[78]-/);
    // Sparse order keys: 8 of every 32.
    expect(await scalar(`SELECT max(o_orderkey) FROM ${scan(dirA, 'orders')}`)).toBe(60000);
  });

  it('uses the spec word lists and formats', async () => {
    const [r] = await query(`
      SELECT (SELECT count(DISTINCT p_type) FROM ${scan(dirA, 'part')})::INTEGER AS types,
             (SELECT count(DISTINCT p_container) FROM ${scan(dirA, 'part')})::INTEGER AS containers,
             (SELECT count(*) FILTER (NOT regexp_full_match(p_brand, 'Brand#[1-5][1-5]') OR
                                      substr(p_brand, 7, 1) <> substr(p_mfgr, 14, 1))
                FROM ${scan(dirA, 'part')})::INTEGER AS bad_brand,
             (SELECT count(*) FILTER (len(list_distinct(string_split(p_name, ' '))) <> 5) FROM ${scan(dirA, 'part')})::INTEGER AS bad_name,
             (SELECT count(DISTINCT c_mktsegment) FROM ${scan(dirA, 'customer')})::INTEGER AS segments,
             (SELECT count(*) FILTER (NOT regexp_full_match(c_phone, '\\d\\d-\\d{3}-\\d{3}-\\d{4}') OR
                                      substr(c_phone, 1, 2)::INTEGER <> c_nationkey + 10)
                FROM ${scan(dirA, 'customer')})::INTEGER AS bad_phone,
             (SELECT count(*) FILTER (s_comment LIKE '%Customer%Complaints%') FROM ${scan(dirA, 'supplier')})::INTEGER AS complaints,
             (SELECT avg((o_comment LIKE '%special%requests%')::INTEGER) FROM ${scan(dirA, 'orders')}) AS special_requests`);
    expect(r).toMatchObject({ types: 150, containers: 40, bad_brand: 0, bad_name: 0, segments: 5, bad_phone: 0 });
    expect(r!.complaints as number).toBeGreaterThanOrEqual(1);
    // Q13's filter drops about 1% of the orders in the official data.
    expect(r!.special_requests as number).toBeGreaterThan(0.005);
    expect(r!.special_requests as number).toBeLessThan(0.02);
  });

  it('rejects impossible options', async () => {
    await expect(generateTpch({ sf: 0, dir: join(root, 'x') })).rejects.toThrow(/sf must be/);
    await expect(generateTpch({ sf: 0.01, dir: join(root, 'x'), rowGroupSize: 0 })).rejects.toThrow(/rowGroupSize/);
  });
});
