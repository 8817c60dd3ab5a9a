/**
 * A final aggregate whose group table passes its bound sends its rows to radix partitions and
 * aggregates each partition on its own (operators/radixPartitions.ts), when its key is one
 * hashed number. With a bound of a few groups, partial → final over generated rows must give
 * DuckDB's answers — int32 and int64 keys past 2^53 with nulls (partitioned), string and
 * multi-column keys (not), exact decimal sums past 2^53 — and, for every kind of accumulator
 * state (order-dependent ones included), the same answer as one table.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashAggregateOperator } from '../operators/aggregate.js';
import { batchesToArrow } from '../operators/arrow.js';
import { setPartialFlushGroups } from '../operators/partialFlush.js';
import { setRadixGroups } from '../operators/radixPartitions.js';
import type { Batch } from '../operators/vector.js';
import { batchRows, vecFromValues } from '../operators/vector.js';
import { type AggFn, aggCallType, NO_SIG } from '../planner/aggregates.js';
import { stateSchema } from '../planner/aggstate.js';
import { col } from '../planner/expr.js';
import type { AggCall } from '../planner/stages.js';
import { type DataType, field, type Schema } from '../planner/types.js';
import { expectSameResults, rowsFromArrow } from './support/compare.js';
import { duckdbQuery } from './support/oracle.js';
import { SF01 } from './support/tpch.js';

const ROWS = 30_000;
const BATCH = 250;
const TWO53 = 2n ** 53n;

interface Column {
  readonly name: string;
  readonly type: DataType;
  readonly sql: string;
  readonly at: (i: number) => unknown;
}

const COLUMNS: readonly Column[] = [
  // ~5000 keys spread over a wide range (hashed, not a direct id array), a null now and then.
  {
    name: 'k',
    type: 'int32' as DataType,
    sql: 'case when i % 101 = 0 then null else ((i * 7919) % 5003) * 100003 end',
    at: (i: number) => (i % 101 === 0 ? null : ((i * 7919) % 5003) * 100003),
  },
  // int64 keys past 2^53 that differ in their low bits only.
  {
    name: 'l',
    type: 'int64' as DataType,
    sql: `case when i % 97 = 0 then null else ${TWO53 + 1n} + (i * 31) % 3001 end`,
    at: (i: number) => (i % 97 === 0 ? null : TWO53 + 1n + BigInt((i * 31) % 3001)),
  },
  {
    name: 's',
    type: 'string' as DataType,
    sql: "case when i % 1009 = 0 then null else 'v' || ((i * 13) % 211)::varchar end",
    at: (i: number) => (i % 1009 === 0 ? null : `v${(i * 13) % 211}`),
  },
  {
    name: 'd',
    type: 'decimal(15,2)' as DataType,
    sql: 'case when i % 13 = 0 then null else (((i * 37) % 100003 - 50000) / 100)::decimal(15,2) end',
    at: (i: number) => (i % 13 === 0 ? null : ((((i * 37) % 100003) - 50000) / 100).toFixed(2)),
  },
  // Large decimals: a group's sum passes 2^53 (its state leaves the exact doubles for BigInts).
  {
    name: 'b',
    type: 'decimal(18,0)' as DataType,
    sql: '((i * 7) % 900)::decimal(18,0) * 1000000000000000 + i',
    at: (i: number) => (BigInt((i * 7) % 900) * 10n ** 15n + BigInt(i)).toString(),
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
  call('sum', 'b', 'sb'),
  call('sum', 'l', 'sl'),
  call('count', null, 'n'),
  call('count', 'd', 'nd'),
  call('min', 'd', 'lo'),
  call('max', 's', 'hi'),
  call('avg', 'd', 'ad'),
];
const AGGS_SQL =
  'sum(d) as sd, sum(b) as sb, sum(l) as sl, count(*) as n, count(d) as nd, min(d) as lo, max(s) as hi, avg(d) as ad';

/** Every other kind of state: order-dependent picks, lists, sketches, moments. */
const MORE_CALLS = [
  call('first', 'd', 'f'),
  call('last', 's', 'la'),
  call('collect_list', 'k', 'cl'),
  call('collect_set', 's', 'cs'),
  call('approx_count_distinct', 'b', 'acd'),
  call('stddev', 'k', 'sdv'),
  call('median', 'k', 'med'),
];

/** Partial (flushing often) then final aggregation of the rows by `keys`: the final's batches. */
async function aggregate(keys: readonly string[], calls: readonly AggCall[]): Promise<Batch[]> {
  const keyFields = keys.map((k) => INPUT.find((f) => f.name === k)!);
  const partialSchema: Schema = [...keyFields, ...stateSchema(calls)];
  const finalSchema: Schema = [...keyFields, ...calls.map((c) => field(c.name, c.outType))];
  const keyExprs = keys.map((k) => col(k));
  const partial = new HashAggregateOperator('partial', keyExprs, calls, INPUT, partialSchema, {});
  const final = new HashAggregateOperator('final', keyExprs, calls, partialSchema, finalSchema, {});
  const states: Batch[] = [];
  for await (const b of partial.execute(from(batches()))) states.push(b);
  const answer: Batch[] = [];
  for await (const b of final.execute(from(states))) answer.push(b);
  return answer;
}

