/**
 * Physical planning: an optimized logical plan becomes a stage graph. Stages end at exchanges:
 * aggregation (partial → hash shuffle → final), global order and limit (gather to one
 * partition). Stage ids are assigned in dependency order.
 */
import { schemaOf, type Catalog } from './analyzer.js';
import { resolveColumn } from './columns.js';
import { InternalError, PlanError, SchemaError } from './errors.js';
import { alias, assertNever, col } from './expr.js';
import { checkRuleNames } from './optimizer/index.js';
import { physicalRuleOn, stageRules, type PhysicalRuleName } from './optimizer/physicalRules.js';
import { planAggregate, planDistinct } from './physicalAggregate.js';
import { reuseExchanges } from './optimizer/rules/reuse_exchange.js';
import { planJoin } from './physicalJoin.js';
import { planWindow } from './windowPhysical.js';
import type { RuleContext } from './optimizer/rule.js';
import type { PlanKind, PlanNode, PlanOf, Sink } from './plan.js';
import type { Partitioning, PhysicalOp, Stage, StageOutput, StagePlan, StageSource } from './stages.js';
import type { Schema } from './types.js';
import { isOpaque, unreadableReason, unsupportedType } from './types.js';

/** Largest input (shuffle bytes written by the stages it reads) an adaptive sort sorts in one task. */
export const ADAPTIVE_SORT_BYTES = 8 * 1024 * 1024;

export interface PhysicalOptions {
  /** Width of hash exchanges. */
  readonly shufflePartitions: number;
  /** Largest shuffle output (bytes) an adaptive join broadcasts (default: broadcast_selection's threshold). */
  readonly broadcastThreshold?: number;
  /** Rules switched off by name (optimizer/physicalRules.ts lists the physical ones). */
  readonly disabledRules?: readonly string[];
  /** The datasets' column sizes and ranges, for size estimates (adaptive_broadcast's near-threshold sides). */
  readonly columnBytes?: RuleContext['columnBytes'];
  readonly columnRanges?: RuleContext['columnRanges'];
}

/** A pipeline under construction: a source and the ops so far, not yet closed into a stage. */
export interface Fragment {
  source: StageSource;
  ops: PhysicalOp[];
  schema: Schema;
  /** Whether the rows are spread over many tasks or already in one. */
  single: boolean;
  /**
   * An adaptive join in `ops` (at index `at`): its broadcast form starts from `source` and
   * `before`, then `join`; the stage's later ops follow when the fragment becomes a stage.
   */
  adaptive?: {
    readonly at: number;
    readonly smallStage: number;
    readonly deferredStage: number;
    readonly maxBytes: number;
    readonly source: StageSource;
    readonly before: readonly PhysicalOp[];
    readonly join: PhysicalOp;
  };
  /** A global sort's three stages in this fragment's stage: its one-task form starts from `source` + `before`. */
  sort?: {
    readonly inputStages: readonly number[];
    readonly skipped: readonly number[];
    readonly maxBytes: number;
    readonly source: StageSource;
    readonly before: readonly PhysicalOp[];
  };
}

/** A fragment closed into stage `id` with an output: its adaptive form, if any, completed. */
function stageOf(f: Fragment, id: number, output: StageOutput): Stage {
  const a = f.adaptive;
  const so = f.sort;
  const adaptive: Stage['adaptive'] = a
    ? {
        kind: 'join',
        smallStage: a.smallStage,
        deferredStage: a.deferredStage,
        maxBytes: a.maxBytes,
        source: a.source,
        ops: [...a.before, a.join, ...f.ops.slice(a.at + 1)],
      }
    : so && {
        kind: 'sort',
        inputStages: so.inputStages,
        skipped: so.skipped,
        maxBytes: so.maxBytes,
        source: so.source,
        ops: [...so.before, ...f.ops],
      };
  return { id, source: f.source, ops: f.ops, output, schema: f.schema, ...(adaptive ? { adaptive } : {}) };
}

/** Builds the stage list while the plan is walked; the node handlers below and in physicalAggregate.ts / physicalJoin.ts extend fragments. */
export class Planner {
  readonly stages: Stage[] = [];
  constructor(
    readonly catalog: Catalog,
    readonly opts: PhysicalOptions,
  ) {}

  /** Close a fragment into a stage that ends with an exchange; return a fragment reading it. */
  exchange(f: Fragment, partitioning: Partitioning): Fragment {
    const id = this.stages.length;
    this.stages.push(stageOf(f, id, { kind: 'shuffle', partitioning }));
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
    for (const f of schema) {
      const why = unreadableReason(f.type);
      if (why)
        throw new PlanError(
          'UNREADABLE_TYPE',
          `column '${f.name}' of '${p.path}' has type ${f.type}, which cannot be read: ${why}; drop or do not select it (the file's other columns read fine)`,
          { column: f.name, type: f.type, path: p.path },
        );
    }
    return {
      source: {
        kind: 'scan',
        path: p.path,
        columns: schema.map((f) => f.name),
        filters: p.filters,
        schema,
        ...(p.text ? { text: { options: p.text, fields: schemaOf({ ...p, columns: null }, this.catalog) } } : {}),
        ...(p.format === 'arrow' ? { arrow: true } : {}),
      },
      ops: [],
      schema,
      single: false,
    };
  }

