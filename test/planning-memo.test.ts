/**
 * Planning's memos: a plan node's schema is computed once per catalog (the optimizer checks it
 * after every rule, physical planning asks again), a row group's pruning verdict once per filter
 * list (a scan is split several times while a job is planned), and the optimizer's fixpoint test
 * compares plans as JSON.stringify would without serializing them.
 */
import { describe, expect, it } from 'vitest';
import { schemaOf, type Catalog } from '../planner/analyzer.js';
import { binary, col, lit } from '../planner/expr.js';
import { sameJson } from '../planner/optimizer/index.js';
import { filter, project, scan } from '../planner/plan.js';
import { splitScan, type SplitFile } from '../planner/tasks.js';
import type { Schema } from '../planner/types.js';

const schema: Schema = [
  { name: 'a', type: 'int64', nullable: false },
  { name: 'b', type: 'string', nullable: true },
];

describe('planning memos', () => {
  it("gives a node's schema once per catalog: the same object again, another catalog's for another", () => {
    const plan = project(filter(scan('t'), binary('>', col('a'), lit(1))), [col('b'), col('a')]);
    const catalog: Catalog = new Map([['t', schema]]);
    const first = schemaOf(plan, catalog);
    expect(first.map((f) => f.name)).toEqual(['b', 'a']);
    expect(schemaOf(plan, catalog)).toBe(first);
    const other: Catalog = new Map([['t', [...schema.slice(0, 1), { name: 'b', type: 'int32', nullable: true }]]]);
    expect(schemaOf(plan, other).map((f) => f.type)).toEqual(['int32', 'int64']);
    expect(schemaOf(plan, catalog)).toBe(first);
  });

  it("reads a row group's statistics once for the same filters, however often the scan is split", () => {
    let reads = 0;
    const stats = (min: number, max: number) =>
      new Proxy({ a: { min, max, nullCount: 0 } } as Record<string, { min: number; max: number; nullCount: number }>, {
        get(target, prop) {
          reads++;
          return target[prop as string];
        },
      });
    const files: SplitFile[] = [
      {
        url: 'file:///t/part-0.parquet',
        size: 1 << 20,
        partitionValues: {},
        rowGroups: [0, 1, 2, 3].map((index) => ({
          index,
          bytes: { a: 1000 },
          stats: stats(index * 10, index * 10 + 9),
        })),
      },
    ];
    const filters = [binary('>', col('a'), lit(19)), binary('<', col('a'), lit(100))];
    const first = splitScan(files, schema, ['a'], filters, 1500);
    expect(first.pruned).toBe(2);
    expect(first.inputs.flatMap((t) => t.parts.flatMap((p) => p.rowGroups))).toEqual([2, 3]);
    // Groups 2 (20..29) and 3 (30..39) prove both filters true.
    expect(first.inputs[0]!.parts[0]!.skipFilters).toEqual([0, 1]);
    const seen = reads;
    expect(seen).toBeGreaterThan(0);
    expect(splitScan(files, schema, ['a'], filters, Infinity).pruned).toBe(2);
    expect(splitScan(files, schema, ['a'], filters, 1500)).toEqual(first);
    expect(reads).toBe(seen);
    // Other filters are judged afresh.
    expect(splitScan(files, schema, ['a'], [binary('<', col('a'), lit(5))], 1500).pruned).toBe(3);
    expect(reads).toBeGreaterThan(seen);
  });

  it('compares plans as their JSON would compare', () => {
    const shared = { kind: 'Scan', filters: [1, 2] };
    const cases: [unknown, unknown][] = [
      [
        { a: 1, b: shared },
        { a: 1, b: shared },
      ],
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
      [{ a: 1, c: undefined }, { a: 1 }],
      [{ a: [1, { x: 'y' }] }, { a: [1, { x: 'y' }] }],
      [{ a: [1, 2] }, { a: [1, 2, 3] }],
      [{ a: [1] }, { a: { 0: 1 } }],
      [{ a: null }, { a: 0 }],
      [{ d: new Date(0) }, { d: new Date(1) }],
      [{ d: new Date(5) }, { d: new Date(5) }],
      [{ s: 'x' }, { s: 'x' }],
      [{ n: 1 }, { n: '1' }],
    ];
    for (const [a, b] of cases) expect(sameJson(a, b)).toBe(JSON.stringify(a) === JSON.stringify(b));
  });
});
