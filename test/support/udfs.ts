/** User functions for the UDF tests: registered by name at module top level, as a job would. */
import * as arrow from 'apache-arrow';
import { batchFunction, flatMapFunction, mapFunction, udf } from '../../src/functions.js';
import { field } from '../../planner/types.js';

export const netPrice = udf(
  'net_price',
  (p, d) => (p === null || d === null ? null : Math.round((p as number) * (1 - (d as number)) * 100) / 100),
  'float64',
);
export const flagCode = udf('flag_code', (f) => `flag-${String(f).toLowerCase()}`, 'string');

mapFunction(
  'order_size',
  (r) => ({ o_orderkey: r.o_orderkey, size: (r.o_totalprice as number) > 200_000 ? 'large' : 'small' }),
  [field('o_orderkey', 'int32'), field('size', 'string')],
);

flatMapFunction(
  'explode_digits',
  (r) =>
    String(r.n_nationkey)
      .split('')
      .map((d) => ({ n_nationkey: r.n_nationkey, digit: Number(d) })),
  [field('n_nationkey', 'int32'), field('digit', 'int32')],
);

batchFunction(
  'double_price',
  (b: arrow.RecordBatch) => {
    const price = b.getChild('o_totalprice')!.toArray() as Float64Array;
    const key = b.getChild('o_orderkey')!.toArray() as Int32Array;
    return arrow.tableFromArrays({ o_orderkey: key, doubled: price.map((x) => x * 2) });
  },
  [field('o_orderkey', 'int32'), field('doubled', 'float64')],
);
