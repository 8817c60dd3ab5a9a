/**
 * Loading a plan document: parse, check the version, and validate every node and expression
 * structurally, so a malformed plan is rejected with a message naming the path at fault.
 */
import { AGG_FNS, isAggFn } from './aggregates.js';
import { listNames, PlanError } from './errors.js';
import type { Expr } from './expr.js';
import type { PlanDocument, PlanNode } from './plan.js';
import { PLAN_VERSION } from './plan.js';
import { temporalUnits } from './time.js';
import { DATA_TYPES, dateToDays, isDataType, isTemporal } from './types.js';

type Json = unknown;

class Checker {
  fail(path: string, msg: string): never {
    throw new PlanError('MALFORMED_PLAN', `malformed plan at ${path}: ${msg}`, { path });
  }
  obj(v: Json, path: string): Record<string, Json> {
    if (typeof v !== 'object' || v === null || Array.isArray(v))
      this.fail(path, `expected an object, got ${JSON.stringify(v)?.slice(0, 60)}`);
    return v as Record<string, Json>;
  }
  arr(v: Json, path: string): Json[] {
    if (!Array.isArray(v)) this.fail(path, 'expected an array');
    return v;
  }
  /** Check each element of an array, at `path[i]`. */
  each(v: Json, path: string, check: (x: Json, path: string) => unknown): void {
    this.arr(v, path).forEach((x, i) => {
      check(x, `${path}[${i}]`);
    });
  }
  str(v: Json, path: string): string {
    if (typeof v !== 'string') this.fail(path, 'expected a string');
    return v;
  }
  num(v: Json, path: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(path, 'expected a number');
    return v;
  }
  dataType(v: Json, path: string, orNull = false): void {
    if (!isDataType(v) && !(orNull && v === 'null'))
      this.fail(
        path,
        `expected a data type (${DATA_TYPES.join(', ')}, decimal(p,s), timestamp[unit], timestamp[unit, zone], time[unit]), got ${JSON.stringify(v)}`,
      );
  }
  oneOf<T extends string>(v: Json, allowed: readonly T[], path: string): T {
    if (typeof v !== 'string' || !allowed.includes(v as T))
      this.fail(path, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    return v as T;
  }
}

const c = new Checker();

const EXPR_CHECKS: Record<Expr['kind'], (o: Record<string, Json>, p: string) => void> = {
  col: (o, p) => {
    c.str(o.name, `${p}.name`);
    if (o.index !== undefined) c.num(o.index, `${p}.index`);
  },
  lit: (o, p) => {
    c.dataType(o.type, `${p}.type`, true);
    if (!['number', 'string', 'boolean'].includes(typeof o.value) && o.value !== null)
      c.fail(`${p}.value`, 'expected a literal value');
    if (o.type === 'date' && o.value !== null) dateToDays(c.str(o.value, `${p}.value`));
    if (isTemporal(String(o.type)) && o.value !== null) temporalUnits(c.str(o.value, `${p}.value`), String(o.type));
    if (o.type === 'binary' && o.value !== null && !/^[A-Za-z0-9+/]*={0,2}$/.test(c.str(o.value, `${p}.value`)))
      c.fail(`${p}.value`, 'expected base64 text');
    if (o.type === 'int64' && o.value !== null) {
      const text = String(o.value);
      if (typeof o.value === 'boolean' || !/^[+-]?\d+$/.test(text) || BigInt.asIntN(64, BigInt(text)) !== BigInt(text))
        c.fail(`${p}.value`, 'expected an int64: integer text within [-2^63, 2^63)');
    }
  },
  binary: (o, p) => {
    c.oneOf(o.op, ['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', 'and', 'or'], `${p}.op`);
    checkExpr(o.left, `${p}.left`);
    checkExpr(o.right, `${p}.right`);
  },
  not: (o, p) => checkExpr(o.input, `${p}.input`),
  neg: (o, p) => checkExpr(o.input, `${p}.input`),
  alias: (o, p) => {
    checkExpr(o.input, `${p}.input`);
    c.str(o.name, `${p}.name`);
  },
  cast: (o, p) => {
    checkExpr(o.input, `${p}.input`);
    c.dataType(o.to, `${p}.to`);
  },
  isnull: (o, p) => checkExpr(o.input, `${p}.input`),
  in: (o, p) => {
    checkExpr(o.input, `${p}.input`);
    c.each(o.list, `${p}.list`, checkExpr);
  },
  case: (o, p) => {
    c.arr(o.branches, `${p}.branches`).forEach((b, i) => {
      const bo = c.obj(b, `${p}.branches[${i}]`);
      checkExpr(bo.when, `${p}.branches[${i}].when`);
      checkExpr(bo.then, `${p}.branches[${i}].then`);
    });
    if (o.otherwise !== null) checkExpr(o.otherwise, `${p}.otherwise`);
  },
  call: (o, p) => {
    c.str(o.fn, `${p}.fn`);
    c.each(o.args, `${p}.args`, checkExpr);
  },
  udf: (o, p) => {
    c.str(o.name, `${p}.name`);
    c.dataType(o.returns, `${p}.returns`);
    c.each(o.args, `${p}.args`, checkExpr);
  },
  window: (o, p) => {
    c.str(o.fn, `${p}.fn`);
    c.each(o.args, `${p}.args`, checkExpr);
    if (o.spec !== null) {
      const s = c.obj(o.spec, `${p}.spec`);
      exprs(s.partitionBy, `${p}.spec.partitionBy`);
      sortKeys(s.orderBy, `${p}.spec.orderBy`);
    }
  },
  agg: (o, p) => {
    if (typeof o.fn !== 'string' || !isAggFn(o.fn))
      throw new PlanError(
        'UNKNOWN_AGGREGATE',
        `malformed plan at ${p}.fn: unknown aggregate function ${JSON.stringify(o.fn)}; aggregates are ${listNames(AGG_FNS)}`,
        { path: `${p}.fn`, aggregate: o.fn, validAggregates: AGG_FNS },
      );
    if (o.arg !== null) checkExpr(o.arg, `${p}.arg`);
    if (o.more !== undefined) c.each(o.more, `${p}.more`, checkExpr);
    if (o.options !== undefined) c.obj(o.options, `${p}.options`);
  },
};

function checkExpr(v: Json, path: string): void {
  const o = c.obj(v, path);
  const kind = c.oneOf(o.kind, Object.keys(EXPR_CHECKS) as Expr['kind'][], `${path}.kind`);
  EXPR_CHECKS[kind](o, path);
}

const exprs = (v: Json, p: string) => c.each(v, p, checkExpr);
const sortKeys = (v: Json, p: string) =>
  c.arr(v, p).forEach((k, i) => {
    const ko = c.obj(k, `${p}[${i}]`);
    checkExpr(ko.expr, `${p}[${i}].expr`);
    if (typeof ko.desc !== 'boolean' || typeof ko.nullsFirst !== 'boolean')
      c.fail(`${p}[${i}]`, 'desc and nullsFirst must be booleans');
  });

const PLAN_CHECKS: Record<PlanNode['kind'], (o: Record<string, Json>, p: string) => void> = {
  Scan: (o, p) => {
    c.str(o.path, `${p}.path`);
    const format = c.oneOf(o.format, ['parquet', 'csv', 'json', 'arrow'], `${p}.format`);
    if (format === 'arrow') c.arr(o.arrowSchema ?? null, `${p}.arrowSchema`);
    else if (format !== 'parquet') c.oneOf(c.obj(o.text ?? null, `${p}.text`).format, [format], `${p}.text.format`);
    if (o.columns !== null) c.each(o.columns, `${p}.columns`, (x, at) => c.str(x, at));
    exprs(o.filters, `${p}.filters`);
    if (o.mergeSchema !== undefined && typeof o.mergeSchema !== 'boolean')
      c.fail(`${p}.mergeSchema`, 'expected a boolean');
  },
  Filter: (o, p) => {
    checkNode(o.input, `${p}.input`);
    checkExpr(o.predicate, `${p}.predicate`);
  },
  Project: (o, p) => {
    checkNode(o.input, `${p}.input`);
    exprs(o.exprs, `${p}.exprs`);
  },
  Aggregate: (o, p) => {
    checkNode(o.input, `${p}.input`);
    exprs(o.keys, `${p}.keys`);
    exprs(o.aggs, `${p}.aggs`);
  },
  Sort: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.arr(o.keys, `${p}.keys`).forEach((k, i) => {
      const ko = c.obj(k, `${p}.keys[${i}]`);
      checkExpr(ko.expr, `${p}.keys[${i}].expr`);
      if (typeof ko.desc !== 'boolean' || typeof ko.nullsFirst !== 'boolean')
        c.fail(`${p}.keys[${i}]`, 'desc and nullsFirst must be booleans');
    });
  },
  Window: (o, p) => {
    checkNode(o.input, `${p}.input`);
    exprs(o.partitionBy, `${p}.partitionBy`);
    sortKeys(o.orderBy, `${p}.orderBy`);
    c.arr(o.calls, `${p}.calls`).forEach((x, i) => {
      const co = c.obj(x, `${p}.calls[${i}]`);
      c.str(co.name, `${p}.calls[${i}].name`);
      c.str(co.fn, `${p}.calls[${i}].fn`);
      exprs(co.args, `${p}.calls[${i}].args`);
      const f = c.obj(co.frame, `${p}.calls[${i}].frame`);
      c.oneOf(f.unit, ['rows', 'range'], `${p}.calls[${i}].frame.unit`);
      if (f.lower !== null) c.num(f.lower, `${p}.calls[${i}].frame.lower`);
      if (f.upper !== null) c.num(f.upper, `${p}.calls[${i}].frame.upper`);
    });
  },
  Limit: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.num(o.n, `${p}.n`);
  },
  Expand: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.each(o.names, `${p}.names`, (x, at) => c.str(x, at));
    c.arr(o.projections, `${p}.projections`).forEach((x, i) => {
      exprs(x, `${p}.projections[${i}]`);
      if (c.arr(x, `${p}.projections[${i}]`).length !== c.arr(o.names, `${p}.names`).length)
        c.fail(`${p}.projections[${i}]`, 'expected one expression per name');
    });
  },
  Sample: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.num(o.fraction, `${p}.fraction`);
    c.num(o.seed, `${p}.seed`);
  },
  Join: (o, p) => {
    checkNode(o.left, `${p}.left`);
    checkNode(o.right, `${p}.right`);
    c.oneOf(o.type, ['inner', 'left', 'right', 'full', 'left_semi', 'left_anti', 'cross'], `${p}.type`);
    if (o.on !== null) checkExpr(o.on, `${p}.on`);
  },
  Distinct: (o, p) => checkNode(o.input, `${p}.input`),
  Union: (o, p) => c.each(o.inputs, `${p}.inputs`, checkNode),
  Repartition: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.num(o.n, `${p}.n`);
    exprs(o.keys, `${p}.keys`);
  },
  WithColumns: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.arr(o.columns, `${p}.columns`).forEach((x, i) => {
      const co = c.obj(x, `${p}.columns[${i}]`);
      c.str(co.name, `${p}.columns[${i}].name`);
      checkExpr(co.expr, `${p}.columns[${i}].expr`);
    });
  },
  Rename: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.str(o.from, `${p}.from`);
    c.str(o.to, `${p}.to`);
  },
  Drop: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.each(o.names, `${p}.names`, (x, at) => c.str(x, at));
  },
  MapRows: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.str(o.name, `${p}.name`);
    c.oneOf(o.mode, ['map', 'flatMap', 'batches'], `${p}.mode`);
    if (o.schema !== null) c.arr(o.schema, `${p}.schema`);
  },
  UsingJoin: (o, p) => {
    checkNode(o.left, `${p}.left`);
    checkNode(o.right, `${p}.right`);
    c.each(o.keys, `${p}.keys`, (x, at) => c.str(x, at));
    c.oneOf(o.type, ['inner', 'left', 'right', 'full', 'left_semi', 'left_anti'], `${p}.type`);
  },
  SetOp: (o, p) => {
    c.oneOf(o.op, ['intersect', 'except'], `${p}.op`);
    checkNode(o.left, `${p}.left`);
    checkNode(o.right, `${p}.right`);
  },
  DropNa: (o, p) => {
    checkNode(o.input, `${p}.input`);
    c.oneOf(o.how, ['any', 'all'], `${p}.how`);
  },
  FillNa: (o, p) => {
    checkNode(o.input, `${p}.input`);
    if (!['number', 'string', 'boolean'].includes(typeof o.value))
      c.fail(`${p}.value`, 'expected a number, string or boolean');
  },
  Values: (o, p) => {
    c.arr(o.schema, `${p}.schema`);
    c.arr(o.rows, `${p}.rows`);
  },
};

