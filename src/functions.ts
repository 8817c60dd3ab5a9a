/**
 * Registering user functions — import this module (not the whole engine) in the modules that
 * define them. Functions are registered by name at a module's top level; at submit the session
 * bundles the defining modules with esbuild (content-hashed), and executors load that bundle.
 * Code never travels as `fn.toString()`.
 *
 * @example
 * // functions.ts
 * import { udf, mapFunction } from 'stratus/functions';
 * export const discounted = udf('discounted', (p, d) => (p as number) * (1 - (d as number)), 'float64');
 * export const tag = mapFunction('tag', (r) => ({ key: r.k, big: (r.v as number) > 10 }), [
 *   { name: 'key', type: 'int32', nullable: true }, { name: 'big', type: 'bool', nullable: true }]);
 */
import { fileURLToPath } from 'node:url';
import type { DataType, Schema } from '../planner/types.js';
import { udfCall } from '../planner/expr.js';
import { PlanError } from '../planner/errors.js';
import { Column, toExpr, type ColumnLike } from './api/column.js';

export type RowFunction = (row: Record<string, unknown>) => Record<string, unknown>;
export type FlatRowFunction = (row: Record<string, unknown>) => readonly Record<string, unknown>[];
/** Arrow RecordBatch in, RecordBatch (or Table) out. */
export type BatchFunction = (batch: any) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

export type Registered =
  | {
      readonly kind: 'udf';
      readonly name: string;
      readonly fn: (...args: any[]) => unknown;
      readonly returns: DataType;
      readonly module: string | null;
    } // eslint-disable-line @typescript-eslint/no-explicit-any
  | {
      readonly kind: 'map' | 'flatMap';
      readonly name: string;
      readonly fn: (row: Record<string, unknown>) => unknown;
      readonly schema: Schema;
      readonly module: string | null;
    }
  | {
      readonly kind: 'batches';
      readonly name: string;
      readonly fn: BatchFunction;
      readonly schema: Schema | null;
      readonly module: string | null;
    };

const DEFAULT = Symbol.for('stratus.functions');
/** While a bundle is being loaded, registrations go to the table this key holds. */
export const LOADING = Symbol.for('stratus.functions.loading');

type Table = Map<string, Registered>;
const g = globalThis as unknown as Record<symbol, Table | undefined>;

/** The table registrations currently go to (a loading bundle's, or the process default). */
function target(): Table {
  return g[LOADING] ?? (g[DEFAULT] ??= new Map());
}

/** Functions registered in this process outside bundles (the client's view). */
export function registeredFunctions(): ReadonlyMap<string, Registered> {
  return (g[DEFAULT] ??= new Map());
}

/** The engine's own source folders: registration frames inside them are not the user's module. */
const ENGINE_DIRS = (() => {
  try {
    const root = fileURLToPath(new URL('..', import.meta.url));
    return ['src/', 'planner/', 'operators/'].map((d) => root + d);
  } catch {
    return [];
  }
})();

/** The module that called a registration function (from the stack), or null if unknown. */
function callerModule(): string | null {
  const lines = (new Error().stack ?? '').split('\n').slice(1);
  for (const line of lines) {
    const m = /\(?((?:file:\/\/)?\/[^()]+?):\d+:\d+\)?\s*$/.exec(line);
    if (!m) continue;
    const file = m[1]!.replace(/^file:\/\//, '');
    if (ENGINE_DIRS.some((d) => file.startsWith(d)) || file.includes('node:') || file.includes('/node_modules/'))
      continue;
    return file;
  }
  return null;
}

function register(r: Registered): void {
  if (!/^[A-Za-z_][\w.-]*$/.test(r.name))
    throw new PlanError(
      'BAD_FUNCTION_NAME',
      `function name '${r.name}' must start with a letter or _ and contain only letters, digits, _ . -`,
    );
  target().set(r.name, r);
}

/**
 * A row-wise scalar function usable in any expression.
 * @example const discounted = udf('discounted', (p, d) => p * (1 - d), 'float64'); df.select(discounted(col('p'), col('d')))
 */
export function udf(
  name: string,
  fn: (...args: any[]) => unknown,
  returns: DataType,
): (...args: ColumnLike[]) => Column {
  // eslint-disable-line @typescript-eslint/no-explicit-any
  register({ kind: 'udf', name, fn, returns, module: callerModule() });
  return (...args) => new Column(udfCall(name, args.map(toExpr), returns));
}

/** A row → row function with its output schema. @example df.map('tag') */
export function mapFunction(name: string, fn: RowFunction, schema: Schema): string {
  register({ kind: 'map', name, fn, schema, module: callerModule() });
  return name;
}

/** A row → rows function with its output schema. @example df.flatMap('explode') */
export function flatMapFunction(name: string, fn: FlatRowFunction, schema: Schema): string {
  register({ kind: 'flatMap', name, fn, schema, module: callerModule() });
  return name;
}

/** A RecordBatch → RecordBatch function (schema: the output's, default the input's). @example df.mapBatches('scale') */
export function batchFunction(name: string, fn: BatchFunction, schema: Schema | null = null): string {
  register({ kind: 'batches', name, fn, schema, module: callerModule() });
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
