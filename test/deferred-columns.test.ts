import { describe, expect, it } from 'vitest';
import { binary, col, lit } from '../planner/expr.js';
import type { Schema } from '../planner/types.js';
import { FilterOperator } from '../operators/filter.js';
import { HashJoinOperator } from '../operators/join.js';
import type { Batch } from '../operators/vector.js';
import {
  batchRows,
  deferredBatch,
  gatherColumn,
  selectRows,
  takeBatch,
  valueAt,
  vecFromValues,
} from '../operators/vector.js';

const schema: Schema = [
  { name: 'k', type: 'int32', nullable: true },
  { name: 's', type: 'string', nullable: true },
];
const plain = (): Batch => ({
  schema,
  length: 5,
  columns: [vecFromValues('int32', [10, 11, null, 13, 14]), vecFromValues('string', ['a', 'b', 'c', null, 'e'])],
});
/** Whether column i of b is still pending (not gathered yet). */
const pending = (b: Batch, i: number) => typeof Object.getOwnPropertyDescriptor(b.columns, i)?.get === 'function';

async function collect(it: AsyncIterable<Batch>): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of it) out.push(b);
  return out;
}
async function* once(b: Batch): AsyncIterable<Batch> {
  yield b;
}

describe('deferred columns', () => {
  it('a column is gathered when first read, once', () => {
    const src = plain();
    const b = deferredBatch(schema, 3, [
      { source: src.columns[0]!, sel: Int32Array.of(4, -1, 0) },
      { source: src.columns[1]!, sel: Int32Array.of(1, 2, -1) },
    ]);
    expect(pending(b, 0)).toBe(true);
    const k = b.columns[0]!;
    expect(pending(b, 0)).toBe(false);
    expect(pending(b, 1)).toBe(true);
    expect(b.columns[0]).toBe(k);
    expect(batchRows(b)).toEqual([
      { k: 14, s: 'b' },
      { k: null, s: 'c' },
      { k: 10, s: null },
    ]);
  });

  it('selecting rows of a deferred batch composes the selections, nulls kept', () => {
    const src = plain();
    const b = selectRows(src, Int32Array.of(4, 3, 2, 1));
    const c = selectRows(b, Int32Array.of(3, -1, 0, 1));
    expect(pending(c, 0) && pending(c, 1)).toBe(true);
    expect(batchRows(c)).toEqual([
      { k: 11, s: 'b' },
      { k: null, s: null },
      { k: 14, s: 'e' },
      { k: 13, s: null },
    ]);
    const g = gatherColumn(b, 1, Int32Array.of(2, 0));
    expect([valueAt(g, 0), valueAt(g, 1)]).toEqual(['c', 'e']);
    expect(batchRows(takeBatch(b, Int32Array.of(1)))).toEqual([{ k: 13, s: null }]);
  });

  it('a filter feeding a streaming operator hands on its rows deferred, else gathered', async () => {
    const pred = binary('>', col('k'), lit(10));
    const [lazy] = await collect(new FilterOperator(pred, schema, {}, true).execute(once(plain())));
    expect(pending(lazy!, 1)).toBe(true);
    expect(batchRows(lazy!)).toEqual([
      { k: 11, s: 'b' },
      { k: 13, s: null },
      { k: 14, s: 'e' },
    ]);
    const [eager] = await collect(new FilterOperator(pred, schema, {}, false).execute(once(plain())));
    expect(pending(eager!, 0) || pending(eager!, 1)).toBe(false);
    expect(batchRows(eager!)).toEqual(batchRows(lazy!));
  });

  it('a join gathers the columns read after it, from the batches the rows came from', async () => {
    const buildSchema: Schema = [
      { name: 'bk', type: 'int32', nullable: true },
      { name: 'name', type: 'string', nullable: true },
    ];
    const build: Batch = {
      schema: buildSchema,
      length: 3,
      columns: [vecFromValues('int32', [13, 11, 12]), vecFromValues('string', ['x13', 'x11', 'x12'])],
    };
    const join = new HashJoinOperator(
      'inner',
      [col('k')],
      [col('bk')],
      null,
      { kind: 'broadcast', stage: 0, schema: buildSchema },
      schema,
      [...schema, ...buildSchema],
      { readBuildSide: async () => [build] },
      false,
      true,
    );
    // The probe side is itself deferred (a filter's rows): the join composes, gathers nothing.
    const probe = selectRows(plain(), Int32Array.of(4, 3, 1, 0));
    const [out] = await collect(join.execute(once(probe)));
    expect([0, 1, 2, 3].every((i) => pending(out!, i))).toBe(true);
    expect(batchRows(out!)).toEqual([
      { k: 13, s: null, bk: 13, name: 'x13' },
      { k: 11, s: 'b', bk: 11, name: 'x11' },
    ]);
  });
});
