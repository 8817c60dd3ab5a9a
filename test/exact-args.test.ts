/**
 * Decimal sums' arithmetic arguments computed into reused buffers (operators/accumulators/exactArgs.ts):
 * where every + - * step is provably exact (the fast kernels' own proof) the values are the
 * kernels' digit for digit; a product or sum that could reach 2^53 or the result's precision, a
 * result that could reach 2^52, or an operand holding nulls is left to the kernels (null here).
 * A subexpression shared by two arguments, and buffers reused chunk after chunk and batch after
 * batch, must not leak one chunk's values into the next.
 */
import { describe, expect, it } from 'vitest';
import { EXACT_CHUNK, ExactArgs } from '../operators/accumulators/exactArgs.js';
import { compileExpr } from '../operators/eval.js';
import { materialize } from '../operators/scalar.js';
import type { Batch, DecimalVec, Vec } from '../operators/vector.js';
import { binary, col, type Expr, lit } from '../planner/expr.js';
import type { Schema } from '../planner/types.js';
import { field } from '../planner/types.js';

const schema: Schema = [
  field('x', 'decimal(15,2)'),
  field('y', 'decimal(15,2)'),
  field('z', 'decimal(9,2)'),
  field('w', 'decimal(20,10)'),
];
const x = col('x');
const y = col('y');
const disc = binary('*', x, binary('-', lit(1), y));
const ARGS: Expr[] = [
  disc, // x * (1 - y): decimal(32,4)
  binary('*', disc, binary('+', lit(1), y)), // x * (1 - y) * (1 + y), sharing x * (1 - y)
  binary('+', x, y), // decimal(16,2)
  binary('*', col('z'), y), // z holds nulls
  binary('*', x, x), // decimal(31,4)
  binary('*', col('w'), col('w')), // decimal(38,17): 41 digits cut to 38, the product rounded to 17 places
];

function batch(xs: bigint[], ys: bigint[], zs: (bigint | null)[]): Batch {
  const validity = new Uint8Array((zs.length + 7) >> 3);
  zs.forEach((v, i) => {
    if (v !== null) validity[i >> 3]! |= 1 << (i & 7);
  });
  const dec = (type: string, v: (bigint | null)[], valid: Uint8Array | null): Vec =>
    ({ type, values: BigInt64Array.from(v, (a) => a ?? 0n), validity: valid }) as Vec;
  return {
    schema,
    columns: [
      dec('decimal(15,2)', xs, null),
      dec('decimal(15,2)', ys, null),
      dec('decimal(9,2)', zs, zs.includes(null) ? validity : null),
      // Short values of a wide type, held in a BigInt64Array as kernels may hold them.
      dec('decimal(20,10)', xs, null),
    ],
    length: xs.length,
  };
}

/** Each argument through ExactArgs chunk by chunk (false where left to the kernels), checked against the kernels' values. */
function run(args: ExactArgs, b: Batch): boolean[] {
  const ready = args.prepare(b, b.length);
  const got = ARGS.map(() => [] as bigint[]);
  const types = ARGS.map(() => '');
  for (let from = 0; from < b.length; from += EXACT_CHUNK) {
    args.chunk(from, Math.min(b.length, from + EXACT_CHUNK));
    for (const i of ready) {
      const v = args.value(i);
      types[i] = v.type;
      got[i]!.push(...v.values);
    }
  }
  for (const i of ready) {
    const want = materialize(compileExpr(ARGS[i]!, schema)(b), b.length) as DecimalVec;
    expect(types[i]).toBe(want.type);
    expect(got[i], `argument ${i}`).toEqual([...want.values]);
  }
  return ARGS.map((_, i) => ready.includes(i));
}

describe('decimal sum arguments as exact doubles in reused buffers', () => {
  it('equal the kernels where provable, and are left to them where not', () => {
    const args = new ExactArgs(
      ARGS,
      ARGS.map(() => true),
      schema,
    );
    // Small values: every step provable but the one over nulls.
    const small = batch([12345n, -99999n, 100n, 7n], [5n, 10n, 0n, 99n], [1n, null, 3n, 4n]);
    expect(run(args, small)).toEqual([true, true, true, false, true, false]);
    // Another batch through the same buffers: values of this batch, not the last one's.
    const other = batch([1n, 2n, 3n, 4n, 5n, 6n], [1n, 2n, 3n, 4n, 5n, 6n], [1n, 1n, 1n, 1n, 1n, 1n]);
    expect(run(args, other)).toEqual([true, true, true, true, true, false]);
    // x up to 10^9.00: x * x could reach 10^22 (beyond 2^53); the others stay provable.
    const wide = batch([100000000000n, -3n], [1n, 2n], [1n, 2n]);
    expect(run(args, wide)).toEqual([true, true, true, true, false, false]);
    // x near 2^52: x * (1 - y) needs 2^52 * 100 (beyond 2^53); x + y could reach 2^52 (a sum's limit).
    const edge = batch([2n ** 52n - 1n, 1n], [0n, 1n], [1n, 1n]);
    expect(run(args, edge)).toEqual([false, false, false, true, false, false]);
    // Several chunks (the shared x * (1 - y) computed once per chunk, its buffer reused by the next).
    const rows = EXACT_CHUNK * 2 + 100;
    const xs = Array.from({ length: rows }, (_, i) => BigInt(((i * 7919) % 200003) - 100000));
    const ys = Array.from({ length: rows }, (_, i) => BigInt((i * 31) % 97));
    expect(run(args, batch(xs, ys, ys))).toEqual([true, true, true, true, true, false]);
  });

  it('only the arguments marked eligible, and only + - * trees', () => {
    const args = new ExactArgs([disc, x, binary('/', x, y), disc], [true, true, true, false], schema);
    const b = batch([100n, 200n], [1n, 2n], [1n, 2n]);
    expect(args.prepare(b, 2)).toEqual([0]);
    // A leaf other than a column or a literal (here a cast) would be evaluated twice when not provable.
    const cast: Expr = { kind: 'cast', input: y, to: 'decimal(15,2)' };
    expect(new ExactArgs([binary('*', x, cast)], [true], schema).prepare(b, 2)).toEqual([]);
  });
});
