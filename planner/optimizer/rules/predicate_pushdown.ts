/**
 * predicate_pushdown: moves filter conjuncts as close to the data as they can go — through
 * projections (substituting computed columns), sorts and grouping keys, into the matching side
 * of a join (or into its condition), and finally into the scan, where they run right after
 * decode and prune row groups.
 */
import { schemaOf } from '../../analyzer.js';
import type { Expr } from '../../expr.js';
import { binary, referencedColumns, transformExpr, exprName, walkExpr } from '../../expr.js';
import type { PlanNode } from '../../plan.js';
import { filter } from '../../plan.js';
import type { Rule, RuleContext } from '../rule.js';

export function conjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'and' ? [...conjuncts(e.left), ...conjuncts(e.right)] : [e];
}

export function andAll(es: readonly Expr[]): Expr | null {
  return es.length ? es.reduce((a, b) => binary('and', a, b)) : null;
}

const deterministic = (e: Expr): boolean => {
  let ok = true;
  walkExpr(e, (x) => {
    if (x.kind === 'udf' || x.kind === 'agg') ok = false;
  });
  return ok;
};

const within = (e: Expr, names: ReadonlySet<string>): boolean => [...referencedColumns(e)].every((c) => names.has(c));

function wrap(input: PlanNode, preds: readonly Expr[]): PlanNode {
  const p = andAll(preds);
  return p ? filter(input, p) : input;
}

function pushFilter(node: PlanNode & { kind: 'Filter' }, ctx: RuleContext): PlanNode {
  const input = node.input;
  const parts = conjuncts(node.predicate);
  switch (input.kind) {
    case 'Filter':
      return filter(input.input, binary('and', input.predicate, node.predicate));
    case 'Scan':
      return { ...input, filters: [...input.filters, ...parts] };
    case 'Sort':
    case 'Repartition':
      return { ...input, input: filter(input.input, node.predicate) };
    case 'Project': {
      const defs = new Map(input.exprs.map((e) => [exprName(e), e.kind === 'alias' ? e.input : e]));
      const movable: Expr[] = [];
      const kept: Expr[] = [];
      for (const c of parts) {
        const refs = [...referencedColumns(c)];
        if (deterministic(c) && refs.every((r) => defs.has(r) && deterministic(defs.get(r)!))) {
          movable.push(transformExpr(c, (x) => (x.kind === 'col' ? defs.get(x.name)! : x)));
        } else kept.push(c);
      }
      if (!movable.length) return node;
      return wrap({ ...input, input: filter(input.input, andAll(movable)!) }, kept);
    }
    case 'Aggregate': {
      const keyNames = new Set(input.keys.filter((k) => k.kind === 'col').map(exprName));
      const movable = parts.filter((c) => deterministic(c) && within(c, keyNames));
      if (!movable.length) return node;
      return wrap(
        { ...input, input: filter(input.input, andAll(movable)!) },
        parts.filter((c) => !movable.includes(c)),
      );
    }
    case 'Join': {
      const left = new Set(schemaOf(input.left, ctx.catalog).map((f) => f.name));
      const right = new Set(schemaOf(input.right, ctx.catalog).map((f) => f.name));
      const t = input.type;
      const toLeft: Expr[] = [];
      const toRight: Expr[] = [];
      const toOn: Expr[] = [];
      const kept: Expr[] = [];
      for (const c of parts) {
        if (!deterministic(c)) kept.push(c);
        else if (
          within(c, left) &&
          !within(c, right) &&
          ['inner', 'cross', 'left', 'left_semi', 'left_anti'].includes(t)
        )
          toLeft.push(c);
        else if (within(c, right) && !within(c, left) && ['inner', 'cross', 'right'].includes(t)) toRight.push(c);
        else if ((t === 'inner' || t === 'cross') && within(c, new Set([...left, ...right]))) toOn.push(c);
        else kept.push(c);
      }
      if (!toLeft.length && !toRight.length && !toOn.length) return node;
      const on = andAll([...(input.on ? [input.on] : []), ...toOn]);
      const joined: PlanNode = {
        ...input,
        type: t === 'cross' && on ? 'inner' : t,
        left: wrap(input.left, toLeft),
        right: wrap(input.right, toRight),
        on,
      };
      return wrap(joined, kept);
    }
    default:
      return node;
  }
}

export const predicatePushdown: Rule = {
  name: 'predicate_pushdown',
  rewrite(node, ctx) {
    return node.kind === 'Filter' ? pushFilter(node, ctx) : node;
  },
};
