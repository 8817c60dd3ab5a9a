/**
 * Differential test, the case model: two tables (`a`, `b`) and a pipeline over `a`, as plain
 * JSON. A pipeline is a list of steps; every choice in a step is a natural number that the
 * builder (build.ts) resolves against the schema at that point — a column choice `c` means
 * "the (c mod k)-th of the k columns that fit". So any subset of steps, any table with fewer
 * columns or rows, and any smaller number is still a valid case: this is what lets a generic
 * shrinker (fast-check's) take a failing case apart without producing nonsense.
 */
import type { ColType, Value } from './values.js';

export interface TableSpec {
  readonly columns: readonly { readonly name: string; readonly type: ColType }[];
  readonly rows: readonly (readonly Value[])[];
  /** How the Parquet files are written: the project's writer (parquet-wasm) with small row groups, or DuckDB. */
  readonly writer: 'wasm' | 'duckdb';
  /** Rows per row group (wasm writer). */
  readonly rowGroupSize: number;
  /** Number of files the rows are dealt into (row i goes to file i mod files). */
  readonly files: number;
  /** The rows are written this many times over (bigger tables: batches, hash tables that grow). */
  readonly repeat: number;
}

/** Either a column (by choice) or a literal of the other side's type (by value-pool index). */
export type Operand = { readonly k: 'col'; readonly c: number } | { readonly k: 'lit'; readonly v: number };

export type Pred =
  | { readonly k: 'cmp'; readonly op: number; readonly c: number; readonly rhs: Operand }
  | { readonly k: 'isnull'; readonly c: number; readonly negated: boolean }
  | { readonly k: 'in'; readonly c: number; readonly vs: readonly number[]; readonly withNull: boolean }
  | { readonly k: 'bool'; readonly c: number }
  | { readonly k: 'and' | 'or'; readonly l: Pred; readonly r: Pred }
  | { readonly k: 'not'; readonly p: Pred };

/** A computed column of a projection. */
export type Calc =
  | { readonly k: 'arith'; readonly op: number; readonly c: number; readonly rhs: Operand }
  | { readonly k: 'neg'; readonly c: number }
  | { readonly k: 'pred'; readonly p: Pred }
  | { readonly k: 'coalesce'; readonly c: number; readonly rhs: Operand }
  | { readonly k: 'when'; readonly p: Pred; readonly c: number; readonly rhs: Operand }
  | { readonly k: 'cast'; readonly c: number }
  | { readonly k: 'length'; readonly c: number }
  | { readonly k: 'concat'; readonly c: number; readonly rhs: Operand }
  /** A scalar function of functions.ts (`f` picks it), `n` its literal arguments, `d` a second column. */
  | { readonly k: 'fn'; readonly f: number; readonly c: number; readonly n: number; readonly d: number };

export interface SortKey {
  readonly c: number;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

export interface AggSpec {
  /** 0 count(*), 1 count, 2 countDistinct, 3 sum, 4 avg, 5 min, 6 max. */
  readonly fn: number;
  readonly c: number;
}

/** Steps allowed on the right side of a join or set operation. */
export type SideStep =
  | { readonly k: 'filter'; readonly p: Pred }
  | { readonly k: 'select'; readonly keep: readonly number[]; readonly calcs: readonly Calc[] }
  | { readonly k: 'groupBy'; readonly keys: readonly number[]; readonly aggs: readonly AggSpec[] }
  | { readonly k: 'distinct' }
  /** dropna(how, subset): NULL — and NaN, as in Spark — in any / all of the columns. */
  | { readonly k: 'dropna'; readonly all: boolean; readonly subset: readonly number[] }
  /** fillna(value, subset): a number (numeric columns), a string or a boolean (`kind` 0, 1, 2). */
  | { readonly k: 'fillna'; readonly kind: number; readonly v: number; readonly subset: readonly number[] }
  /** withColumn: replace the column `replace` picks, or add one when null. */
  | { readonly k: 'withColumn'; readonly calc: Calc; readonly replace: number | null }
  | { readonly k: 'drop'; readonly c: number }
  | { readonly k: 'rename'; readonly c: number }
  /** repartition(n, keys…) (round-robin without keys): the rows do not change. */
  | { readonly k: 'repartition'; readonly n: number; readonly keys: readonly number[] };

export type Step =
  | SideStep
  | { readonly k: 'sort'; readonly keys: readonly SortKey[]; readonly limit: number | null }
  | { readonly k: 'limit'; readonly n: number }
  | {
      readonly k: 'join';
      /** inner, left, right, full, left_semi, left_anti, cross. */
      readonly how: number;
      readonly right: readonly SideStep[];
      readonly on: readonly { readonly l: number; readonly r: number }[];
      /** Join on the column name (the key appears once) when the key types match. */
      readonly using: boolean;
      /** An extra non-equi condition over both sides (expression joins only). */
      readonly residual: Pred | null;
      /** 0: the planner decides, 1: broadcast(right), 2: broadcast(left) (taken mod 3). */
      readonly broadcast: number;
    }
  | {
      readonly k: 'setop';
      /** union, intersect, except, unionByName (the right side's columns in another order). */
      readonly op: number;
      /** Right side from table b (columns matched by type), or from the current frame. */
      readonly fromB: boolean;
      readonly right: readonly SideStep[];
      readonly pick: readonly number[];
    };

export interface Case {
  readonly a: TableSpec;
  readonly b: TableSpec;
  readonly steps: readonly Step[];
  /** collect() the rows, or count() them. */
  readonly action: 'collect' | 'count';
  /** 0: the default session; 1: a session with the optimizer rules off. */
  readonly config: number;
}

export const JOIN_HOWS = ['inner', 'left', 'right', 'full', 'left_semi', 'left_anti', 'cross'] as const;
export const SET_OPS = ['union', 'intersect', 'except', 'unionByName'] as const;
