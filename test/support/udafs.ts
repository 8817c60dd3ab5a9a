/** User aggregates for the UDAF tests: registered by name at module top level, as a job would. */
import { udaf } from '../../src/functions.js';

interface LogSum {
  logs: number;
  n: number;
}

/** The geometric mean of the non-null values. */
export const geomean = udaf<LogSum>(
  'geomean',
  {
    init: () => ({ logs: 0, n: 0 }),
    update: (s, x) => (x === null ? s : { logs: s.logs + Math.log(x as number), n: s.n + 1 }),
    merge: (a, b) => ({ logs: a.logs + b.logs, n: a.n + b.n }),
    finish: (s) => (s.n ? Math.exp(s.logs / s.n) : null),
  },
  'float64',
);

/** sum(x·w) / sum(w) over rows where both are non-null: two arguments, a mutable state. */
export const weightedAvg = udaf<{ xw: number; w: number }>(
  'weighted_avg',
  {
    init: () => ({ xw: 0, w: 0 }),
    update: (s, x, w) => {
      if (x !== null && w !== null) {
        s.xw += (x as number) * Number(w);
        s.w += Number(w);
      }
      return s;
    },
    merge: (a, b) => ({ xw: a.xw + b.xw, w: a.w + b.w }),
    finish: (s) => (s.w ? s.xw / s.w : null),
  },
  'float64',
);

/** Throws on the first value above 20. */
export const boom = udaf<number>(
  'boom',
  {
    init: () => 0,
    update: (s, x) => {
      if ((x as number) > 20) throw new Error(`value ${x} is too big`);
      return s + 1;
    },
    merge: (a, b) => a + b,
    finish: (s) => s,
  },
  'int64',
);

/** A state JSON cannot carry (a BigInt). */
export const bigState = udaf<{ n: bigint }>(
  'big_state',
  {
    init: () => ({ n: 0n }),
    update: (s) => ({ n: s.n + 1n }),
    merge: (a, b) => ({ n: a.n + b.n }),
    finish: (s) => Number(s.n),
  },
  'int64',
);

/** The number of rows, nulls included (its update sees every row, as a UDAF's does). */
export const rowCount = udaf<number>(
  'row_count',
  {
    init: () => 0,
    update: (s) => s + 1,
    merge: (a, b) => a + b,
    finish: (s) => s,
  },
  'int64',
);