const rowsOf = (answer: Batch[]) => rowsFromArrow(batchesToArrow(answer[0]!.schema, answer));

/** Every row as JSON (BigInts as strings, sketches by their bytes), sorted. */
const canonical = (answer: Batch[]): string[] =>
  answer
    .flatMap((b) => batchRows(b))
    .map((r) => JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)))
    .sort();

describe('a final aggregate past its bound aggregates radix partitions one by one', () => {
  let flushBefore = 0;
  let radixBefore = 0;
  beforeAll(() => {
    flushBefore = setPartialFlushGroups(200);
    radixBefore = setRadixGroups(64);
  });
  afterAll(() => {
    setPartialFlushGroups(flushBefore);
    setRadixGroups(radixBefore);
  });

  for (const keys of [['k'], ['l'], ['s'], ['k', 's'], ['s', 'l', 'k']]) {
    const numeric = keys.length === 1 && keys[0] !== 's';
    it(`keys (${keys.join(', ')}) with nulls, exact sums: ${numeric ? '' : 'not '}partitioned, same answer as DuckDB`, async () => {
      const answer = await aggregate(keys, CALLS);
      // One batch per partition: the table was partitioned (only one hashed number key is).
      if (numeric) expect(answer.length).toBeGreaterThan(1);
      else expect(answer.length).toBe(1);
      const cols = COLUMNS.map((c) => `${c.sql} as ${c.name}`).join(', ');
      const expected = await duckdbQuery(
        `select ${keys.join(', ')}, ${AGGS_SQL} from (select ${cols} from range(${ROWS}) t(i)) group by ${keys.join(', ')}`,
        SF01,
      );
      expectSameResults(rowsOf(answer), expected, { ordered: false });
    });
  }

  it('int32 keys of a narrow range (a direct id array) stay in one table', async () => {
    const states: Batch[] = [];
    const schema: Schema = [field('o', 'int32' as DataType), ...stateSchema([call('count', null, 'n')])];
    for (let from = 0; from < 20_000; from += 1000) {
      const keys = Int32Array.from({ length: 1000 }, (_, i) => 4 * (from + i));
      const counts = BigInt64Array.from({ length: 1000 }, () => 2n);
      states.push({
        schema,
        columns: [
          { type: 'int32', values: keys, validity: null },
          { type: 'int64', values: counts, validity: null },
        ],
        length: 1000,
      });
    }
    const calls = [call('count', null, 'n')];
    const out = [field('o', 'int32' as DataType), field('n', 'int64' as DataType)];
    const final = new HashAggregateOperator('final', [col('o')], calls, schema, out, {});
    const answer: Batch[] = [];
    for await (const b of final.execute(from(states))) answer.push(b);
    expect(answer.length).toBe(1);
    expect(answer[0]!.length).toBe(20_000);
  });

  it('int32 keys in sorted runs (a hash partition of sorted files read out of order) stay in one table', async () => {
    // Files of 1000 keys 64 apart (too sparse for a direct id array), read part-0, part-1, part-10, …;
    // each file's keys come as the states of two partial flushes, the key at the flush boundary in both.
    const names = Array.from({ length: 20 }, (_, f) => f).sort((a, b) => String(a).localeCompare(String(b)));
    const schema: Schema = [field('o', 'int32' as DataType), ...stateSchema([call('count', null, 'n')])];
    const expected = new Map<number, bigint>();
    const states: Batch[] = [];
    for (const f of names) {
      for (const [from, to] of [
        [0, 600],
        [599, 1000],
      ] as const) {
        const keys = Int32Array.from({ length: to - from }, (_, i) => 64 * (1000 * f + from + i) + 1);
        const counts = BigInt64Array.from(keys, (k) => BigInt(k % 7) + 1n);
        for (const [i, k] of keys.entries()) expected.set(k, (expected.get(k) ?? 0n) + counts[i]!);
        states.push({
          schema,
          columns: [
            { type: 'int32', values: keys, validity: null },
            { type: 'int64', values: counts, validity: null },
          ],
          length: keys.length,
        });
      }
    }
    const calls = [call('count', null, 'n')];
    const out = [field('o', 'int32' as DataType), field('n', 'int64' as DataType)];
    const final = new HashAggregateOperator('final', [col('o')], calls, schema, out, {});
    const answer: Batch[] = [];
    for await (const b of final.execute(from(states))) answer.push(b);
    // One table, not radix partitions (the bound is 64 groups here), and every key's count.
    expect(answer.length).toBe(1);
    const rows = batchRows(answer[0]!).map((r) => [r.o, r.n]);
    expect(new Map(rows as [number, bigint][])).toEqual(expected);
    expect(rows.length).toBe(20_000);
  });

  for (const keys of [['k'], ['l']]) {
    it(`every kind of state (${keys.join(', ')}): the same answer as one table`, async () => {
      const partitioned = await aggregate(keys, MORE_CALLS);
      expect(partitioned.length).toBeGreaterThan(1);
      setRadixGroups(Number.POSITIVE_INFINITY);
      let whole: Batch[];
      try {
        whole = await aggregate(keys, MORE_CALLS);
      } finally {
        setRadixGroups(64);
      }
      expect(whole.length).toBe(1);
      // Same rows in another order; lists compare element by element (a key's states merge in the same order).
      expect(canonical(partitioned)).toEqual(canonical(whole));
    });
  }
});
