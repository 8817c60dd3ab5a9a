/**
 * Physical planning: an optimized logical plan becomes a stage graph. Stages end at exchanges:
 * aggregation (partial → hash shuffle → final), global order and limit (gather to one
 * partition). Stage ids are assigned in dependency order.
 */
import { resolveColumn, schemaOf, typeOf, type Catalog } from './analyzer.js';
import { PlanError } from './errors.js';
import type { Expr } from './expr.js';
import { agg as aggNode, alias, col, exprName, exprToString, transformExpr } from './expr.js';
import type { PlanNode, PlanOf, Sink } from './plan.js';
import { aggregate } from './plan.js';
import type { AggCall, Partitioning, PhysicalOp, Stage, StageOutput, StagePlan, StageSource } from './stages.js';
import type { DataType, Schema } from './types.js';
import { field } from './types.js';
import { stateSchema } from './aggstate.js';
import { splitJoinCondition } from './joinkeys.js';
import { usePartialAggregation } from './optimizer/rules/partial_aggregation.js';

export interface PhysicalOptions {
  /** Width of hash exchanges. */
  readonly shufflePartitions: number;
  /** Rules switched off by name (physical ones: partial_aggregation). */
  readonly disabledRules?: readonly string[];
}

interface Fragment {
  source: StageSource;
  ops: PhysicalOp[];
  schema: Schema;
  /** Whether the rows are spread over many tasks or already in one. */
  single: boolean;
}

class Planner {
  readonly stages: Stage[] = [];
  constructor(
    readonly catalog: Catalog,
    readonly opts: PhysicalOptions,
  ) {}

  /** Close a fragment into a stage that ends with an exchange; return a fragment reading it. */
  exchange(f: Fragment, partitioning: Partitioning): Fragment {
    const id = this.stages.length;
    this.stages.push({ id, source: f.source, ops: f.ops, output: { kind: 'shuffle', partitioning }, schema: f.schema });
    return {
      source: { kind: 'shuffle', stages: [id], schema: f.schema },
      ops: [],
      schema: f.schema,
      single: partitioning.kind === 'single' || partitioning.n === 1,
    };
  }

  plan(p: PlanNode): Fragment {
    switch (p.kind) {
      case 'Scan': {
        const schema = schemaOf(p, this.catalog);
        return {
          source: { kind: 'scan', path: p.path, columns: schema.map((f) => f.name), filters: p.filters, schema },
          ops: [],
          schema,
          single: false,
        };
      }
      case 'Filter': {
        const f = this.plan(p.input);
        f.ops.push({ op: 'Filter', predicate: p.predicate, schema: f.schema });
        return f;
      }
      case 'Project': {
        const f = this.plan(p.input);
        const schema = schemaOf(p, this.catalog);
        f.ops.push({ op: 'Project', exprs: p.exprs, schema });
        f.schema = schema;
        return f;
      }
      case 'Aggregate':
        return this.aggregate(p);
      case 'Join':
        return this.join(p);
      case 'Distinct': {
        const schema = schemaOf(p.input, this.catalog);
        const keys = p.columns ?? schema.map((f) => f.name);
        const others = schema.filter((f) => !keys.includes(f.name));
        // dropDuplicates(cols): one row per key, the other columns from the group's first row.
        const grouped = aggregate(
          p.input,
          keys.map((k) => col(k)),
          others.map((f) => alias(aggNode('first', col(f.name)), f.name)),
        );
        const f = this.aggregate(grouped as PlanOf<'Aggregate'>);
        if (!others.length) return f;
        f.ops.push({ op: 'Project', exprs: schema.map((x) => col(x.name)), schema });
        f.schema = schema;
        return f;
      }
      case 'Union': {
        const n = this.opts.shufflePartitions;
        const schema = schemaOf(p, this.catalog);
        const stages = p.inputs.map((input) => {
          const f = this.plan(input);
          // Positional union: rename to the first input's names.
          if (f.schema.some((x, i) => x.name !== schema[i]!.name)) {
            f.ops.push({ op: 'Project', exprs: f.schema.map((x, i) => alias(col(x.name), schema[i]!.name)), schema });
            f.schema = schema;
          }
          return this.materialize(f, { kind: 'roundrobin', n });
        });
        return { source: { kind: 'shuffle', stages, schema }, ops: [], schema, single: false };
      }
      case 'MapRows': {
        const f = this.plan(p.input);
        const schema = schemaOf(p, this.catalog);
        f.ops.push({ op: 'MapRows', name: p.name, mode: p.mode, schema });
        f.schema = schema;
        return f;
      }
      case 'Repartition': {
        const f = this.plan(p.input);
        return this.exchange(
          f,
          p.keys.length ? { kind: 'hash', keys: p.keys, n: p.n } : { kind: 'roundrobin', n: p.n },
        );
      }
      case 'Sort': {
        let f = this.plan(p.input);
        if (!f.single) {
          // Global order: materialize with a key sample, range-partition by boundaries the
          // driver picks from the sample, sort each range; ranges are read back in order.
          const n = this.opts.shufflePartitions;
          const id = this.stages.length;
          this.stages.push({
            id,
            source: f.source,
            ops: f.ops,
            output: { kind: 'shuffle', partitioning: { kind: 'roundrobin', n }, sample: p.keys },
            schema: f.schema,
          });
          f = { source: { kind: 'shuffle', stages: [id], schema: f.schema }, ops: [], schema: f.schema, single: false };
          f = this.exchange(f, { kind: 'range', keys: p.keys, n });
          f.single = false;
        }
        f.ops.push({ op: 'Sort', keys: p.keys, schema: f.schema });
        return f;
      }
      case 'Limit': {
        if (p.input.kind === 'Sort') {
          const sort = p.input;
          let f = this.plan(sort.input);
          const top: PhysicalOp = { op: 'TopN', keys: sort.keys, n: p.n, schema: f.schema };
          f.ops.push(top);
          if (!f.single) {
            f = this.exchange(f, { kind: 'single' });
            f.ops.push(top);
          }
          return f;
        }
        let f = this.plan(p.input);
        const lim: PhysicalOp = { op: 'Limit', n: p.n, schema: f.schema };
        f.ops.push(lim);
        if (!f.single) {
          f = this.exchange(f, { kind: 'single' });
          f.ops.push(lim);
        }
        return f;
      }
      default:
        throw new PlanError('NOT_SUPPORTED', `the physical planner does not support ${p.kind} yet`, { node: p.kind });
    }
  }

