/**
 * A partial aggregate whose group table passes its bound flushes its groups and starts again
 * (operators/partialFlush.ts); the final aggregate merges a group flushed more than once. With a
 * bound of a few groups, partial → final over generated rows must give DuckDB's answers over
 * the same rows — clustered keys with nulls, decimal sums, several keys — and keys spread out
 * must turn flushing off.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashAggregateOperator } from '../operators/aggregate.js';
import { batchesToArrow } from '../operators/arrow.js';
import { setPartialFlushGroups } from '../operators/partialFlush.js';
import type { Batch } from '../operators/vector.js';
import { vecFromValues } from '../operators/vector.js';
import { aggCallType, NO_SIG, type AggFn } from '../planner/aggregates.js';
import { stateSchema } from '../planner/aggstate.js';
import { col } from '../planner/expr.js';
import type { AggCall } from '../planner/stages.js';
import { type DataType, field, type Schema } from '../planner/types.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01 } from './support/tpch.js';

const ROWS = 30_000;
/** Runs of 3 rows cross batch boundaries, so some groups are flushed twice. */
const BATCH = 250;
const DEC = 'decimal(15,2)' as DataType;

/** A generated column, defined once for both engines: `sql` is DuckDB's value of row i, `at` ours. */
interface Column {
  readonly name: string;
  readonly type: DataType;
  readonly sql: string;
  readonly at: (i: number) => unknown;
}

const COLUMNS: readonly Column[] = [
  // Clustered (runs of 3, rising) with a null now and then: flushing loses nothing.
  {
    name: 'k',
    type: 'int32' as DataType,
    sql: 'case when i % 101 = 0 then null else i // 3 end',
    at: (i: number) => (i % 101 === 0 ? null : Math.floor(i / 3)),
  },
  // TPC-H order keys (8 of every 32, 4 rows each), never null: whole batches take the direct
  // array's loop without nulls, and each flush's array is reused for the next keys.
  {
    name: 'o',
    type: 'int32' as DataType,
    sql: '((i // 4) // 8) * 32 + (i // 4) % 8 + 1',
    at: (i: number) => Math.floor(i / 32) * 32 + (Math.floor(i / 4) % 8) + 1,
  },
  // Spread out: every flush would find its groups again.
  { name: 'r', type: 'int32' as DataType, sql: '(i * 7919) % 1009', at: (i: number) => (i * 7919) % 1009 },
  {
    name: 's',
    type: 'string' as DataType,
    sql: "case (i // 7) % 4 when 0 then 'x' when 1 then 'yy' when 2 then 'zzz' end",
    at: (i: number) => ['x', 'yy', 'zzz', null][Math.floor(i / 7) % 4],
  },
  // Cents from -500.00 to 500.02, null every 13th row.
  {
    name: 'd',
    type: DEC,
    sql: 'case when i % 13 = 0 then null else (((i * 37) % 100003 - 50000) / 100)::decimal(15,2) end',
    at: (i: number) => (i % 13 === 0 ? null : ((((i * 37) % 100003) - 50000) / 100).toFixed(2)),
  },
];
const INPUT: Schema = COLUMNS.map((c) => field(c.name, c.type));

function* batches(): Generator<Batch> {
  for (let from = 0; from < ROWS; from += BATCH) {
    const rows = Array.from({ length: Math.min(BATCH, ROWS - from) }, (_, k) => from + k);
    const columns = COLUMNS.map((c) => vecFromValues(c.type, rows.map(c.at)));
    yield { schema: INPUT, columns, length: rows.length };
  }
}

async function* from(list: Iterable<Batch>): AsyncIterable<Batch> {
  yield* list;
}

function call(fn: AggFn, arg: string | null, name: string): AggCall {
  const argType = arg ? INPUT.find((f) => f.name === arg)!.type : null;
  const r = aggCallType(fn, argType, NO_SIG);
  if (!('type' in r)) throw new Error(r.error);
  return { fn, arg: arg ? col(arg) : null, name, argType, outType: r.type as DataType };
}

const CALLS = [
  call('sum', 'd', 'sd'),
  call('count', null, 'n'),
  call('count', 'd', 'nd'),
  call('min', 'd', 'lo'),
  call('max', 's', 'hi'),
  call('avg', 'd', 'ad'),
];
const AGGS_SQL = 'sum(d) as sd, count(*) as n, count(d) as nd, min(d) as lo, max(s) as hi, avg(d) as ad';

/** Partial (flushing) then final aggregation of the rows by `keys`: the answer and the partial's output. */
async function aggregate(keys: readonly string[]): Promise<{ answer: Batch[]; partial: Batch[] }> {
  const keyFields = keys.map((k) => INPUT.find((f) => f.name === k)!);
  const partialSchema: Schema = [...keyFields, ...stateSchema(CALLS)];
  const finalSchema: Schema = [...keyFields, ...CALLS.map((c) => field(c.name, c.outType))];
  const keyExprs = keys.map((k) => col(k));
  const partial = new HashAggregateOperator('partial', keyExprs, CALLS, INPUT, partialSchema, {});
  const final = new HashAggregateOperator('final', keyExprs, CALLS, partialSchema, finalSchema, {});
  const states: Batch[] = [];
  for await (const b of partial.execute(from(batches()))) states.push(b);
  const answer: Batch[] = [];
  for await (const b of final.execute(from(states))) answer.push(b);
  return { answer, partial: states };
}

async function expectDuckdbAnswer(keys: readonly string[], answer: Batch[]): Promise<void> {
  const schema = answer[0]!.schema;
  const cols = COLUMNS.map((c) => `${c.sql} as ${c.name}`).join(', ');
  const expected = await duckdbQuery(
    `select ${keys.join(', ')}, ${AGGS_SQL} from (select ${cols} from range(${ROWS}) t(i)) group by ${keys.join(', ')}`,
    SF01,
  );
  expectSameResults(rowsFromArrow(batchesToArrow(schema, answer)), expected, { ordered: false });
}

const rowsOf = (list: readonly Batch[]) => list.reduce((a, b) => a + b.length, 0);

describe('partial aggregation flushes a full group table', () => {
  let before = 0;
  beforeAll(() => {
    before = setPartialFlushGroups(50);
  });
  afterAll(() => {
    setPartialFlushGroups(before);
  });

  for (const keys of [['k'], ['o'], ['k', 's'], ['s', 'k']]) {
    it(`clustered keys (${keys.join(', ')}), nulls and decimals: flushed often, same answer as DuckDB`, async () => {
      const { answer, partial } = await aggregate(keys);
      expect(partial.length).toBeGreaterThan(100);
      await expectDuckdbAnswer(keys, answer);
    });
  }

  it('keys spread out: flushing turns itself off, same answer as DuckDB', async () => {
    const { answer, partial } = await aggregate(['r', 's']);
    expect(partial.length).toBeGreaterThan(1);
    // 1009 × 4 groups, and a few flushed tables beyond them: not one state per row.
    expect(rowsOf(partial)).toBeLessThan(2 * 4036);
    await expectDuckdbAnswer(['r', 's'], answer);
  });

  it('with the default bound, nothing is flushed early', async () => {
    setPartialFlushGroups(before);
    try {
      const { answer, partial } = await aggregate(['k']);
      expect(partial.length).toBe(1);
      await expectDuckdbAnswer(['k'], answer);
    } finally {
      setPartialFlushGroups(50);
    }
  });
});
