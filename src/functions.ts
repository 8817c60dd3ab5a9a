/**
 * Registering user functions — import this module (not the whole engine) in the modules that
 * define them. Functions are registered by name at a module's top level; at submit the session
 * bundles the defining modules with esbuild (content-hashed), and executors load that bundle.
 * Code never travels as `fn.toString()`. (The table itself lives in runtime/userFunctions.ts,
 * which executors load without this DSL-facing module.)
 *
 * @example
 * // functions.ts
 * import { udf, mapFunction } from 'stratus/functions';
 * export const discounted = udf('discounted', (p, d) => (p as number) * (1 - (d as number)), 'float64');
 * export const tag = mapFunction('tag', (r) => ({ key: r.k, big: (r.v as number) > 10 }), [
 *   { name: 'key', type: 'int32', nullable: true }, { name: 'big', type: 'bool', nullable: true }]);
 */
import { PlanError } from '../planner/errors.js';
import { agg, udfCall } from '../planner/expr.js';
import type { DataType, Schema } from '../planner/types.js';
import { Column, type ColumnLike, toExpr } from './api/column.js';
import { type BatchFunction, register, type ScalarFunction, type UdafMethods } from './runtime/userFunctions.js';

export type { BatchFunction, UdafMethods } from './runtime/userFunctions.js';
export type RowFunction = (row: Record<string, unknown>) => Record<string, unknown>;
export type FlatRowFunction = (row: Record<string, unknown>) => readonly Record<string, unknown>[];

/**
 * A row-wise scalar function usable in any expression.
 * @example const discounted = udf('discounted', (p, d) => p * (1 - d), 'float64'); df.select(discounted(col('p'), col('d')))
 */
export function udf(name: string, fn: ScalarFunction, returns: DataType): (...args: ColumnLike[]) => Column {
  register({ kind: 'udf', name, fn, returns });
  return (...args) => new Column(udfCall(name, args.map(toExpr), returns));
}

/**
 * A user-defined aggregate (UDAF), usable in groupBy().agg, a global agg and over windows. Its
 * state must be JSON-serializable (it travels between executors as JSON text).
 * @example
 * export const geomean = udaf('geomean', {
 *   init: () => ({ logs: 0, n: 0 }),
 *   update: (s, x) => (x == null ? s : { logs: s.logs + Math.log(x as number), n: s.n + 1 }),
 *   merge: (a, b) => ({ logs: a.logs + b.logs, n: a.n + b.n }),
 *   finish: (s) => (s.n ? Math.exp(s.logs / s.n) : null),
 * }, 'float64');
 * df.groupBy('k').agg(geomean(col('x')).alias('g'))
 */
export function udaf<S>(name: string, methods: UdafMethods<S>, returns: DataType): (...args: ColumnLike[]) => Column {
  for (const m of ['init', 'update', 'merge', 'finish'] as const)
    if (typeof methods?.[m] !== 'function')
      throw new PlanError('BAD_UDAF', `UDAF '${name}' needs its ${m}() method (init, update, merge and finish)`, {
        function: name,
      });
  register({ kind: 'udaf', name, fn: methods as UdafMethods, returns });
  return (...args) => {
    if (!args.length)
      throw new PlanError('BAD_UDAF', `UDAF '${name}' takes at least one column argument`, { function: name });
    const [first, ...more] = args.map(toExpr);
    return new Column(agg('udaf', first!, more, { udaf: name, returns }));
  };
}

/** A row → row function with its output schema. @example df.map('tag') */
export function mapFunction(name: string, fn: RowFunction, schema: Schema): string {
  register({ kind: 'map', name, fn, schema });
  return name;
}

/** A row → rows function with its output schema. @example df.flatMap('explode') */
export function flatMapFunction(name: string, fn: FlatRowFunction, schema: Schema): string {
  register({ kind: 'flatMap', name, fn, schema });
  return name;
}

/** A RecordBatch → RecordBatch function (schema: the output's, default the input's). @example df.mapBatches('scale') */
export function batchFunction(name: string, fn: BatchFunction, schema: Schema | null = null): string {
  register({ kind: 'batches', name, fn, schema });
  return name;
}

/**
 * A job parameter (secret) inside a user function — named in the job's `parameters` option,
 * loaded by the executor (SSM on Lambda; a local file or environment locally), held in memory
 * for the invocation only. @example const key = parameter('/stratus/api-key')
 */
export function parameter(name: string): string {
  const get = (globalThis as Record<symbol, unknown>)[Symbol.for('stratus.parameter')] as
    | ((n: string) => string | undefined)
    | undefined;
  const v = get?.(name);
  if (v === undefined)
    throw new PlanError(
      'UNKNOWN_PARAMETER',
      `parameter '${name}' is not available here; name it in the job's parameters option`,
      { parameter: name },
    );
  return v;
}

/** The invocation's scratch directory (removed when the invocation ends). */
export function scratchDirectory(): string {
  const get = (globalThis as Record<symbol, unknown>)[Symbol.for('stratus.scratch')] as (() => string) | undefined;
  if (!get) throw new PlanError('NO_SCRATCH', 'scratchDirectory() is only available inside an executor');
  return get();
}
