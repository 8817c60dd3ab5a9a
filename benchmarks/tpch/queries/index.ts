/** TPC-H queries written in the Stratus DSL, by number. */
import type { DataFrame } from '../../../src/index.js';
import q1 from './q1.js';
import q6 from './q6.js';
import type { Tables } from './tables.js';

export { tpchTables, TABLE_NAMES, type Tables } from './tables.js';

export const QUERIES: Readonly<Record<number, (t: Tables) => DataFrame>> = { 1: q1, 6: q6 };

/** Whether the query's result order is defined by its ORDER BY. */
export const ORDERED: Readonly<Record<number, boolean>> = { 1: true, 6: false };