  /** Materialize a fragment as a stage output with the given partitioning; return its stage id. */
  private materialize(f: Fragment, partitioning: Partitioning): number {
    this.exchange(f, partitioning);
    return this.stages.length - 1;
  }

  join(p: PlanOf<'Join'>): Fragment {
    const ls = schemaOf(p.left, this.catalog);
    const rs = schemaOf(p.right, this.catalog);
    const { leftKeys, rightKeys, residual } = splitJoinCondition(p.on, ls, rs);
    // Orientation: the build side is hashed (and broadcast, if chosen); the probe side streams.
    const swap = p.type === 'right' || (p.hint === 'left' && (p.type === 'inner' || p.type === 'cross'));
    const type = p.type === 'right' ? 'left' : p.type === 'cross' ? 'inner' : p.type;
    const noKeys = leftKeys.length === 0;
    if (noKeys && type === 'full')
      throw new PlanError('NOT_SUPPORTED', 'a full outer join needs at least one equality between the two sides', {
        on: p.on ? exprToString(p.on) : null,
      });
    const broadcast = noKeys || (swap ? p.hint === 'left' : p.hint === 'right' && type !== 'full');
    const [probeNode, buildNode] = swap ? [p.right, p.left] : [p.left, p.right];
    const [probeKeys, buildKeys] = swap ? [rightKeys, leftKeys] : [leftKeys, rightKeys];
    const [probeSchema, buildSchema] = swap ? [rs, ls] : [ls, rs];
    const joined: Schema =
      type === 'left_semi' || type === 'left_anti' ? probeSchema : [...probeSchema, ...buildSchema];

    let f: Fragment;
    let buildStage: number;
    if (broadcast) {
      buildStage = this.materialize(this.plan(buildNode), { kind: 'single' });
      f = this.plan(probeNode);
    } else {
      const n = this.opts.shufflePartitions;
      buildStage = this.materialize(this.plan(buildNode), { kind: 'hash', keys: buildKeys, n });
      f = this.exchange(this.plan(probeNode), { kind: 'hash', keys: probeKeys, n });
      f.single = false;
    }
    const build = {
      kind: broadcast ? ('broadcast' as const) : ('partitioned' as const),
      stage: buildStage,
      schema: buildSchema,
    };
    // When the sides were swapped, the operator emits build columns first: left ++ right again.
    const buildFirst = swap && type !== 'left_semi' && type !== 'left_anti';
    const schema = buildFirst ? [...ls, ...rs] : joined;
    f.ops.push({
      op: 'HashJoin',
      type,
      probeKeys,
      buildKeys,
      residual,
      build,
      schema,
      ...(buildFirst ? { buildFirst } : {}),
    });
    f.schema = schema;
    return f;
  }

