/**
 * The operator interface: every physical operator is a stream transformer over batches with an
 * output schema. Operators have no text form of their own: explain renders the physical op
 * specs they are built from (planner/explain.ts), the one plan renderer.
 */
import type { BuildSide } from '../planner/stages.js';
import type { Schema } from '../planner/types.js';
import type { Udaf } from './accumulators/udaf.js';
import type { UdfTable } from './eval.js';
import type { Batch } from './vector.js';

export interface Operator {
  readonly name: string;
  readonly schema: Schema;
  execute(input: AsyncIterable<Batch>): AsyncIterable<Batch>;
}

/** A registered user function, as loaded from the job's bundle. */
export type UserFunction =
  | {
      readonly kind: 'udf';
      readonly fn: (...args: unknown[]) => unknown;
      readonly returns: import('../planner/types.js').DataType;
    }
  | {
      readonly kind: 'map' | 'flatMap';
      readonly fn: (row: Record<string, unknown>) => unknown;
      readonly schema: Schema;
    }
  | { readonly kind: 'batches'; readonly fn: (batch: never) => unknown; readonly schema: Schema | null };

export interface OperatorContext {
  readonly udfs?: UdfTable;
  /** Row and batch functions by registered name. */
  readonly functions?: ReadonlyMap<string, UserFunction>;
  /** User-defined aggregates by registered name (their methods guarded: a throw names the UDAF). */
  readonly udafs?: ReadonlyMap<string, Udaf>;
  /** Reads a join's build side (all of a broadcast stage, or this task's partition). */
  readonly readBuildSide?: (side: BuildSide) => Promise<Batch[]>;
  /** The task's index in its stage (its shuffle partition, or its share of the scan): seeds sample(). */
  readonly partition?: number;
}
