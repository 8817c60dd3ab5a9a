/**
 * A join's build rows kept in the batches read (operators/buildRows.ts): a column the probe asks
 * few rows of is gathered from the batches, never concatenated; past a share of the rows, or once
 * read whole (a key column), it is concatenated. Same values either way, nulls included.
 */
import { describe, expect, it } from 'vitest';
import { BuildRows, gatherFromParts } from '../operators/buildRows.js';
import type { Schema } from '../planner/types.js';
import type { Batch, PendingRows, Vec } from '../operators/vector.js';
import { concatVecs, takeOrNull, valueAt, vecFromValues, vecLength } from '../operators/vector.js';

const schema: Schema = [
  { name: 'k', type: 'int32', nullable: true },
  { name: 's', type: 'string', nullable: true },
  { name: 'd', type: 'decimal(12,2)', nullable: true },
];

/** Batches of 0, 1, 7, 3 and 40 rows: row r has key r, name `n<r>` (null every 5th), price r.25. */
function parts(): Batch[] {
  const out: Batch[] = [];
  let r = 0;
  for (const len of [0, 1, 7, 3, 40]) {
    const rows = Array.from({ length: len }, () => r++);
    out.push({
      schema,
      length: len,
      columns: [
        vecFromValues('int32', rows),
        vecFromValues(
          'string',
          rows.map((x) => (x % 5 === 4 ? null : `n${x}`)),
        ),
        vecFromValues(
          'decimal(12,2)',
          rows.map((x) => `${x}.25`),
        ),
      ],
    });
  }
  return out;
}

const values = (v: Vec) => Array.from({ length: vecLength(v) }, (_, i) => valueAt(v, i));
const resolved = (x: Vec | PendingRows) => ('source' in x ? takeOrNull(x.source, x.sel) : x);

describe('build rows', () => {
  const ps = parts();
  const whole = schema.map((f, i) =>
    concatVecs(
      f.type,
      ps.map((b) => b.columns[i]!),
    ),
  );
  const starts = Int32Array.from([0, 0, 1, 8, 11, 51]);

  it('gathers rows from the batches as the concatenated column has them, -1 as null', () => {
    const sel = Int32Array.from([50, 0, 1, 7, 8, 10, 11, -1, 4, 4, 49, 8, 0, -1]);
    for (let i = 0; i < schema.length; i++) {
      const got = gatherFromParts(
        schema[i]!.type,
        ps.map((b) => b.columns[i]!),
        starts,
        sel,
      );
      expect(values(got)).toEqual(values(takeOrNull(whole[i]!, sel)));
    }
    expect(
      values(gatherFromParts('string', [ps[4]!.columns[1]!], Int32Array.from([0]), Int32Array.from([-1, -1]))),
    ).toEqual([null, null]);
  });

  it('concatenates a column only when read whole or asked for many of its rows', () => {
    const rows = new BuildRows(schema, ps);
    expect(rows.length).toBe(51);
    // Few rows: gathered (a plain column), the column left in its batches.
    const few = rows.rows(1, Int32Array.from([3, 9, -1]));
    expect('source' in few).toBe(false);
    expect(values(resolved(few))).toEqual(['n3', null, null]);
    // Many rows: from the concatenated column.
    const all = Int32Array.from({ length: 51 }, (_, r) => 50 - r);
    const many = rows.rows(1, all);
    expect('source' in many).toBe(true);
    expect(values(resolved(many))).toEqual(values(takeOrNull(whole[1]!, all)));
    // A key column read whole first: pending rows of it from then on.
    expect(values(rows.batch.columns[0]!)).toEqual(values(whole[0]!));
    expect('source' in rows.rows(0, Int32Array.from([1]))).toBe(true);
    // A fixed-width column: concatenated when first asked for (a copy of its array), never gathered.
    const price = rows.rows(2, Int32Array.from([11, 12]));
    expect('source' in price).toBe(true);
    expect(values(resolved(price))).toEqual(['11.25', '12.25']);
  });

  it('is the one batch when there is at most one', () => {
    expect(new BuildRows(schema, [ps[4]!]).batch).toBe(ps[4]);
    expect(new BuildRows(schema, []).length).toBe(0);
  });
});
