/**
 * Grouping sets: rollup(...).agg(...), cube(...).agg(...) and SQL's GROUP BY ROLLUP / CUBE /
 * GROUPING SETS, with Spark's grouping(col) and grouping_id().
 *
 * Planned as Spark plans them: an Expand emits each input row once per grouping set — the set's
 * keys, the others as typed NULLs, the set's grouping id and grouping() values as constants, and
 * the columns the aggregates read — then ONE aggregate groups by the keys and the grouping id
 * (partial aggregation, shuffle, final). The input is read once. A NULL key from the data and a
 * rolled-up NULL never share a row: the grouping id is part of the key.
 */
import * as E from '../../../planner/expr.js';
import { PlanError } from '../../../planner/errors.js';
import type { PlanNode } from '../../../planner/plan.js';
import { aggregate, expand, project } from '../../../planner/plan.js';
import type { Column } from '../column.js';
import { exprOf } from './columns.js';

/** Most grouping sets one aggregation plans (cube of 8 keys): each row is copied once per set. */
export const MAX_GROUPING_SETS = 256;

/** The sets of rollup(k0..kn-1): (k0..kn-1), (k0..kn-2), …, (). */
export const rollupSets = (n: number): number[][] =>
  Array.from({ length: n + 1 }, (_, i) => Array.from({ length: n - i }, (_, j) => j));

/** The sets of cube(k0..kn-1): every subset, the full set first and () last. */
export function cubeSets(n: number): number[][] {
  checkSetCount(2 ** n, `cube of ${n} columns`);
  return Array.from({ length: 2 ** n }, (_, gid) => [...Array(n).keys()].filter((i) => !(gid & (1 << (n - 1 - i)))));
}

/** Grouping sets given as lists of key columns (Spark's groupingSets), as positions in `keys`. */
export function setsOf(
  sets: readonly (readonly (string | Column)[])[],
  keys: readonly (string | Column)[],
): number[][] {
  const names = keys.map((k) => E.exprName(exprOf(k)));
  if (!Array.isArray(sets)) throw new PlanError('BAD_ARGUMENT', 'groupingSets() takes an array of column lists');
  return sets.map((set) => {
    if (!Array.isArray(set))
      throw new PlanError('BAD_ARGUMENT', `each grouping set is an array of columns, got ${JSON.stringify(set)}`);
    return set.map((c) => {
      const name = E.exprName(exprOf(c));
      const i = names.indexOf(name);
      if (i < 0)
        throw new PlanError(
          'NOT_A_GROUPING_COLUMN',
          `grouping set column ${name} is not a grouping column; grouping columns are ${names.join(', ')}`,
          { column: name, keys: names },
        );
      return i;
    });
  });
}

function checkSetCount(count: number, what: string): void {
  if (count > MAX_GROUPING_SETS)
    throw new PlanError(
      'TOO_MANY_GROUPING_SETS',
      `${what} makes ${count} grouping sets; at most ${MAX_GROUPING_SETS} are planned (each input row is copied once per set): group by fewer columns, or cube a subset and rollup the rest`,
      { groupingSets: count },
    );
}

/** Whether an expression calls grouping() or grouping_id() (only meaningful over grouping sets). */
export function usesGrouping(e: E.Expr): boolean {
  let found = false;
  E.walkExpr(e, (x) => {
    if (isGroupingCall(x)) found = true;
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
  // Every grouping() / grouping_id() call, computed per set as a constant column of the Expand.
  const calls = new Map<string, { call: E.Expr; name: string }>();
  for (const e of exprs)
    E.walkExpr(e, (x) => {
      const json = JSON.stringify(x);
      if (isGroupingCall(x) && !calls.has(json)) calls.set(json, { call: x, name: `${INTERNAL}gc${calls.size}` });
    });
  const keyCol = (i: number) => `${INTERNAL}k${i}`;
  const gid = `${INTERNAL}gid`;
  // Columns the aggregates read pass through every copy unchanged.
  const through = [...new Set(exprs.flatMap((e) => [...E.referencedColumns(e)]))];
  const projections = sets.map((set) => {
    const inSet = new Set(set);
    return [
      ...keys.map((k, i) => (inSet.has(i) ? k : E.caseWhen([{ when: E.lit(false), then: k }], null))),
      E.lit(String(groupingId(keys.length, inSet)), 'int64'),
      ...[...calls.values()].map((c) => bindGrouping(c.call, keys, keyNames, inSet)),
      ...through.map((c) => E.col(c)),
    ];
  });
  const outNames = [...keys.map((_, i) => keyCol(i)), gid, ...[...calls.values()].map((c) => c.name), ...through];
  // grouping calls read their constant column; keys outside aggregate calls read the key column.
  const bind = (e: E.Expr): E.Expr => {
    const c = calls.get(JSON.stringify(e));
    if (c) return E.col(c.name);
    if (e.kind === 'agg') return e;
    if (e.kind === 'col' && keyNames.includes(e.name)) return E.col(keyCol(keyNames.indexOf(e.name)));
    return E.withChildren(e, E.exprChildren(e).map(bind));
  };
  const groupKeys = outNames.slice(0, keys.length + 1 + calls.size).map((n) => E.col(n));
  const bound = exprs.map(bind);
  const aggs = bound.flatMap((e, j) => (E.containsAgg(e) ? [E.alias(e, names[j]!)] : []));
  let at = groupKeys.length;
  const out = [
    ...keyNames.map((n, i) => E.alias(E.col(keyCol(i), i), n)),
    ...bound.map((e, j) => (E.containsAgg(e) ? E.col(names[j]!, at++) : E.alias(e, names[j]!))),
  ];
  return project(aggregate(expand(input, projections, outNames), groupKeys, aggs), out);
}

/** Prefix of the Expand's own columns (rolled-up keys, grouping id and grouping() values). */
const INTERNAL = '__grouping_';

const isGroupingCall = (x: E.Expr): boolean => x.kind === 'call' && (x.fn === 'grouping' || x.fn === 'grouping_id');

/** Spark's grouping id of a set: one bit per key, 1 where rolled up, the first key most significant. */
const groupingId = (n: number, inSet: ReadonlySet<number>): bigint =>
  Array.from({ length: n }, (_, i) => i).reduce((acc, i) => (acc << 1n) | (inSet.has(i) ? 0n : 1n), 0n);

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
      return E.lit(inSet.has(position(x.args[0]!, 'grouping')) ? 0 : 1, 'int8');
    }
    if (x.fn === 'grouping_id') {
      const at = x.args.length ? x.args.map((a) => position(a, 'grouping_id')) : keys.map((_, i) => i);
      const id = at.reduce((acc, i) => (acc << 1n) | (inSet.has(i) ? 0n : 1n), 0n);
      return E.lit(String(id), 'int64');
    }
    return x;
  });
}
