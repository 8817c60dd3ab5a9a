/**
 * The analyzer: resolves names and types before anything runs. It returns the output schema of
 * every plan node and rewrites nothing but literal coercions (a string literal compared with a
 * date becomes a date literal). Unknown columns and type errors fail here, naming the thing at
 * fault and the valid choices.
 */
import { AGG_FNS } from './aggregates.js';
import { PlanError, SchemaError, listNames } from './errors.js';
import { type ExprType, concrete, typeError, typeOf, unify } from './exprType.js';
import { alignUnionTypes, lower, lowerSetOp, lowerUnionByName, lowerUsingJoin } from './lowering.js';
import type { Expr } from './expr.js';
import { assertNever, containsAgg, exprChildren, exprName, exprToString, lit, transformExpr } from './expr.js';
import { resolveColumn } from './columns.js';
import { checkColumnsComputable, checkOpaqueUse } from './opaqueUse.js';
import type { PlanNode } from './plan.js';
import { planChildren, transformPlan } from './plan.js';
import { type TimeContext, TimeBinder } from './timeBinding.js';
import { bindNode } from './timeBindingNodes.js';
import { containsWindow, extractWindows, windowSchema } from './window.js';
import type { Schema } from './types.js';
import { dateToDays, field, isOpaque } from './types.js';

/** Schemas of the scanned datasets, keyed by scan path (read from Parquet footers by the caller). */
export type Catalog = ReadonlyMap<string, Schema>;

/** Coerce string literals compared with dates into date literals (as Spark does). */
function coerceExpr(e: Expr, schema: Schema): Expr {
  return transformExpr(e, (x) => {
    if (x.kind === 'in' && typeOf(x.input, schema) === 'date') {
      return {
        ...x,
        list: x.list.map((i) => (i.kind === 'lit' && i.type === 'string' ? dateLit(i.value as string) : i)),
      };
    }
    if (x.kind !== 'binary' || !['=', '!=', '<', '<=', '>', '>='].includes(x.op)) return x;
    const lt = typeOf(x.left, schema);
    const rt = typeOf(x.right, schema);
    if (lt === 'date' && x.right.kind === 'lit' && rt === 'string')
      return { ...x, right: dateLit(x.right.value as string) };
    if (rt === 'date' && x.left.kind === 'lit' && lt === 'string')
      return { ...x, left: dateLit(x.left.value as string) };
    return x;
  });
}

function dateLit(s: string): Expr {
  dateToDays(s);
  return lit(s, 'date');
}

/** Schemas by catalog, then by plan node object: a node's schema depends on nothing else. */
const schemaMemos = new WeakMap<Catalog, WeakMap<PlanNode, Schema>>();

function memoFor(catalog: Catalog): WeakMap<PlanNode, Schema> {
  let memo = schemaMemos.get(catalog);
  if (!memo) {
    memo = new WeakMap();
    schemaMemos.set(catalog, memo);
  }
  return memo;
}

/**
 * The output schema of a plan node. Validates the whole subtree. Memoized per node object and
 * catalog across calls (plan nodes and catalogs are immutable): planning asks for the schemas of
 * the same subtrees many times — after every optimizer rule, in every physical planning step.
 */
export function schemaOf(p: PlanNode, catalog: Catalog, memo = memoFor(catalog)): Schema {
  const hit = memo.get(p);
  if (hit) return hit;
  const out = computeSchema(p, catalog, memo);
  memo.set(p, out);
  return out;
}

