/**
 * The time binding over a plan: every expression of one plan node bound by a TimeBinder against
 * the node's input schema, output expressions keeping the names they had.
 */
import { PlanError } from './errors.js';
import { alias, type Expr, exprName } from './expr.js';
import type { PlanNode } from './plan.js';
import type { TimeBinder } from './timeBinding.js';
import type { DataType, Schema } from './types.js';

/** Bind every expression of one plan node (its children are bound already). */
export function bindNode(
  p: PlanNode,
  binder: TimeBinder,
  schemaOf: (n: PlanNode) => Schema,
  typeOf: (e: Expr, s: Schema) => DataType | 'null',
  scanSchema: (path: string) => Schema | undefined,
): PlanNode {
  const over = (s: Schema) => (e: Expr) => binder.bind(e, (x) => typeOf(x, s));
  /** Output expressions keep the names they had before binding (hour(ts), not hour(ts, 'UTC')). */
  const named = (s: Schema) => (e: Expr) => {
    const bound = over(s)(e);
    return bound === e || e.kind === 'alias' || exprName(bound) === exprName(e) ? bound : alias(bound, exprName(e));
  };
  switch (p.kind) {
    case 'Scan': {
      const s = scanSchema(p.path);
      return s && p.filters.length ? { ...p, filters: p.filters.map(over(s)) } : p;
    }
    case 'Filter':
      return { ...p, predicate: over(schemaOf(p.input))(p.predicate) };
    case 'Project':
      return { ...p, exprs: p.exprs.map(named(schemaOf(p.input))) };
    case 'Expand': {
      const b = over(schemaOf(p.input));
      return { ...p, projections: p.projections.map((x) => x.map(b)) };
    }
    case 'Aggregate': {
      const b = named(schemaOf(p.input));
      return { ...p, keys: p.keys.map(b), aggs: p.aggs.map(b) };
    }
    case 'Sort': {
      const b = over(schemaOf(p.input));
      return { ...p, keys: p.keys.map((k) => ({ ...k, expr: b(k.expr) })) };
    }
    case 'Repartition':
      return { ...p, keys: p.keys.map(over(schemaOf(p.input))) };
    case 'Join':
      return p.on ? { ...p, on: over([...schemaOf(p.left), ...schemaOf(p.right)])(p.on) } : p;
    case 'WithColumns':
      return { ...p, columns: p.columns.map((c) => ({ ...c, expr: named(schemaOf(p.input))(c.expr) })) };
    case 'Window': {
      const b = over(schemaOf(p.input));
      return {
        ...p,
        partitionBy: p.partitionBy.map(b),
        orderBy: p.orderBy.map((k) => ({ ...k, expr: b(k.expr) })),
        calls: p.calls.map((c) => ({ ...c, args: c.args.map(b) })),
      };
    }
    case 'Limit':
    case 'Sample':
    case 'Distinct':
    case 'Union':
    case 'Values':
    case 'Rename':
    case 'Drop':
    case 'MapRows':
    case 'UsingJoin':
    case 'SetOp':
    case 'DropNa':
    case 'FillNa':
      return p;
    default:
      return assertNeverNode(p);
  }
}

function assertNeverNode(p: never): never {
  throw new PlanError('UNKNOWN_PLAN_NODE', `unhandled plan node ${JSON.stringify(p)}`);
}
