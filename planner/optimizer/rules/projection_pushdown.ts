/**
 * projection_pushdown: works out, top-down, which columns each node's parent needs, drops
 * unused projections and narrows every scan to the columns actually read (Parquet column
 * projection). A scan that needs no column (count(*)) keeps its smallest one. A join side's
 * scan drops the columns only its filters read before the join (they would be shuffled).
 */
import { schemaOf } from '../../analyzer.js';
import type { Expr } from '../../expr.js';
import { col, exprName, referencedColumns } from '../../expr.js';
import { type PlanNode, project } from '../../plan.js';
import { type DataType, unreadableReason } from '../../types.js';
import type { Rule, RuleContext } from '../rule.js';

function refs(exprs: readonly (Expr | null)[], into = new Set<string>()): Set<string> {
  for (const e of exprs) if (e) referencedColumns(e, into);
  return into;
}

/** The subtree reading only what `required` names (null: every column) and what its own nodes use. */
export function prune(node: PlanNode, required: Set<string> | null, ctx: RuleContext): PlanNode {
  const all = () => null;
  switch (node.kind) {
    case 'Scan': {
      const schema = schemaOf({ ...node, columns: null }, ctx.catalog);
      if (!required) return node;
      const need = refs(node.filters, new Set(required));
      let columns = schema.map((f) => f.name).filter((n) => need.has(n));
      if (!columns.length) columns = [pickSmallest(schema)];
      return { ...node, columns };
    }
    case 'Values':
      return node;
    case 'WithColumns':
    case 'Rename':
    case 'Drop':
    case 'SetOp':
    case 'UsingJoin':
    case 'DropNa':
    case 'FillNa':
      throw new Error(`${node.kind} must be lowered by the analyzer before optimization`);
    case 'Filter':
      return { ...node, input: prune(node.input, required ? refs([node.predicate], new Set(required)) : null, ctx) };
    case 'Project': {
      const exprs = required ? node.exprs.filter((e) => required.has(exprName(e))) : node.exprs;
      const kept = exprs.length ? exprs : node.exprs.slice(0, 1);
      return { ...node, exprs: kept, input: prune(node.input, refs(kept), ctx) };
    }
    case 'Aggregate':
      return { ...node, input: prune(node.input, refs([...node.keys, ...node.aggs]), ctx) };
    case 'Expand':
      return { ...node, input: prune(node.input, refs(node.projections.flat()), ctx) };
    case 'Sort':
      return {
        ...node,
        input: prune(
          node.input,
          required
            ? refs(
                node.keys.map((k) => k.expr),
                new Set(required),
              )
            : null,
          ctx,
        ),
      };
    case 'Limit':
    case 'Sample':
      return { ...node, input: prune(node.input, required, ctx) };
    case 'Window': {
      if (!required) return { ...node, input: prune(node.input, null, ctx) };
      const need = refs([
        ...node.partitionBy,
        ...node.orderBy.map((k) => k.expr),
        ...node.calls.flatMap((c) => c.args),
      ]);
      for (const r of required) if (!node.calls.some((c) => c.name === r)) need.add(r);
      return { ...node, input: prune(node.input, need, ctx) };
    }
    case 'Repartition':
      return { ...node, input: prune(node.input, required ? refs(node.keys, new Set(required)) : null, ctx) };
    case 'Join': {
      const left = schemaOf(node.left, ctx.catalog).map((f) => f.name);
      const right = schemaOf(node.right, ctx.catalog).map((f) => f.name);
      if (!required) return { ...node, left: prune(node.left, all(), ctx), right: prune(node.right, all(), ctx) };
      const need = refs([node.on], new Set(required));
      const side = (input: PlanNode, names: readonly string[]) => narrow(prune(input, new Set(names), ctx), names);
      return {
        ...node,
        left: side(
          node.left,
          left.filter((n) => need.has(n)),
        ),
        right: side(
          node.right,
          right.filter((n) => need.has(n)),
        ),
      };
    }
    case 'Distinct':
    case 'MapRows':
      return { ...node, input: prune(node.input, null, ctx) };
    case 'Union':
      return { ...node, inputs: node.inputs.map((i) => prune(i, null, ctx)) };
  }
}

/**
 * A join side that is a scan reading columns only its filters use: those columns are dropped
 * right after the filters (a Project), so they never cross the join's shuffle or broadcast.
 */
function narrow(side: PlanNode, names: readonly string[]): PlanNode {
  if (side.kind !== 'Scan' || !side.columns || !names.length || side.columns.length <= names.length) return side;
  const kept = side.columns.filter((c) => names.includes(c));
  return kept.length === names.length
    ? project(
        side,
        kept.map((c) => col(c)),
      )
    : side;
}

function pickSmallest(schema: readonly { name: string; type: string }[]): string {
  const rank: Record<string, number> = { bool: 0, int32: 1, date: 1, int64: 2, float64: 2, string: 3 };
  // Other types (binary, nested, …) rank after these, and one that cannot be read at all last.
  const of = (t: string) => rank[t] ?? (unreadableReason(t as DataType) ? 9 : 4);
  return [...schema].sort((a, b) => of(a.type) - of(b.type))[0]!.name;
}

export const projectionPushdown: Rule = {
  name: 'projection_pushdown',
  apply(root, ctx) {
    return prune(root, null, ctx);
  },
};