function computeSchema(p: PlanNode, catalog: Catalog, memo: WeakMap<PlanNode, Schema>): Schema {
  const input = (n: PlanNode) => schemaOf(n, catalog, memo);
  switch (p.kind) {
    case 'Scan': {
      const s = catalog.get(p.path);
      if (!s) throw new PlanError('UNKNOWN_DATASET', `no schema for dataset '${p.path}'`, { path: p.path });
      for (const f of p.filters) expectBool(f, s, 'scan filter');
      return p.columns ? p.columns.map((c) => resolveColumn(s, c).field) : s;
    }
    case 'Values':
      return p.schema;
    case 'MapRows': {
      const s = input(p.input);
      // Row functions see values; batch functions get Arrow data of any type.
      if (p.mode !== 'batches')
        checkColumnsComputable(
          s,
          s.map((f) => f.name),
          `the row function '${p.name}'`,
        );
      return p.schema ?? s;
    }
    case 'WithColumns':
    case 'Rename':
    case 'Drop':
    case 'DropNa':
    case 'FillNa':
      return computeSchema(lower(p, input(p.input)), catalog, memo);
    case 'UsingJoin':
      return computeSchema(lowerUsingJoin(p, input(p.left), input(p.right)), catalog, memo);
    case 'SetOp': {
      const l = input(p.left);
      const r = input(p.right);
      if (l.length !== r.length)
        throw new SchemaError(
          'SET_OP_ARITY',
          `${p.op} needs inputs with the same number of columns, got ${l.length} and ${r.length}`,
        );
      return computeSchema(lowerSetOp(p, l, r), catalog, memo);
    }
    case 'Filter': {
      const s = input(p.input);
      if (containsAgg(p.predicate))
        throw typeError(p.predicate, 'aggregate functions are not allowed in filter; filter after groupBy().agg()');
      expectBool(p.predicate, s, 'filter');
      return s;
    }
    case 'Window':
      return windowSchema(p, input(p.input), typeOf);
    case 'Project': {
      const s = input(p.input);
      if (p.exprs.some(containsWindow)) return computeSchema(extractWindows(p, s, typeOf), catalog, memo);
      return p.exprs.map((e) => {
        if (containsAgg(e)) throw typeError(e, 'aggregate functions need groupBy().agg() or agg()');
        checkOpaqueUse(e, s, 'the expression', true);
        return field(exprName(e), concrete(typeOf(e, s)));
      });
    }
    case 'Aggregate': {
      const s = input(p.input);
      const keys = p.keys.map((k) => {
        if (containsAgg(k)) throw typeError(k, 'aggregate functions cannot be grouping keys');
        checkOpaqueUse(k, s, 'the grouping key', false);
        return field(exprName(k), concrete(typeOf(k, s)));
      });
      const aggs = p.aggs.map((a) => {
        if (!containsAgg(a))
          throw typeError(a, `agg() expressions must contain an aggregate function (${AGG_FNS.join(', ')})`);
        checkAggregateScope(a, p.keys);
        checkOpaqueUse(a, s, 'the aggregate', false);
        return field(exprName(a), concrete(typeOf(a, s)));
      });
      return [...keys, ...aggs];
    }
    case 'Sort': {
      const s = input(p.input);
      for (const k of p.keys) {
        checkOpaqueUse(k.expr, s, 'the sort key', false);
        typeOf(k.expr, s);
      }
      return s;
    }
    case 'Expand': {
      const s = input(p.input);
      if (!p.projections.length) throw new PlanError('BAD_EXPAND', 'Expand needs at least one projection');
      return p.names.map((name, i) => {
        let t: ExprType = 'null';
        for (const x of p.projections) {
          const e = x[i];
          if (!e)
            throw new PlanError('BAD_EXPAND', `Expand projection has no expression for '${name}'`, { column: name });
          if (containsAgg(e)) throw typeError(e, 'aggregate functions need groupBy().agg() or agg()');
          checkOpaqueUse(e, s, 'the expression', true);
          t = unify(e, t, typeOf(e, s));
        }
        return field(name, concrete(t));
      });
    }
    case 'Sample':
      if (!(p.fraction >= 0 && p.fraction <= 1))
        throw new PlanError('BAD_SAMPLE', `sample fraction must be between 0 and 1, got ${p.fraction}`, {
          fraction: p.fraction,
        });
      if (!Number.isSafeInteger(p.seed))
        throw new PlanError('BAD_SAMPLE', `sample seed must be an integer, got ${p.seed}`, { seed: p.seed });
      return input(p.input);
    case 'Limit':
      if (!Number.isInteger(p.n) || p.n < 0)
        throw new PlanError('BAD_LIMIT', `limit must be a non-negative integer, got ${p.n}`);
      return input(p.input);
    case 'Repartition': {
      const s = input(p.input);
      for (const k of p.keys) {
        checkOpaqueUse(k, s, 'the partitioning key', false);
        typeOf(k, s);
      }
      return s;
    }
    case 'Distinct': {
      const s = input(p.input);
      // The keys are compared; dropDuplicates carries the other columns of each key's first row.
      checkColumnsComputable(
        s,
        p.columns ?? s.map((f) => f.name),
        p.columns ? 'dropDuplicates, as a key,' : 'distinct',
      );
      return s;
    }
    case 'Join': {
      const l = input(p.left);
      const r = input(p.right);
      const both = [...l, ...r];
      if (p.on) expectBool(p.on, both, 'join condition');
      return p.type === 'left_semi' || p.type === 'left_anti' ? l : both;
    }
    case 'Union': {
      const schemas = p.inputs.map(input);
      const first = schemas[0]!;
      for (const s of schemas.slice(1)) {
        if (s.length !== first.length)
          throw new SchemaError('UNION_ARITY', `union inputs have ${first.length} and ${s.length} columns`);
        first.forEach((f, i) => {
          const g = s[i]!;
          // Opaque columns pass through as they are: a union cannot convert them.
          if ((isOpaque(f.type) || isOpaque(g.type)) && f.type !== g.type)
            throw new SchemaError(
              'UNION_TYPE_MISMATCH',
              `union column ${i + 1} ('${f.name}') is ${f.type} in one input and ${g.type} (as '${g.name}') in another`,
              { column: f.name, types: [f.type, g.type] },
            );
        });
      }
      return first;
    }
    default:
      return assertNever(p);
  }
}

