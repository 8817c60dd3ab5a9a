/**
 * Grouping sets: rollup(...).agg(...), cube(...).agg(...) and SQL's GROUP BY ROLLUP / CUBE /
 * GROUPING SETS, with Spark's grouping(col) and grouping_id().
 *
 * Planned as a union of aggregates, one per grouping set: each aggregates the input by its own
 * keys (a key outside the set is a typed constant NULL, so it still groups as one value), then
 * computes grouping() and grouping_id() as that set's constants. A NULL key from the data and a
 * rolled-up NULL never share a row: they come from different branches, whose grouping id differs.
 * The input is read once per grouping set (Spark's Expand would read it once; see the README).
 */
import * as E from '../../../planner/expr.js';
import { PlanError } from '../../../planner/errors.js';
import type { PlanNode } from '../../../planner/plan.js';
import { aggregate, project, union } from '../../../planner/plan.js';
import type { Column } from '../column.js';
import { exprOf } from './columns.js';

/** Most grouping sets one aggregation plans (cube of 8 keys): each is a branch reading the input. */
export const MAX_GROUPING_SETS = 256;

/** The sets of rollup(k0..kn-1): (k0..kn-1), (k0..kn-2), …, (). */
export const rollupSets = (n: number): number[][] =>
  Array.from({ length: n + 1 }, (_, i) => Array.from({ length: n - i }, (_, j) => j));

/** The sets of cube(k0..kn-1): every subset, the full set first and () last. */
export function cubeSets(n: number): number[][] {
  checkSetCount(2 ** n, `cube of ${n} columns`);
  return Array.from({ length: 2 ** n }, (_, gid) => [...Array(n).keys()].filter((i) => !(gid & (1 << (n - 1 - i)))));
}

function checkSetCount(count: number, what: string): void {
  if (count > MAX_GROUPING_SETS)
    throw new PlanError(
      'TOO_MANY_GROUPING_SETS',
      `${what} makes ${count} grouping sets; at most ${MAX_GROUPING_SETS} are planned (each reads the input once): group by fewer columns or list the sets you need with GROUPING SETS`,
      { groupingSets: count },
    );
}

/** Whether an expression calls grouping() or grouping_id() (only meaningful over grouping sets). */
export function usesGrouping(e: E.Expr): boolean {
  let found = false;
  E.walkExpr(e, (x) => {
    if (x.kind === 'call' && (x.fn === 'grouping' || x.fn === 'grouping_id')) found = true;
  });
  return found;
}

/**
 * Aggregate `items` over each grouping set of `keys` (sets are lists of key positions) and union
 * the results: the keys, then the items, named as Spark names them.
 * @example groupingSetsAgg(plan, ['a', 'b'], rollupSets(2), [sum('x'), grouping('a')])
 */
export function groupingSetsAgg(
  input: PlanNode,
  keyCols: readonly (string | Column)[],
  sets: readonly (readonly number[])[],
  items: readonly Column[],
): PlanNode {
  const keys = keyCols.map(exprOf);
  if (keys.length > 63)
    throw new PlanError('TOO_MANY_GROUPING_KEYS', `grouping_id() has 63 bits: got ${keys.length} grouping columns`, {
      keys: keys.length,
    });
  checkSetCount(sets.length, `${sets.length} grouping sets`);
  if (!sets.length)
    throw new PlanError('BAD_ARGUMENT', 'grouping sets need at least one set (use () for a grand total)');
  for (const s of sets)
    for (const i of s)
      if (!Number.isInteger(i) || i < 0 || i >= keys.length)
        throw new PlanError('BAD_ARGUMENT', `grouping set position ${i} is not one of the ${keys.length} keys`);
  const keyNames = keys.map(E.exprName);
  const exprs = items.map((c) => c.expr);
  const names = exprs.map(E.exprName);
  const branches = sets.map((set) => {
    const inSet = new Set(set);
    const groupKeys = keys.map((k, i) =>
      E.alias(inSet.has(i) ? k : E.caseWhen([{ when: E.lit(false), then: k }], null), keyNames[i]!),
    );
    const bound = exprs.map((e) => bindGrouping(e, keys, keyNames, inSet));
    const aggs = bound.flatMap((e, j) => (E.containsAgg(e) ? [E.alias(e, names[j]!)] : []));
    let at = keys.length;
    const out = [
      ...keyNames.map((n, i) => E.col(n, i)),
      ...bound.map((e, j) => (E.containsAgg(e) ? E.col(names[j]!, at++) : E.alias(e, names[j]!))),
    ];
    return project(aggregate(input, groupKeys, aggs), out);
  });
  return branches.length === 1 ? branches[0]! : union(branches, false);
}

/** grouping(k) and grouping_id(...) as the constants of one grouping set (bit 1 = rolled up). */
function bindGrouping(
  e: E.Expr,
  keys: readonly E.Expr[],
  keyNames: readonly string[],
  inSet: ReadonlySet<number>,
): E.Expr {
  const position = (arg: E.Expr, fn: string): number => {
    const text = JSON.stringify(arg);
    let i = keys.findIndex((k) => JSON.stringify(k.kind === 'alias' ? k.input : k) === text);
    if (i < 0) i = keyNames.indexOf(E.exprName(arg));
    if (i < 0)
      throw new PlanError(
        'NOT_A_GROUPING_COLUMN',
        `${fn}(${E.exprToString(arg)}): ${E.exprToString(arg)} is not a grouping column; grouping columns are ${keyNames.join(', ')}`,
        { column: E.exprName(arg), keys: keyNames },
      );
    return i;
  };
  return E.transformExpr(e, (x) => {
    if (x.kind !== 'call') return x;
    if (x.fn === 'grouping') {
      if (x.args.length !== 1) throw new PlanError('BAD_ARGUMENT', 'grouping() takes exactly one grouping column');
      return E.lit(inSet.has(position(x.args[0]!, 'grouping')) ? 0 : 1, 'int32');
    }
    if (x.fn === 'grouping_id') {
      const at = x.args.length ? x.args.map((a) => position(a, 'grouping_id')) : keys.map((_, i) => i);
      const id = at.reduce((acc, i) => (acc << 1n) | (inSet.has(i) ? 0n : 1n), 0n);
      return E.lit(String(id), 'int64');
    }
    return x;
  });
}
