/** The eight TPC-H tables of a data directory (one sub-directory per table) as DataFrames. */
import * as path from 'node:path';
import type { DataFrame, Session } from '../../../src/index.js';

export const TABLE_NAMES = [
  'region',
  'nation',
  'supplier',
  'customer',
  'part',
  'partsupp',
  'orders',
  'lineitem',
] as const;
export type TableName = (typeof TABLE_NAMES)[number];
export type Tables = { readonly [K in TableName]: () => DataFrame };

export function tpchTables(s: Session, dir: string): Tables {
  return Object.fromEntries(TABLE_NAMES.map((n) => [n, () => s.read.parquet(path.join(dir, n))])) as unknown as Tables;
}
