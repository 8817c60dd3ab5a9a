/**
 * The table of registered user functions, by name — what executors need, with no DSL in sight.
 * A module registers its functions at its top level; in the client they go to the process's
 * table (which the session bundles from), and while an executor imports a job's bundle they go
 * to the table `LOADING` holds, one per bundle. The DSL-facing helpers (`udf()` returning a
 * Column, `mapFunction()`…) live in `src/functions.ts` and call `register` here.
 */
import { fileURLToPath } from 'node:url';
import { PlanError } from '../../planner/errors.js';
import type { DataType, Schema } from '../../planner/types.js';

/** Arrow RecordBatch in, RecordBatch (or Table) out. */
// biome-ignore lint/suspicious/noExplicitAny: user code receives and returns apache-arrow objects of its own copy
export type BatchFunction = (batch: any) => any;
/** A scalar function over column values. */
// biome-ignore lint/suspicious/noExplicitAny: arguments are whatever values the columns hold
export type ScalarFunction = (...args: any[]) => unknown;

export type Registered =
  | {
      readonly kind: 'udf';
      readonly name: string;
      readonly fn: ScalarFunction;
      readonly returns: DataType;
      readonly module: string | null;
    }
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
    }
  | {
      readonly kind: 'udaf';
      readonly name: string;
      readonly fn: UdafMethods;
      readonly returns: DataType;
      readonly module: string | null;
    };

/**
 * A user-defined aggregate: `init()` makes an empty state, `update(state, ...values)` folds one
 * row's argument values in, `merge(a, b)` combines two states, `finish(state)` gives the result.
 * Each returns the new state (it may mutate and return its argument). States travel between
 * executors as JSON text, so a state must survive `JSON.parse(JSON.stringify(state))`: numbers,
 * strings, booleans, null, arrays and plain objects.
 */
export interface UdafMethods<S = unknown> {
  init(): S;
  // biome-ignore lint/suspicious/noExplicitAny: arguments are whatever values the columns hold
  update(state: S, ...values: any[]): S;
  merge(a: S, b: S): S;
  finish(state: S): unknown;
}

const DEFAULT = Symbol.for('stratus.functions');
/** While a bundle is being loaded, registrations go to the table this key holds. */
export const LOADING = Symbol.for('stratus.functions.loading');

type Table = Map<string, Registered>;
const g = globalThis as unknown as Record<symbol, Table | undefined>;

/** Functions registered in this process outside bundles (the client's view). */
export function registeredFunctions(): ReadonlyMap<string, Registered> {
  const table = g[DEFAULT] ?? new Map<string, Registered>();
  g[DEFAULT] = table;
  return table;
}

/** The table registrations currently go to (a loading bundle's, or the process default). */
function target(): Table {
  return g[LOADING] ?? (registeredFunctions() as Table);
}

/** The engine's own source folders: registration frames inside them are not the user's module. */
const ENGINE_DIRS = (() => {
  try {
    const root = fileURLToPath(new URL('../..', import.meta.url));
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

/** A registration as a helper makes it: the entry before its defining module is known. */
export type Registration = Registered extends infer R ? (R extends Registered ? Omit<R, 'module'> : never) : never;

/** Register a function under its name, noting the user module that defines it. */
export function register(r: Registration): void {
  if (!/^[A-Za-z_][\w.-]*$/.test(r.name))
    throw new PlanError(
      'BAD_FUNCTION_NAME',
      `function name '${r.name}' must start with a letter or _ and contain only letters, digits, _ . -`,
    );
  target().set(r.name, { ...r, module: callerModule() } as Registered);
}
