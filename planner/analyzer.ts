/**
 * The analyzer: resolves names and types before anything runs. It returns the output schema of
 * every plan node and rewrites nothing but literal coercions (a string literal compared with a
 * date becomes a date literal). Unknown columns and type errors fail here, naming the thing at
 * fault and the valid choices.
 */
import { AGG_FNS, aggCallType } from './aggregates.js';
import { PlanError, SchemaError, listNames } from './errors.js';
import { resolveColumn } from './columns.js';
import { alignUnionTypes, lower, lowerSetOp, lowerUnionByName, lowerUsingJoin } from './lowering.js';
import type { Expr, ExprOf } from './expr.js';
import { assertNever, containsAgg, exprChildren, exprName, exprToString, lit, transformExpr } from './expr.js';
import { FUNCTIONS, functionSignature } from './functions.js';
import { checkColumnsComputable, checkOpaqueUse } from './opaqueUse.js';
import type { PlanNode } from './plan.js';
import { planChildren, transformPlan } from './plan.js';
import { type TimeContext, TimeBinder } from './timeBinding.js';
import { bindNode } from './timeBindingNodes.js';
import { containsWindow, extractWindows, windowSchema, windowType } from './window.js';
import { castAllowed } from './timeCasts.js';
import type { DataType, DecimalType, Schema } from './types.js';
import {
  arithmeticType,
  asDecimal,
  commonTemporalType,
  computeType,
  boundedDecimal,
  dateToDays,
  decimalParts,
  field,
  isBytes,
  isDataType,
  isDecimal,
  isFloating,
  isIntegral,
  isNumeric,
  isOpaque,
  isTemporal,
  widen,
} from './types.js';

/** Schemas of the scanned datasets, keyed by scan path (read from Parquet footers by the caller). */
export type Catalog = ReadonlyMap<string, Schema>;

export type ExprType = DataType | 'null';

const typeError = (e: Expr, msg: string): SchemaError =>
  new SchemaError('TYPE_MISMATCH', `type error in ${exprToString(e)}: ${msg}`, { expression: exprToString(e) });

/** The result type of an expression over a schema (throws on unknown columns and type errors). */
export function typeOf(e: Expr, schema: Schema): ExprType {
  switch (e.kind) {
    case 'col':
      return resolveColumn(schema, e.name, e.index).field.type;
    case 'lit':
      return e.type;
    case 'alias':
      return typeOf(e.input, schema);
    case 'neg': {
      const t = typeOf(e.input, schema);
      if (t !== 'null' && !isNumeric(t)) throw typeError(e, `cannot negate a ${t}`);
      return t === 'null' ? t : computeType(t);
    }
    case 'not': {
      const t = typeOf(e.input, schema);
      if (t !== 'null' && t !== 'bool') throw typeError(e, `NOT needs a bool, got ${t}`);
      return 'bool';
    }
    case 'cast': {
      const from = typeOf(e.input, schema);
      if (
        (isDecimal(e.to) && from === 'date') ||
        (from !== 'null' && isDecimal(from) && e.to === 'date') ||
        !castAllowed(from, e.to)
      )
        throw typeError(e, `cannot cast ${from} to ${e.to}`);
      // A binary converts only to and from a string (its UTF-8 bytes), as in Spark.
      if ((from === 'binary' || e.to === 'binary') && ((from !== 'null' && !isBytes(from)) || !isBytes(e.to)))
        throw typeError(e, `cannot cast ${from} to ${e.to}`);
      return e.to;
    }
    case 'isnull':
      typeOf(e.input, schema);
      return 'bool';
    case 'in': {
      const t = typeOf(e.input, schema);
      for (const x of e.list) {
        const u = typeOf(x, schema);
        if (!comparable(t, u)) throw typeError(e, `cannot compare ${t} with ${u}`);
      }
      return 'bool';
    }
    case 'case': {
      let out: ExprType = 'null';
      for (const b of e.branches) {
        const w = typeOf(b.when, schema);
        if (w !== 'bool' && w !== 'null') throw typeError(e, `WHEN needs a bool condition, got ${w}`);
        out = unify(e, out, typeOf(b.then, schema));
      }
      if (e.otherwise) out = unify(e, out, typeOf(e.otherwise, schema));
      return out;
    }
    case 'binary':
      return binaryType(e, typeOf(e.left, schema), typeOf(e.right, schema));
    case 'call': {
      const sig = functionSignature(e.fn);
      if (!sig)
        throw new PlanError(
          'UNKNOWN_FUNCTION',
          `unknown function '${e.fn}'; known functions are ${listNames(Object.keys(FUNCTIONS))}`,
          { function: e.fn },
        );
      if (e.args.length < sig.minArgs || e.args.length > sig.maxArgs)
        throw typeError(e, `${e.fn} takes ${sig.minArgs}..${sig.maxArgs} arguments, got ${e.args.length}`);
      const args = e.args.map((a) => typeOf(a, schema));
      const r = sig.result(
        args,
        e.args.map((a) => (a.kind === 'lit' ? a.value : undefined)),
      );
      if (isDataType(r) || isOpaque(r as DataType)) return r as DataType; // list<…> results (split)
      throw typeError(e, `${e.fn} expects ${r}, got ${args.join(', ') || 'no arguments'}`);
    }
    case 'agg': {
      const args = e.arg ? [e.arg, ...(e.more ?? [])] : [];
      if (args.some(containsAgg)) throw typeError(e, 'aggregate functions cannot be nested');
      const [t = null, ...more] = args.map((a) => typeOf(a, schema));
      const r = aggCallType(e.fn, t, { more, options: e.options ?? {} });
      if ('error' in r) throw typeError(e, r.error);
      return r.type;
    }
    case 'udf':
      for (const a of e.args) typeOf(a, schema);
      return e.returns;
    case 'window':
      // Only a projection may hold one (select / withColumn); it is extracted into a Window node.
      windowType(e, schema, typeOf);
      throw new PlanError(
        'WINDOW_NOT_ALLOWED',
        `window function ${e.fn}() is allowed only in select() / withColumn(), not in ${exprToString(e)}`,
        { function: e.fn },
      );
    default:
      return assertNever(e);
  }
}