function expectBool(e: Expr, s: Schema, where: string): void {
  checkOpaqueUse(e, s, `the ${where}`, false);
  const t = typeOf(e, s);
  if (t !== 'bool' && t !== 'null') throw typeError(e, `${where} needs a bool condition, got ${t}`);
}

/** Outside aggregate calls, an agg expression may only use grouping keys. */
function checkAggregateScope(e: Expr, keys: readonly Expr[]): void {
  const keyNames = new Set(keys.map(exprName));
  const visit = (x: Expr): void => {
    if (x.kind === 'agg') return;
    if (x.kind === 'col' && !keyNames.has(x.name)) {
      throw new SchemaError(
        'NOT_GROUPED',
        `column '${x.name}' in ${exprToString(e)} is neither a grouping key nor inside an aggregate function; grouping keys are ${listNames([...keyNames])}`,
        { column: x.name },
      );
    }
    for (const k of exprChildren(x)) visit(k);
  };
  visit(e);
}

/**
 * Analyze a plan: validates every node, applies literal coercions and binds it to the session
 * time (zone and start; planner/timeBinding.ts). Returns the new root.
 */
export function analyze(
  root: PlanNode,
  catalog: Catalog,
  time: TimeContext = { timeZone: 'UTC', now: Date.now() },
): PlanNode {
  const memo = new WeakMap<PlanNode, Schema>();
  const binder = new TimeBinder(time);
  const schema = (n: PlanNode) => schemaOf(n, catalog, memo);
  const bind = (n: PlanNode) => bindNode(n, binder, schema, typeOf, (path) => catalog.get(path));
  /** The Window nodes a projection's window functions became (above `below`), bound bottom-up. */
  const bindWindows = (n: PlanNode, below: PlanNode): PlanNode =>
    n === below || n.kind !== 'Window' ? n : bind({ ...n, input: bindWindows(n.input, below) });
  const out = transformPlan(root, (p) => {
    for (const k of planChildren(p)) schema(k);
    const q = coerceNode(p, catalog, memo, time);
    if (p.kind === 'Project' && q.kind === 'Project' && q.input !== p.input)
      return bind({ ...q, input: bindWindows(q.input, p.input) });
    return bind(q);
  });
  schemaOf(out, catalog, memo);
  return out;
}

/** Lower a node whose meaning needs its input schema, and coerce literals compared with dates. */
function coerceNode(p: PlanNode, catalog: Catalog, memo: WeakMap<PlanNode, Schema>, time: TimeContext): PlanNode {
  switch (p.kind) {
    case 'SetOp':
      schemaOf(p, catalog, memo); // checks the arity
      return analyze(lowerSetOp(p, schemaOf(p.left, catalog, memo), schemaOf(p.right, catalog, memo)), catalog, time);
    case 'UsingJoin':
      return analyze(
        lowerUsingJoin(p, schemaOf(p.left, catalog, memo), schemaOf(p.right, catalog, memo)),
        catalog,
        time,
      );
    case 'Union': {
      const u = p.byName
        ? lowerUnionByName(
            p,
            p.inputs.map((i) => schemaOf(i, catalog, memo)),
          )
        : p;
      return alignUnionTypes(
        u,
        u.inputs.map((i) => schemaOf(i, catalog, memo)),
      );
    }
    case 'WithColumns':
    case 'Rename':
    case 'DropNa':
    case 'FillNa':
    case 'Drop': {
      const lowered = lower(p, schemaOf(p.input, catalog, memo));
      if (lowered.kind !== 'Project') return lowered;
      return coerceNode(lowered, catalog, memo, time);
    }
    case 'Filter':
      return { ...p, predicate: coerceExpr(p.predicate, schemaOf(p.input, catalog, memo)) };
    case 'Project': {
      const s = schemaOf(p.input, catalog, memo);
      // Window functions become Window nodes under the projection (their input is analyzed already).
      const q = p.exprs.some(containsWindow) ? (extractWindows(p, s, typeOf) as typeof p) : p;
      const qs = q === p ? s : schemaOf(q.input, catalog, memo);
      return { ...q, exprs: q.exprs.map((e) => coerceExpr(e, qs)) };
    }
    case 'Expand': {
      const s = schemaOf(p.input, catalog, memo);
      return { ...p, projections: p.projections.map((x) => x.map((e) => coerceExpr(e, s))) };
    }
    case 'Join':
      return p.on
        ? { ...p, on: coerceExpr(p.on, [...schemaOf(p.left, catalog, memo), ...schemaOf(p.right, catalog, memo)]) }
        : p;
    default:
      return p;
  }
}
