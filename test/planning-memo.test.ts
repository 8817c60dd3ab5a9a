/**
 * Planning's memos: a plan node's schema is computed once per catalog (the optimizer checks it
 * after every rule, physical planning asks again), and the optimizer's fixpoint test compares
 * plans as JSON.stringify would without serializing them.
 */
import { describe, expect, it } from 'vitest';
import { schemaOf, type Catalog } from '../planner/analyzer.js';
import { binary, col, lit } from '../planner/expr.js';
import { sameJson } from '../planner/optimizer/index.js';
import { filter, project, scan } from '../planner/plan.js';
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
