/**
 * GroupTable.groupIds with a selection (the rows a fused scan filter kept): the selected rows get
 * the ids a table fed only those rows would give, the others -1, and their keys never become
 * groups — for tiny keys (one-byte strings and booleans, the direct codes), one numeric key, general
 * keys and no keys at all.
 */
import { describe, expect, it } from 'vitest';
import { GroupTable } from '../operators/hash.js';
import type { Vec } from '../operators/vector.js';
import { take } from '../operators/vector.js';
import type { DataType } from '../planner/types.js';

const enc = new TextEncoder();
function strings(values: (string | null)[]): Vec {
  const offsets = new Int32Array(values.length + 1);
  const parts: Uint8Array[] = [];
  const validity = new Uint8Array((values.length + 7) >> 3).fill(0xff);
  values.forEach((v, i) => {
    const bytes = enc.encode(v ?? 'zz'); // a null's slot holds bytes of its own
    if (v === null) validity[i >> 3]! &= ~(1 << (i & 7));
    parts.push(bytes);
    offsets[i + 1] = offsets[i]! + bytes.length;
  });
  const data = new Uint8Array(offsets[values.length]!);
  parts.forEach((p, i) => {
    data.set(p, offsets[i]!);
  });
  return { type: 'string', offsets, data, validity };
}

const cases: { name: string; types: DataType[]; cols: Vec[] }[] = [
  {
    name: 'tiny keys (a one-byte string and a boolean)',
    types: ['string', 'bool'],
    cols: [
      strings(['A', 'N', 'R', null, 'A', 'N', 'Q', '', 'R', 'N']),
      { type: 'bool', values: Uint8Array.of(1, 0, 1, 0, 1, 1, 0, 0, 1, 1), validity: null },
    ],
  },
  {
    name: 'tiny keys with a longer value in a rejected row, and a null',
    types: ['string', 'bool'],
    cols: [
      strings(['A', 'N', null, 'R', 'A', 'N', 'Q', 'xy', 'R', 'N']),
      { type: 'bool', values: Uint8Array.of(1, 0, 1, 0, 1, 1, 0, 0, 1, 1), validity: null },
    ],
  },
  {
    name: 'one int32 key',
    types: ['int32'],
    cols: [{ type: 'int32', values: Int32Array.of(5, 6, 7, 5, 9, 6, 100000, 5, 8, 7), validity: null }],
  },
  {
    name: 'general keys (longer strings)',
    types: ['string'],
    cols: [strings(['AIR', 'MAIL', 'SHIP', 'AIR', 'RAIL', 'MAIL', 'TRUCK', 'FOB', 'SHIP', 'REG AIR'])],
  },
];

describe('GroupTable.groupIds with a selection', () => {
  const sel = Int32Array.of(0, 2, 4, 5, 8, 9); // rows 1, 3, 6 and 7 rejected
  for (const { name, types, cols } of cases) {
    it(name, () => {
      const table = new GroupTable(types);
      const out = table.groupIds(cols, 10, new Int32Array(10), sel);
      const alone = new GroupTable(types);
      const expected = alone.groupIds(
        cols.map((c) => take(c, sel)),
        sel.length,
      );
      expect([...sel].map((i) => out[i])).toEqual([...expected]);
      expect([1, 3, 6, 7].map((i) => out[i])).toEqual([-1, -1, -1, -1]);
      expect(table.size).toBe(alone.size);
      expect(table.keyColumns()).toEqual(alone.keyColumns());
      // Without a selection every row counts again, the earlier groups keeping their ids.
      const all = table.groupIds(cols, 10);
      expect([...sel].map((i) => all[i])).toEqual([...expected]);
      expect(new Set(all).size).toBe(table.size);
    });
  }

  it('no keys: one group when something is selected, none when nothing is', () => {
    const table = new GroupTable([]);
    expect([...table.groupIds([], 3, new Int32Array(3), new Int32Array(0))]).toEqual([-1, -1, -1]);
    expect(table.size).toBe(0);
    expect([...table.groupIds([], 3, new Int32Array(3), Int32Array.of(1))]).toEqual([-1, 0, -1]);
    expect(table.size).toBe(1);
  });
});