  /** Append an operator that keeps the row layout or sets a new schema. */
  pipe(p: PlanOf<'Filter' | 'Project' | 'MapRows' | 'Sample' | 'Expand'>): Fragment {
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
      case 'Expand':
        f.schema = schemaOf(p, this.catalog);
        f.ops.push({ op: 'Expand', projections: p.projections, schema: f.schema });
        return f;
      case 'Sample':
        f.ops.push({ op: 'Sample', fraction: p.fraction, seed: p.seed, schema: f.schema });
        return f;
      default:
        return assertNever(p);
    }
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
      const input = f;
      // stageOf: an adaptive join in the sampled stage keeps its broadcast form.
      this.stages.push(stageOf(f, id, { kind: 'shuffle', partitioning: { kind: 'roundrobin', n }, sample: p.keys }));
      const sampled: StageSource = { kind: 'shuffle', stages: [id], schema: f.schema };
      f = { source: sampled, ops: [], schema: f.schema, single: false };
      f = this.exchange(f, { kind: 'range', keys: p.keys, n });
      f.single = false;
      this.oneTaskForm(input, f, [id, id + 1]);
      // Over an adaptive join (its two forms cannot be folded into one task): the sampled stage
      // runs, and if it wrote little, one task sorts all of it instead of the range stage.
      if (!f.sort && input.adaptive && this.on('adaptive_sort'))
        f.sort = { inputStages: [id], skipped: [id + 1], maxBytes: ADAPTIVE_SORT_BYTES, source: sampled, before: [] };
    }
    f.ops.push({ op: 'Sort', keys: p.keys, schema: f.schema });
    return f;
  }

  /**
   * adaptive_sort: a sort (or limit) of what earlier stages wrote — their size known at run time —
   * may run as one task over all of it: `input` (the fragment before the exchanges), whose stages
   * `skipped` then never run, then `f`'s operators. Not over a scan, an adaptive join or a per-task sample.
   */
  private oneTaskForm(input: Fragment, f: Fragment, skipped: readonly number[]): void {
    const src = input.source;
    if (
      this.on('adaptive_sort') &&
      src.kind === 'shuffle' &&
      !input.adaptive &&
      !input.sort &&
      !input.ops.some((op) => op.op === 'Sample')
    )
      f.sort = {
        inputStages: src.stages,
        skipped,
        maxBytes: ADAPTIVE_SORT_BYTES,
        source: src,
        before: input.ops,
      };
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
      const input = f;
      f = this.exchange(f, { kind: 'single' });
      f.ops.push(op);
      this.oneTaskForm(input, f, [this.stages.length - 1]);
    }
    return f;
  }

  /** Materialize a fragment as a stage output with the given partitioning; return its stage id. */
  materialize(f: Fragment, partitioning: Partitioning): number {
    this.exchange(f, partitioning);
    return this.stages.length - 1;
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
  Aggregate: planAggregate,
  Join: planJoin,
  Distinct: planDistinct,
  Union: (pl, p) => pl.union(p),
  Repartition: (pl, p) => pl.repartition(p),
  Sort: (pl, p) => pl.sort(p),
  Limit: (pl, p) => pl.limit(p),
  Sample: (pl, p) => pl.pipe(p),
  Expand: (pl, p) => pl.pipe(p),
  Window: planWindow,
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

/** A stage rule applied to a stage's adaptive broadcast form too (it runs as a stage of its own). */
function withAdaptive(rewritten: Stage, original: Stage, rule: (s: Stage) => Stage): Stage {
  const a = original.adaptive;
  if (!a) return rewritten;
  const alt = rule({ id: original.id, source: a.source, ops: a.ops, output: original.output, schema: original.schema });
  return { ...rewritten, adaptive: { ...a, source: alt.source, ops: alt.ops } };
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
    sink.kind === 'write'
      ? {
          kind: 'write',
          path: sink.path,
          partitionBy: sink.partitionBy,
          ...(sink.text ? { text: sink.text } : {}),
          ...(sink.format === 'arrow' ? { arrow: true } : {}),
        }
      : { kind: 'result' };
  if (sink.kind === 'write') {
    // A file has one column per name: a repeated name would lose a column.
    const names = f.schema.map((x) => x.name);
    const repeated = names.find((n, i) => names.indexOf(n) !== i);
    if (repeated !== undefined)
      throw new SchemaError(
        'DUPLICATE_OUTPUT_COLUMN',
        `cannot write two columns named '${repeated}' to '${sink.path}'; rename one (alias or withColumnRenamed)`,
        { column: repeated, path: sink.path },
      );
  }
  if (sink.kind === 'write')
    for (const c of sink.partitionBy) {
      const t = resolveColumn(f.schema, c).field.type;
      // A partition value becomes a directory name: only types with a plain text form.
      if (isOpaque(t) || t === 'binary') throw unsupportedType(c, t, 'partitionBy');
    }
  if (sink.kind === 'write' && sink.text)
    for (const c of f.schema)
      if (isOpaque(c.type) || c.type === 'binary') throw unsupportedType(c.name, c.type, `the ${sink.format} writer`);
  planner.stages.push(stageOf(f, id, output));
  let stages: readonly Stage[] = planner.stages;
  for (const rule of stageRules(opts.disabledRules)) stages = stages.map((st) => withAdaptive(rule(st), st, rule));
  if (planner.on('reuse_exchange')) return { ...reuseExchanges(stages, id), schema: f.schema };
  return { stages, resultStage: id, schema: f.schema };
}
