/**
 * FROM items and joins for the SQL translator: views, WITH queries and derived tables become
 * frames; the WHERE's join conjuncts join comma-separated items greedily, JOIN … ON items join as
 * written; OR-ed conditions share their common conjuncts so repeated join keys stay join keys.
 */
import { PlanError, listNames } from '../../planner/errors.js';
import * as E from '../../planner/expr.js';
import { Column } from '../api/column.js';
import type { DataFrame } from '../api/dataframe.js';
import { col } from '../api/functions.js';
import { conjunctsOf, hasSubquery, subqueryOf } from './ast.js';
import { type ExprContext, toColumn } from './expr.js';
import { type Ast, at, positionOf, unsupported } from './parse.js';
import { and, type Ctes, lower, type Relation, resolve, type Scope, type Translator } from './scope.js';

/** A FROM item's qualifier and relation: a WITH query, a registered view, or a derived table. */
export async function fromItem(t: Translator, item: Ast, ctes: Ctes): Promise<{ qual: string; rel: Relation }> {
  const sub = subqueryOf(item.expr);
  if (sub) {
    const m = /^\s*([\w$]+)\s*(?:\(([^)]*)\))?\s*$/.exec(String(item.as ?? ''));
    if (!m) throw unsupported('a derived table without an alias', item.expr);
    const rel = await t.query(sub, null, ctes);
    const names = m[2] ? m[2].split(',').map((s) => s.trim().replace(/^"|"$/g, '')) : [];
    return { qual: m[1]!, rel: names.length ? renameAll(rel, names, item) : rel };
  }
  if (item.expr) throw unsupported(`FROM item of type '${item.expr.type}'`, item.expr);
  if (typeof item.table !== 'string') throw unsupported('this FROM item', item);
  const name = item.table;
  const qual = item.as ?? name;
  const cte = ctes.get(lower(name));
  if (cte) return { qual, rel: cte };
  const view = t.catalog.view(name);
  if (!view)
    throw new PlanError(
      'SQL_UNKNOWN_TABLE',
      `SQL: unknown table or view '${name}'${at(positionOf(item))}; register it with df.createOrReplaceTempView('${name}') (views: ${listNames(t.catalog.viewNames()) || 'none'})`,
      { table: name },
    );
  return { qual, rel: { df: view, names: await t.catalog.columnsOf(view) } };
}

/**
 * Join the FROM items. Single-item conjuncts filter their item first. Comma joins: greedily
 * join, in FROM order, the first item connected to what is joined by a conjunct (the conjuncts
 * among the joined items become the join condition); an unconnected item is a cross join.
 * JOIN … ON items join in order, as written.
 */
export function joinAll(
  items: Ast[],
  frames: DataFrame[],
  scope: Scope,
  local: { expr: E.Expr; rels: Set<number> }[],
): DataFrame {
  const pending = [...local];
  const take = (ok: (c: { rels: Set<number> }) => boolean): Column[] => {
    const out: Column[] = [];
    for (let i = 0; i < pending.length; ) {
      if (ok(pending[i]!)) out.push(new Column(pending.splice(i, 1)[0]!.expr));
      else i++;
    }
    return out;
  };
  const explicit = items.some((it) => it.join);
  const filtered = frames.map((f, i) => {
    // Under explicit outer joins, WHERE conjuncts cannot move below the join.
    if (explicit && items.some((it) => it.join && !/^INNER/i.test(String(it.join)))) return f;
    const own = take((c) => c.rels.size === 1 && c.rels.has(i));
    return own.length ? f.filter(and(own)) : f;
  });
  let df = filtered[0]!;
  const joined = new Set([0]);
  if (explicit) {
    for (let i = 1; i < items.length; i++) {
      const it = items[i]!;
      const right = onJoinRight(it, filtered[i]!, scope, i);
      if (!it.join) {
        const conds = take((c) => c.rels.has(i) && [...c.rels].every((r) => r <= i));
        df = conds.length ? df.join(right.df, and(conds)) : df.crossJoin(right.df);
        continue;
      }
      const how = joinHow(it);
      if (!right.on) throw unsupported(`${it.join} without ON`, it);
      df = df.join(right.df, right.on, how);
    }
  } else {
    while (joined.size < items.length) {
      const connected = (j: number) =>
        pending.some(
          (c) =>
            c.rels.has(j) &&
            [...c.rels].some((r) => joined.has(r)) &&
            [...c.rels].every((r) => r === j || joined.has(r)),
        );
      let next = -1;
      for (let j = 0; j < items.length && next < 0; j++) if (!joined.has(j) && connected(j)) next = j;
      if (next < 0) next = [...items.keys()].find((j) => !joined.has(j))!;
      const j = next;
      joined.add(j);
      const conds = take((c) => c.rels.has(j) && [...c.rels].every((r) => joined.has(r)));
      df = conds.length ? df.join(filtered[j]!, and(conds)) : df.crossJoin(filtered[j]!);
    }
  }
  const rest = take(() => true);
  return rest.length ? df.filter(and(rest)) : df;
}

