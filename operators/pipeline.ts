/**
 * Builds a stage's operator pipeline from its physical op specs (exhaustive over op kinds) and
 * runs batches through it.
 */
import type { OpName, PhysicalOp } from '../planner/stages.js';
import type { Schema } from '../planner/types.js';
import { HashAggregateOperator } from './aggregate.js';
import { FilterOperator } from './filter.js';
import { HashJoinOperator } from './join.js';
import { LimitOperator } from './limit.js';
import { MapRowsOperator } from './maprows.js';
import type { Operator, OperatorContext } from './operator.js';
import { ProjectOperator } from './project.js';
import { SampleOperator } from './sample.js';
import { ExpandOperator } from './expand.js';
import { SortOperator, TopNOperator } from './sort.js';
import type { Batch } from './vector.js';
import { WindowOperator } from './window.js';

type Builder<K extends OpName> = (
  spec: Extract<PhysicalOp, { op: K }>,
  input: Schema,
  ctx: OperatorContext,
  /** Whether the op's output batches may stay deferred (late materialization, vector.ts). */
  lazyOutput: boolean,
  /**
   * Whether the op is the stage's first: its input batches come straight from the task's source
   * (a scan, a shuffle read), which keeps none of them and hands them to nobody else.
   */
  first: boolean,
  /**
   * Whether its input batches hold the source's own column vectors and nothing else reads them:
   * the op is first, or only projections (which pass columns on by reference and keep no batch)
   * precede it.
   */
  fromSource: boolean,
) => Operator;

/**
 * Operators that read only the columns they need from each batch and keep no batch: an op
 * feeding one of them may hand on deferred batches (columns gathered when read). Any other
 * consumer (sorts, windows, limits, the stage's output) gets gathered batches.
 */
const STREAMING: ReadonlySet<OpName> = new Set(['Filter', 'Project', 'HashJoin', 'HashAggregate']);

const BUILDERS: { [K in OpName]: Builder<K> } = {
  Filter: (s, input, ctx, lazy) => new FilterOperator(s.predicate, input, ctx, lazy),
  Project: (s, input, ctx) => new ProjectOperator(s.exprs, input, s.schema, ctx),
  HashAggregate: (s, input, ctx, _lazy, first) =>
    new HashAggregateOperator(s.mode, s.keys, s.aggs, input, s.schema, ctx, s.filter, first),
  Sort: (s, _input, ctx) => new SortOperator(s.keys, s.schema, ctx),
  TopN: (s, _input, ctx) => new TopNOperator(s.keys, s.n, s.schema, ctx),
  Limit: (s) => new LimitOperator(s.n, s.schema),
  Expand: (s, input, ctx) => new ExpandOperator(s.projections, input, s.schema, ctx),
  Sample: (s, _input, ctx) => new SampleOperator(s.fraction, s.seed, s.schema, ctx.partition ?? 0),
  MapRows: (s, input, ctx) => new MapRowsOperator(s.name, s.mode, input, s.schema, ctx),
  Window: (s, input, ctx) => new WindowOperator(s.partitionBy, s.orderBy, s.calls, input, s.schema, ctx),
  HashJoin: (s, input, ctx, lazy, _first, fromSource) =>
    new HashJoinOperator(
      s.type,
      s.probeKeys,
      s.buildKeys,
      s.residual,
      s.build,
      input,
      s.schema,
      ctx,
      s.buildFirst ?? false,
      lazy,
      fromSource,
    ),
};

export function buildOperators(ops: readonly PhysicalOp[], inputSchema: Schema, ctx: OperatorContext): Operator[] {
  let schema = inputSchema;
  return ops.map((spec, k) => {
    const lazy = k + 1 < ops.length && STREAMING.has(ops[k + 1]!.op);
    const fromSource = ops.slice(0, k).every((o) => o.op === 'Project');
    const op = (BUILDERS[spec.op] as Builder<OpName>)(spec, schema, ctx, lazy, k === 0, fromSource);
    schema = spec.schema;
    return op;
  });
}

export function runPipeline(source: AsyncIterable<Batch>, ops: readonly Operator[]): AsyncIterable<Batch> {
  return ops.reduce((input, op) => op.execute(input), source);
}