  aggregate(p: PlanOf<'Aggregate'>): Fragment {
    const inputSchema = schemaOf(p.input, this.catalog);
    const outSchema = schemaOf(p, this.catalog);
    const calls: AggCall[] = [];
    const byText = new Map<string, string>();
    // Each distinct aggregate call becomes one accumulator column; the agg expressions are
    // rewritten over those columns and evaluated by a projection after the final aggregate.
    const post = p.aggs.map((a) =>
      transformExpr(a, (x) => {
        if (x.kind !== 'agg') return x;
        const text = exprToString(x);
        let name = byText.get(text);
        if (!name) {
          name = `__agg${calls.length}`;
          byText.set(text, name);
          const argType = x.arg ? concrete(typeOf(x.arg, inputSchema)) : null;
          calls.push({ fn: x.fn, arg: x.arg, name, argType, outType: concrete(typeOf(x, inputSchema)) });
        }
        return col(name);
      }),
    );
    const keyNames = p.keys.map(exprName);
    const keyCols = keyNames.map((n) => col(n));
    const aggSchema: Schema = [...outSchema.slice(0, p.keys.length), ...calls.map((c) => field(c.name, c.outType))];
    const postExprs: Expr[] = [
      ...keyCols,
      ...post.map((e, i) => alias(e.kind === 'alias' ? e.input : e, outSchema[p.keys.length + i]!.name)),
    ];
    const partitioning: Partitioning = p.keys.length
      ? { kind: 'hash', keys: keyCols, n: this.opts.shufflePartitions }
      : { kind: 'single' };

    let f = this.plan(p.input);
    if (!f.single && !usePartialAggregation(calls, this.opts.disabledRules ?? [])) {
      // One phase: move raw rows (keys and arguments) to their group's partition.
      const args = calls.flatMap((c, i) => (c.arg ? [alias(c.arg, `__arg${i}`)] : []));
      const pre = [...p.keys.map((k, i) => alias(k, keyNames[i]!)), ...args];
      const preSchema = schemaOfExprs(pre, f.schema);
      f.ops.push({ op: 'Project', exprs: pre, schema: preSchema });
      f.schema = preSchema;
      if (!(f.single && partitioning.kind === 'single')) f = this.exchange(f, partitioning);
      const single = calls.map((c, i) => ({ ...c, arg: c.arg ? col(`__arg${i}`) : null }));
      f.ops.push({ op: 'HashAggregate', mode: 'single', keys: keyCols, aggs: single, schema: aggSchema });
    } else if (f.single) {
      f.ops.push({ op: 'HashAggregate', mode: 'single', keys: p.keys, aggs: calls, schema: aggSchema });
    } else {
      const partialSchema: Schema = [...outSchema.slice(0, p.keys.length), ...stateSchema(calls)];
      f.ops.push({ op: 'HashAggregate', mode: 'partial', keys: p.keys, aggs: calls, schema: partialSchema });
      f.schema = partialSchema;
      f = this.exchange(f, partitioning);
      f.ops.push({ op: 'HashAggregate', mode: 'final', keys: keyCols, aggs: calls, schema: aggSchema });
    }
    f.ops.push({ op: 'Project', exprs: postExprs, schema: outSchema });
    f.schema = outSchema;
    return f;
  }
}

const concrete = (t: DataType | 'null'): DataType => (t === 'null' ? 'string' : t);

function schemaOfExprs(exprs: readonly Expr[], input: Schema): Schema {
  return exprs.map((e) => field(exprName(e), concrete(typeOf(e, input))));
}

/** Plan the stages of an analyzed, optimized plan; the last stage ends at the job's sink. */
export function planStages(
  root: PlanNode,
  catalog: Catalog,
  opts: PhysicalOptions,
  sink: Sink = { kind: 'collect' },
): StagePlan {
  const planner = new Planner(catalog, opts);
  const f = planner.plan(root);
  const id = planner.stages.length;
  const output: StageOutput =
    sink.kind === 'write' ? { kind: 'write', path: sink.path, partitionBy: sink.partitionBy } : { kind: 'result' };
  if (sink.kind === 'write') for (const c of sink.partitionBy) resolveColumn(f.schema, c);
  planner.stages.push({ id, source: f.source, ops: f.ops, output, schema: f.schema });
  planner.stages.forEach((s, i) => (planner.stages[i] = fuseScanFilters(s)));
  return { stages: planner.stages, resultStage: id, schema: f.schema };
}

/**
 * A scan whose rows go straight into an aggregation: the aggregate evaluates the scan's filters
 * itself and skips failing rows by group id, instead of the scan gathering every surviving row
 * into new columns (filters that keep most rows made that gather a large share of the work).
 * The filters stay on the scan for row-group pruning.
 */
function fuseScanFilters(stage: Stage): Stage {
  const first = stage.ops[0];
  if (
    stage.source.kind !== 'scan' ||
    !stage.source.filters.length ||
    first?.op !== 'HashAggregate' ||
    first.mode === 'final'
  )
    return stage;
  // Keys and arguments are then computed on rejected rows too: only for built-in expressions,
  // never user code (which might fail on rows the filter was meant to keep away).
  const exprs = [...first.keys, ...first.aggs.flatMap((a) => (a.arg ? [a.arg] : []))];
  if (exprs.some((e) => JSON.stringify(e).includes('"kind":"udf"'))) return stage;
  const aggregate = { ...first, filter: stage.source.filters };
  return { ...stage, source: { ...stage.source, filtersInAggregate: true }, ops: [aggregate, ...stage.ops.slice(1)] };
}