function checkNode(v: Json, path: string): void {
  const o = c.obj(v, path);
  const kind = c.oneOf(o.kind, Object.keys(PLAN_CHECKS) as PlanNode['kind'][], `${path}.kind`);
  PLAN_CHECKS[kind](o, path);
}

/** Validate a parsed plan document (throws PlanError naming the path at fault). */
export function validatePlanDocument(v: Json): PlanDocument {
  const o = c.obj(v, 'plan');
  if (o.version !== PLAN_VERSION) {
    throw new PlanError(
      'UNSUPPORTED_PLAN_VERSION',
      `plan version ${JSON.stringify(o.version)} is not supported; this engine reads version ${PLAN_VERSION}`,
      {
        version: o.version,
        supported: PLAN_VERSION,
      },
    );
  }
  checkNode(o.root, 'plan.root');
  const sink = c.obj(o.sink, 'plan.sink');
  const kind = c.oneOf(sink.kind, ['collect', 'count', 'write'], 'plan.sink.kind');
  if (kind === 'write') {
    c.str(sink.path, 'plan.sink.path');
    c.oneOf(sink.mode, ['errorIfExists', 'overwrite', 'append', 'ignore'], 'plan.sink.mode');
    const format = c.oneOf(sink.format, ['parquet', 'csv', 'json', 'arrow'], 'plan.sink.format');
    if (format !== 'parquet' && format !== 'arrow')
      c.oneOf(c.obj(sink.text ?? null, 'plan.sink.text').format, [format], 'plan.sink.text.format');
    c.arr(sink.partitionBy, 'plan.sink.partitionBy');
  }
  return v as PlanDocument;
}

/** Parse and validate a plan from JSON text. */
export function loadPlan(text: string): PlanDocument {
  let v: Json;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new PlanError('MALFORMED_PLAN', `plan is not valid JSON: ${(e as Error).message}`);
  }
  return validatePlanDocument(v);
}
