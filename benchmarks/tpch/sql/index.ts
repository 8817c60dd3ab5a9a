/**
 * The 22 TPC-H queries as SQL text (q1.sql … q22.sql next to this module): the
 * specification's queries with its validation substitution parameters, date and decimal
 * arithmetic on literals folded exactly, Q15's view written as a CTE, and the spec's
 * ORDER BY / LIMIT kept. Each file starts with `--` comment lines and has no trailing
 * semicolon, so the text can be wrapped in a subquery. Table names are the TPC-H ones.
 *
 * @example
 * const sql = tpchSql(6); // "-- TPC-H Q6 ...\nselect sum(l_extendedprice * l_discount) ..."
 */
import { readFileSync } from 'node:fs';

/** The eight TPC-H tables, in the order the specification lists them. */
export const TPCH_TABLES = [
  'part',
  'supplier',
  'partsupp',
  'customer',
  'orders',
  'lineitem',
  'nation',
  'region',
] as const;

/** Number of TPC-H queries (1 … TPCH_QUERY_COUNT). */
export const TPCH_QUERY_COUNT = 22;

/** SQL text of TPC-H query `n` (1–22), read from `qN.sql` beside this module. */
export function tpchSql(n: number): string {
  if (!Number.isInteger(n) || n < 1 || n > TPCH_QUERY_COUNT) {
    throw new RangeError(`TPC-H query number must be an integer 1..${TPCH_QUERY_COUNT}, got ${n}`);
  }
  return readFileSync(new URL(`./q${n}.sql`, import.meta.url), 'utf8');
}
