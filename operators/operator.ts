/**
 * The operator interface: every physical operator is a stream transformer over batches with an
 * output schema and a one-line display used by explain.
 */
import type { BuildSide } from '../planner/stages.js';
import type { Schema } from '../planner/types.js';
import type { UdfTable } from './eval.js';
import type { Batch } from './vector.js';

export interface Operator {
  readonly name: string;
  readonly schema: Schema;
  execute(input: AsyncIterable<Batch>): AsyncIterable<Batch>;
  display(): string;
}

export interface OperatorContext {
  readonly udfs?: UdfTable;
  /** Reads a join's build side (all of a broadcast stage, or this task's partition). */
  readonly readBuildSide?: (side: BuildSide) => Promise<Batch[]>;
}