function comparable(a: ExprType, b: ExprType): boolean {
  if (a === 'null' || b === 'null') return true;
  if (isNumeric(a) && isNumeric(b)) return true;
  if (a === b || commonTemporalType(a, b) !== null) return true;
  // Strings compared with timestamps and times are read as them (literals when the plan is bound).
  return (isTemporal(a) && b === 'string') || (isTemporal(b) && a === 'string');
}

function unify(e: Expr, a: ExprType, b: ExprType): ExprType {
  if (a === 'null') return b;
  if (b === 'null') return a;
  if (isNumeric(a) && isNumeric(b)) return widen(a, b);
  if (a !== b) {
    const t = commonTemporalType(a, b);
    if (t) return t;
    throw typeError(e, `branches have different types ${a} and ${b}`);
  }
  return a;
}

function binaryType(e: ExprOf<'binary'>, l: ExprType, r: ExprType): ExprType {
  switch (e.op) {
    case 'and':
    case 'or':
      if ((l !== 'bool' && l !== 'null') || (r !== 'bool' && r !== 'null'))
        throw typeError(e, `${e.op.toUpperCase()} needs bool operands, got ${l} and ${r}`);
      return 'bool';
    case '=':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
      if (!comparable(l, r)) throw typeError(e, `cannot compare ${l} with ${r}`);
      return 'bool';
    case '+':
    case '-':
      if (l === 'date' && (r === 'null' || isIntegral(r))) return 'date';
      if (e.op === '-' && l === 'date' && r === 'date') return 'int32';
      if ((l !== 'null' && isTemporal(l)) || (r !== 'null' && isTemporal(r)))
        throw typeError(
          e,
          `arithmetic '${e.op}' on ${l} and ${r}: add or subtract an interval (col.plus(interval({ hours: 1 }))), or compare unix_timestamp() values`,
        );
      return numericType(e, l, r);
    case '*':
    case '%':
      return numericType(e, l, r);
    case '/':
      if ((l !== 'null' && !isNumeric(l)) || (r !== 'null' && !isNumeric(r)))
        throw typeError(e, `arithmetic '/' needs numbers, got ${l} and ${r}`);
      return decimalArithmetic('/', l, r) ?? 'float64';
    default:
      return assertNever(e.op);
  }
}

function numericType(e: ExprOf<'binary'>, l: ExprType, r: ExprType): ExprType {
  if (l === 'null' || r === 'null') return l === 'null' ? (r === 'null' ? 'float64' : r) : l;
  if (!isNumeric(l) || !isNumeric(r)) throw typeError(e, `arithmetic '${e.op}' needs numbers, got ${l} and ${r}`);
  return decimalArithmetic(e.op as '+' | '-' | '*' | '%', l, r) ?? arithmeticType(l, r);
}

/**
 * Spark's result type of decimal arithmetic (an integer operand counts as decimal(10,0) or
 * decimal(20,0), a double makes the result a double): + and - keep the larger scale and one more
 * integer digit, * adds precisions and scales, / keeps at least 6 fraction digits, and a precision
 * beyond 38 gives up scale (not below 6) to keep the integer digits. Null when no decimal is involved.
 */
function decimalArithmetic(op: '+' | '-' | '*' | '/' | '%', l: ExprType, r: ExprType): DecimalType | null {
  if (l === 'null' || r === 'null' || isFloating(l) || isFloating(r)) return null;
  if (!isDecimal(l) && !isDecimal(r)) return null;
  const a = asDecimal(l);
  const b = asDecimal(r);
  if (!a || !b) return null;
  const { precision: p1, scale: s1 } = decimalParts(a);
  const { precision: p2, scale: s2 } = decimalParts(b);
  switch (op) {
    case '+':
    case '-': {
      const s = Math.max(s1, s2);
      return boundedDecimal(Math.max(p1 - s1, p2 - s2) + s + 1, s);
    }
    case '*':
      return boundedDecimal(p1 + p2 + 1, s1 + s2);
    case '/': {
      const s = Math.max(6, s1 + p2 + 1);
      return boundedDecimal(p1 - s1 + s2 + s, s);
    }
    case '%': {
      const s = Math.max(s1, s2);
      return boundedDecimal(Math.min(p1 - s1, p2 - s2) + s, s);
    }
  }
}

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

/** A column's type for an expression's: the NULL literal's type becomes string. */
export const concrete = (t: ExprType): DataType => (t === 'null' ? 'string' : t);

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