/** The right side of a JOIN … ON: conjuncts of ON that read only the right item filter it first. */
export function onJoinRight(
  item: Ast,
  frame: DataFrame,
  scope: Scope,
  index: number,
): { df: DataFrame; on: Column | null } {
  if (!item.on) return { df: frame, on: null };
  if (item.using) throw unsupported('JOIN … USING', item);
  const ctx: ExprContext = {
    aggregates: false,
    column: (table, name, node) => {
      const r = resolve({ rels: scope.rels.slice(0, index + 1), parent: null }, table, name, node);
      return col(r.internal);
    },
  };
  const own: Column[] = [];
  const cond: Column[] = [];
  const mine = new Set(scope.rels[index]!.cols.map((c) => c.internal));
  const how = joinHow(item);
  for (const c of conjunctsOf(item.on)) {
    if (hasSubquery(c)) throw unsupported('a subquery in JOIN … ON', c);
    const e = toColumn(c, ctx);
    const refs = [...E.referencedColumns(e.expr)];
    if ((how === 'inner' || how === 'left') && refs.length && refs.every((r) => mine.has(r))) own.push(e);
    else cond.push(e);
  }
  if (!cond.length) throw unsupported('JOIN … ON without a condition between the two sides', item.on);
  return { df: own.length ? frame.filter(and(own)) : frame, on: and(cond) };
}

function joinHow(item: Ast): string {
  const j = String(item.join).toUpperCase();
  if (j === 'JOIN' || j === 'INNER JOIN') return 'inner';
  if (j.startsWith('LEFT')) return 'left';
  if (j.startsWith('RIGHT')) return 'right';
  if (j.startsWith('FULL')) return 'full';
  if (j.startsWith('CROSS')) return 'cross';
  throw unsupported(item.join, item);
}

/** A relation with its columns renamed (`AS t(a, b)`, `WITH q(a, b)`). */
export function renameAll(rel: Relation, names: string[], node: Ast): Relation {
  if (names.length !== rel.names.length)
    throw new PlanError(
      'SQL_BAD_ALIAS',
      `SQL: ${names.length} column aliases for ${rel.names.length} columns${at(positionOf(node))}`,
    );
  return { df: rel.df.select(...rel.names.map((n, i) => col(n).alias(names[i]!))), names };
}
/** Split an expression into its top-level AND conjuncts. */
export function exprConjuncts(e: E.Expr): E.Expr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...exprConjuncts(e.left), ...exprConjuncts(e.right)] : [e];
}

/**
 * (A and B) or (A and C) → A, (B or C): conjuncts common to every disjunct are factored out,
 * so a join key repeated in each branch (TPC-H Q19) becomes a join key.
 */
export function factorOr(e: E.Expr): E.Expr[] {
  if (!(e.kind === 'binary' && e.op === 'or')) return [e];
  const disjuncts = (x: E.Expr): E.Expr[] =>
    x.kind === 'binary' && x.op === 'or' ? [...disjuncts(x.left), ...disjuncts(x.right)] : [x];
  const branches = disjuncts(e).map(exprConjuncts);
  const key = (x: E.Expr) => JSON.stringify(x);
  const common = branches[0]!.filter((c) => branches.every((b) => b.some((d) => key(d) === key(c))));
  if (!common.length) return [e];
  const commonKeys = new Set(common.map(key));
  const rest = branches.map((b) => b.filter((c) => !commonKeys.has(key(c))));
  if (rest.some((b) => !b.length)) return common;
  const and = (xs: E.Expr[]) => xs.reduce((a, b) => E.binary('and', a, b));
  return [...common, rest.map(and).reduce((a, b) => E.binary('or', a, b))];
}
