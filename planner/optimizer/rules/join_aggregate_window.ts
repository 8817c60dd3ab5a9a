/**
 * join_aggregate_window: an inner join of rows with a grouped aggregate of the same rows, on the
 * grouping keys, becomes a window aggregate over the rows (partitioned by the keys), so the input
 * is read and shuffled once, not twice. TPC-H Q17 joins the parts' lineitem rows with
 * `avg(l_quantity)` per part over lineitem: lineitem was scanned twice (the average over all of
 * it, semi-joined to the parts later), now once, its few matching rows shuffled by part and the
 * average computed beside them.
 *
 * The join's other side may be the aggregate's input joined (inner) with other rows on the
 * grouping keys only, and filtered on them only: then every input row of a group is kept or
 * dropped together, repeated as often as any other of the group. Only aggregates that repeating
 * every row of a group alike leaves unchanged (avg, min, max) qualify, and the groups the join
 * does not reach are not needed (inner join). Rows with a null key never match a join key: they
 * are filtered out before the window.
 */
import { schemaOf } from '../../analyzer.js';
import {
  alias,
  cast,
  col,
  exprName,
  isNull,
  referencedColumns,
  transformExpr,
  walkExpr,
  type Expr,
} from '../../expr.js';
import { filter, project, windowNode, type PlanNode } from '../../plan.js';
import type { Catalog } from '../../analyzer.js';
import type { WindowCall } from '../../window.js';
import type { Rule } from '../rule.js';
import { andAll, conjuncts } from './predicate_pushdown.js';

/** Aggregates whose value per group does not change when every row of the group is repeated alike. */
const REPEAT_SAFE: ReadonlySet<string> = new Set(['avg', 'min', 'max']);

/** `a = b` between two plain columns: their names. */
function columnEquality(e: Expr): [string, string] | null {
  if (e.kind !== 'binary' || e.op !== '=') return null;
  const { left: l, right: r } = e;
  if (l.kind !== 'col' || r.kind !== 'col' || l.index !== undefined || r.index !== undefined) return null;
  return [l.name, r.name];
}

/** A grouping key's input column (the key is a column, maybe renamed). */
function keyColumn(k: Expr): string | null {
  const e = k.kind === 'alias' ? k.input : k;
  return e.kind === 'col' && e.index === undefined ? e.name : null;
}

/**
 * When `n` holds the rows of `source`, each group (by `keys`) kept or dropped whole and its rows
 * repeated alike: the columns of `n` equal to each key (name -> key position). Null otherwise.
 */
function keyColumns(
  n: PlanNode,
  source: string,
  keys: readonly string[],
  catalog: Catalog,
): Map<string, number> | null {
  if (JSON.stringify(n) === source) return new Map(keys.map((k, j) => [k, j]));
  if (n.kind === 'Filter') {
    const eq = keyColumns(n.input, source, keys, catalog);
    return eq && [...referencedColumns(n.predicate)].every((c) => eq.has(c)) ? eq : null;
  }
  if (n.kind !== 'Join' || n.type !== 'inner' || !n.on) return null;
  const names = (p: PlanNode) => new Set(schemaOf(p, catalog).map((f) => f.name));
  for (const [side, other] of [
    [n.left, n.right],
    [n.right, n.left],
  ] as const) {
    const eq = keyColumns(side, source, keys, catalog);
    if (!eq) continue;
    const [mine, theirs] = [names(side), names(other)];
    if ([...mine].some((c) => theirs.has(c))) return null;
    const out = new Map(eq);
    for (const c of conjuncts(n.on)) {
      if ([...referencedColumns(c)].some((x) => mine.has(x) && !eq.has(x))) return null;
      const pair = columnEquality(c);
      if (!pair) continue;
      const [a, b] = pair;
      if (eq.has(a) && theirs.has(b)) out.set(b, eq.get(a)!);
      else if (eq.has(b) && theirs.has(a)) out.set(a, eq.get(b)!);
    }
    return out;
  }
  return null;
}

export const joinAggregateWindow: Rule = {
  name: 'join_aggregate_window',
  rewrite(node, ctx) {
    if (node.kind !== 'Join' || node.type !== 'inner' || !node.on || node.hint !== null) return node;
    const agg = node.right;
    if (agg.kind !== 'Aggregate' || !agg.keys.length) return node;
    const keyCols = agg.keys.map(keyColumn);
    if (keyCols.some((k) => k === null)) return node;
    let safe = true;
    for (const a of agg.aggs)
      walkExpr(a, (x) => {
        if (x.kind === 'udf' || x.kind === 'window' || (x.kind === 'agg' && !REPEAT_SAFE.has(x.fn))) safe = false;
      });
    if (!safe) return node;
    const eq = keyColumns(node.left, JSON.stringify(agg.input), keyCols as string[], ctx.catalog);
    if (!eq) return node;
    const left = schemaOf(node.left, ctx.catalog);
    const out = schemaOf(agg, ctx.catalog);
    if (out.some((f) => left.some((g) => g.name === f.name))) return node;
    const keyNames = out.slice(0, agg.keys.length).map((f) => f.name);
    // Each key equated with a column of the rows equal to it; the rest of the condition filters after.
    const partition: (string | undefined)[] = keyNames.map(() => undefined);
    const rest: Expr[] = [];
    for (const c of conjuncts(node.on)) {
      const pair = columnEquality(c);
      const hit =
        pair &&
        [pair, [pair[1], pair[0]] as const].find(([a, g]) => {
          const j = keyNames.indexOf(g);
          return j >= 0 && eq.get(a) === j && partition[j] === undefined;
        });
      if (hit) partition[keyNames.indexOf(hit[1])] = hit[0];
      else rest.push(c);
    }
    if (partition.some((a) => a === undefined)) return node;
    const by = partition as string[];
    let w = left.filter((f) => f.name.startsWith('__w')).length;
    const calls: WindowCall[] = [];
    const aggs = agg.aggs.map((e) => {
      const named = exprName(e);
      const x = transformExpr(e, (a) => {
        if (a.kind !== 'agg') return a;
        const name = `__w${w++}`;
        const args = a.arg ? [a.arg, ...(a.more ?? [])] : [];
        calls.push({
          name,
          fn: a.fn,
          args,
          frame: { unit: 'rows', lower: null, upper: null },
          ...(a.options ? { options: a.options } : {}),
        });
        return col(name);
      });
      return exprName(x) === named ? x : alias(x, named);
    });
    const keys = by.map((a, j) => {
      const t = left.find((f) => f.name === a)!.type;
      return alias(t === out[j]!.type ? col(a) : cast(col(a), out[j]!.type), keyNames[j]!);
    });
    const rows = filter(node.left, andAll(by.map((a) => isNull(col(a), true)))!);
    const windowed = project(
      windowNode(
        rows,
        by.map((a) => col(a)),
        [],
        calls,
      ),
      [...left.map((f) => col(f.name)), ...keys, ...aggs],
    );
    const residual = andAll(rest);
    return residual ? filter(windowed, residual) : windowed;
  },
};
