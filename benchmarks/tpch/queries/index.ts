/** TPC-H queries written in the Stratus DSL, by number. */
import type { DataFrame } from '../../../src/index.js';
import q1 from './q1.js';
import q3 from './q3.js';
import q5 from './q5.js';
import q6 from './q6.js';
import q12 from './q12.js';
import q18 from './q18.js';
import type { Tables } from './tables.js';

export { tpchTables, TABLE_NAMES, type Tables } from './tables.js';

export const QUERIES: Readonly<Record<number, (t: Tables) => DataFrame>> = { 1: q1, 3: q3, 5: q5, 6: q6, 12: q12, 18: q18 };

/** Whether the query's result order is fully defined by its ORDER BY (Q6 has one row). */
export const ORDERED: Readonly<Record<number, boolean>> = { 1: true, 3: true, 5: true, 6: false, 12: true, 18: true };
