/**
 * Physical planning: an optimized logical plan becomes a stage graph. Stages end at exchanges:
 * aggregation (partial → hash shuffle → final), global order and limit (gather to one
 * partition). Stage ids are assigned in dependency order.
 */
import { concrete, schemaOf, typeOf, type Catalog } from './analyzer.js';
import { resolveColumn } from './columns.js';
import { splitsIntoPartial, stateSchema } from './aggstate.js';
import { InternalError, PlanError } from './errors.js';
import type { Expr } from './expr.js';
import { agg as aggNode, alias, assertNever, col, exprName, exprToString, transformExpr } from './expr.js';
import { checkRuleNames } from './optimizer/index.js';
import { physicalRuleOn, stageRules, type PhysicalRuleName } from './optimizer/physicalRules.js';
import type { PlanKind, PlanNode, PlanOf, Sink } from './plan.js';
import { aggregate } from './plan.js';
import type { AggCall, Partitioning, PhysicalOp, Stage, StageOutput, StagePlan, StageSource } from './stages.js';
import type { Schema } from './types.js';
import { field } from './types.js';
import { splitJoinCondition } from './joinkeys.js';

export interface PhysicalOptions {
  /** Width of hash exchanges. */
  readonly shufflePartitions: number;
  /** Rules switched off by name (optimizer/physicalRules.ts lists the physical ones). */
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
    return (PLANNERS[p.kind] as (planner: Planner, node: PlanNode) => Fragment)(this, p);
  }

  /** Whether a physical rule of the `plan` phase is switched on. */
  on(rule: PhysicalRuleName): boolean {
    return physicalRuleOn(rule, this.opts.disabledRules);
  }

  scan(p: PlanOf<'Scan'>): Fragment {
    const schema = schemaOf(p, this.catalog);
    return {
      source: { kind: 'scan', path: p.path, columns: schema.map((f) => f.name), filters: p.filters, schema },
      ops: [],
      schema,
      single: false,
    };
  }

  /** Append an operator that keeps the row layout or sets a new schema. */
  pipe(p: PlanOf<'Filter' | 'Project' | 'MapRows'>): Fragment {
    const f = this.plan(p.input);
    switch (p.kind) {
      case 'Filter':
        f.ops.push({ op: 'Filter', predicate: p.predicate, schema: f.schema });
        return f;
      case 'Project':
        f.schema = schemaOf(p, this.catalog);
        f.ops.push({ op: 'Project', exprs: p.exprs, schema: f.schema });
        return f;
      case 'MapRows':
        f.schema = schemaOf(p, this.catalog);
        f.ops.push({ op: 'MapRows', name: p.name, mode: p.mode, schema: f.schema });
        return f;
      default:
        return assertNever(p);
    }
  }

  /** dropDuplicates(cols): one row per key, the other columns from the group's first row. */
  distinct(p: PlanOf<'Distinct'>): Fragment {
    const schema = schemaOf(p.input, this.catalog);
    const keys = p.columns ?? schema.map((f) => f.name);
    const others = schema.filter((f) => !keys.includes(f.name));
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

  union(p: PlanOf<'Union'>): Fragment {
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

  repartition(p: PlanOf<'Repartition'>): Fragment {
    const f = this.plan(p.input);
    return this.exchange(f, p.keys.length ? { kind: 'hash', keys: p.keys, n: p.n } : { kind: 'roundrobin', n: p.n });
  }

  sort(p: PlanOf<'Sort'>): Fragment {
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

  /** A limit (a top-n over a sort) in each task, then once more over the gathered rows. */
  limit(p: PlanOf<'Limit'>): Fragment {
    const sort = p.input.kind === 'Sort' ? p.input : null;
    let f = this.plan(sort ? sort.input : p.input);
    const op: PhysicalOp = sort
      ? { op: 'TopN', keys: sort.keys, n: p.n, schema: f.schema }
      : { op: 'Limit', n: p.n, schema: f.schema };
    f.ops.push(op);
    if (!f.single) {
      f = this.exchange(f, { kind: 'single' });
      f.ops.push(op);
    }
    return f;
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
    if (!f.single && !(this.on('partial_aggregation') && splitsIntoPartial(calls))) {
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

/**
 * Nodes the analyzer lowers to Project, Filter, Join or Aggregate before anything is planned:
 * seeing one here is a bug in the caller (it skipped `analyze`).
 */
const lowered = (_planner: Planner, p: PlanNode): Fragment => {
  throw new InternalError('NOT_LOWERED', `${p.kind} reached the physical planner; analyze() lowers it first`, {
    node: p.kind,
  });
};

/** One handler per plan node kind: a new kind fails the build until it is planned here. */
const PLANNERS: { readonly [K in PlanKind]: (planner: Planner, node: PlanOf<K>) => Fragment } = {
  Scan: (pl, p) => pl.scan(p),
  Filter: (pl, p) => pl.pipe(p),
  Project: (pl, p) => pl.pipe(p),
  MapRows: (pl, p) => pl.pipe(p),
  Aggregate: (pl, p) => pl.aggregate(p),
  Join: (pl, p) => pl.join(p),
  Distinct: (pl, p) => pl.distinct(p),
  Union: (pl, p) => pl.union(p),
  Repartition: (pl, p) => pl.repartition(p),
  Sort: (pl, p) => pl.sort(p),
  Limit: (pl, p) => pl.limit(p),
  Values: (_pl, p) => {
    throw new PlanError('NOT_SUPPORTED', 'the physical planner does not support Values (inline rows) yet', {
      node: p.kind,
    });
  },
  WithColumns: lowered,
  Rename: lowered,
  Drop: lowered,
  DropNa: lowered,
  FillNa: lowered,
  UsingJoin: lowered,
  SetOp: lowered,
};

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
  checkRuleNames(opts.disabledRules);
  const planner = new Planner(catalog, opts);
  const f = planner.plan(root);
  const id = planner.stages.length;
  const output: StageOutput =
    sink.kind === 'write' ? { kind: 'write', path: sink.path, partitionBy: sink.partitionBy } : { kind: 'result' };
  if (sink.kind === 'write') for (const c of sink.partitionBy) resolveColumn(f.schema, c);
  planner.stages.push({ id, source: f.source, ops: f.ops, output, schema: f.schema });
  let stages: readonly Stage[] = planner.stages;
  for (const rule of stageRules(opts.disabledRules)) stages = stages.map(rule);
  return { stages, resultStage: id, schema: f.schema };
}
