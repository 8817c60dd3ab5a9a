/**
 * Logical plan nodes: readonly tagged objects, plain JSON, versioned as a whole document.
 */
import type { Expr } from './expr.js';
import type { FileFormat, TextReadOptions, TextWriteOptions } from './textFormat.js';
import type { Schema } from './types.js';
import type { WindowCall } from './window.js';

export const PLAN_VERSION = 1;

export interface SortKey {
  readonly expr: Expr;
  readonly desc: boolean;
  readonly nullsFirst: boolean;
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'left_semi' | 'left_anti' | 'cross';

export type PlanNode =
  | {
      readonly kind: 'Scan';
      /** A file, a directory or a glob: `s3://bucket/key`, `file:///abs/path`. */
      readonly path: string;
      readonly format: FileFormat;
      /** CSV / NDJSON options (text formats only). */
      readonly text?: TextReadOptions;
      /** Arrow IPC files (format 'arrow'): the schema they were written with. */
      readonly arrowSchema?: Schema;
      /** Columns to read; null = all (set by projection pushdown). */
      readonly columns: readonly string[] | null;
      /** Conjuncts evaluated inside the scan (set by predicate pushdown). */
      readonly filters: readonly Expr[];
      /** Merge the files' schemas by name: missing columns read as nulls, int32 widens to int64. */
      readonly mergeSchema?: boolean;
    }
  | { readonly kind: 'Filter'; readonly input: PlanNode; readonly predicate: Expr }
  | { readonly kind: 'Project'; readonly input: PlanNode; readonly exprs: readonly Expr[] }
  | {
      readonly kind: 'Aggregate';
      readonly input: PlanNode;
      readonly keys: readonly Expr[];
      readonly aggs: readonly Expr[];
    }
  | { readonly kind: 'Sort'; readonly input: PlanNode; readonly keys: readonly SortKey[] }
  | { readonly kind: 'Limit'; readonly input: PlanNode; readonly n: number }
  | {
      readonly kind: 'Join';
      readonly left: PlanNode;
      readonly right: PlanNode;
      readonly type: JoinType;
      readonly on: Expr | null;
      /** Which side to broadcast, if hinted (by the user or the broadcast_selection rule). */
      readonly hint: 'left' | 'right' | null;
    }
  | { readonly kind: 'Distinct'; readonly input: PlanNode; readonly columns: readonly string[] | null }
  | { readonly kind: 'Union'; readonly inputs: readonly PlanNode[]; readonly byName: boolean }
  | { readonly kind: 'Repartition'; readonly input: PlanNode; readonly n: number; readonly keys: readonly Expr[] }
  | { readonly kind: 'Values'; readonly schema: Schema; readonly rows: readonly (readonly unknown[])[] }
  /** Column edits that need the input schema; the analyzer lowers them to Project. */
  | {
      readonly kind: 'WithColumns';
      readonly input: PlanNode;
      readonly columns: readonly { readonly name: string; readonly expr: Expr }[];
    }
  | { readonly kind: 'Rename'; readonly input: PlanNode; readonly from: string; readonly to: string }
  | { readonly kind: 'Drop'; readonly input: PlanNode; readonly names: readonly string[] }
  /** Registered user code over rows (map: one out per row; flatMap: any number) or whole batches. */
  | {
      readonly kind: 'MapRows';
      readonly input: PlanNode;
      readonly name: string;
      readonly mode: 'map' | 'flatMap' | 'batches';
      readonly schema: Schema | null;
    }
  /** A join on column names: each key appears once, first (lowered by the analyzer to a Join). */
  | {
      readonly kind: 'UsingJoin';
      readonly left: PlanNode;
      readonly right: PlanNode;
      readonly keys: readonly string[];
      readonly type: Exclude<JoinType, 'cross'>;
      readonly hint: 'left' | 'right' | null;
    }
  /** Distinct rows of `left` that are (intersect) or are not (except) in `right`. */
  | { readonly kind: 'SetOp'; readonly op: 'intersect' | 'except'; readonly left: PlanNode; readonly right: PlanNode }
  /** Window functions over one partition/order spec: the input's columns, then one per call. */
  | {
      readonly kind: 'Window';
      readonly input: PlanNode;
      readonly partitionBy: readonly Expr[];
      readonly orderBy: readonly SortKey[];
      readonly calls: readonly WindowCall[];
    }
  /** Each input row once per projection, named `names` (Spark's Expand: one copy per grouping set). */
  | {
      readonly kind: 'Expand';
      readonly input: PlanNode;
      readonly projections: readonly (readonly Expr[])[];
      readonly names: readonly string[];
    }
  /** Each row kept with probability `fraction`, drawn from a generator seeded by `seed` and the task (Spark's Bernoulli sample). */
  | { readonly kind: 'Sample'; readonly input: PlanNode; readonly fraction: number; readonly seed: number }
  | {
      readonly kind: 'DropNa';
      readonly input: PlanNode;
      readonly how: 'any' | 'all';
      readonly subset: readonly string[] | null;
    }
  | {
      readonly kind: 'FillNa';
      readonly input: PlanNode;
      readonly value: number | string | boolean;
      readonly subset: readonly string[] | null;
    };

export type PlanKind = PlanNode['kind'];
export type PlanOf<K extends PlanKind> = Extract<PlanNode, { kind: K }>;

/** A job's plan document: what is submitted and stored as `jobs/<id>/plan.json`. */
export interface PlanDocument {
  readonly version: number;
  readonly root: PlanNode;
  /** The action that produced the plan. */
  readonly sink: Sink;
  /** Registered user functions the plan uses, and the bundle that holds their code. */
  readonly udfs?: UdfBundleRef | null;
}

export interface UdfBundleRef {
  readonly names: readonly string[];
  /** Store key of the bundle (an ESM module) and the SHA-256 of its bytes. */
  readonly key: string;
  readonly sha256: string;
}

export type Sink =
  | { readonly kind: 'collect' }
  | { readonly kind: 'count' }
  | {
      readonly kind: 'write';
      readonly path: string;
      readonly format: FileFormat;
      /** CSV / NDJSON writer options (text formats only). */
      readonly text?: TextWriteOptions;
      readonly mode: 'errorIfExists' | 'overwrite' | 'append' | 'ignore';
      readonly partitionBy: readonly string[];
    };

const freeze = <T extends object>(o: T): T => Object.freeze(o);

export const scan = (
  path: string,
  options: { mergeSchema?: boolean; text?: TextReadOptions; arrowSchema?: Schema } = {},
): PlanNode =>
  freeze({
    kind: 'Scan',
    path,
    format: options.arrowSchema ? 'arrow' : (options.text?.format ?? 'parquet'),
    ...(options.text ? { text: options.text } : {}),
    ...(options.arrowSchema ? { arrowSchema: options.arrowSchema } : {}),
    columns: null,
    filters: freeze([]),
    ...(options.mergeSchema ? { mergeSchema: true } : {}),
  });
export const filter = (input: PlanNode, predicate: Expr): PlanNode => freeze({ kind: 'Filter', input, predicate });
export const project = (input: PlanNode, exprs: readonly Expr[]): PlanNode =>
  freeze({ kind: 'Project', input, exprs: freeze([...exprs]) });
export const aggregate = (input: PlanNode, keys: readonly Expr[], aggs: readonly Expr[]): PlanNode =>
  freeze({ kind: 'Aggregate', input, keys: freeze([...keys]), aggs: freeze([...aggs]) });
export const sort = (input: PlanNode, keys: readonly SortKey[]): PlanNode =>
  freeze({ kind: 'Sort', input, keys: freeze([...keys]) });
export const limit = (input: PlanNode, n: number): PlanNode => freeze({ kind: 'Limit', input, n });
export const join = (
  left: PlanNode,
  right: PlanNode,
  type: JoinType,
  on: Expr | null,
  hint: 'left' | 'right' | null = null,
): PlanNode => freeze({ kind: 'Join', left, right, type, on, hint });
export const distinct = (input: PlanNode, columns: readonly string[] | null = null): PlanNode =>
  freeze({ kind: 'Distinct', input, columns });
export const union = (inputs: readonly PlanNode[], byName: boolean): PlanNode =>
  freeze({ kind: 'Union', inputs: freeze([...inputs]), byName });
export const repartition = (input: PlanNode, n: number, keys: readonly Expr[]): PlanNode =>
  freeze({ kind: 'Repartition', input, n, keys: freeze([...keys]) });

export const withColumns = (input: PlanNode, columns: readonly { name: string; expr: Expr }[]): PlanNode =>
  freeze({ kind: 'WithColumns', input, columns: freeze(columns.map((c) => freeze({ ...c }))) });
export const rename = (input: PlanNode, from: string, to: string): PlanNode =>
  freeze({ kind: 'Rename', input, from, to });
export const dropColumns = (input: PlanNode, names: readonly string[]): PlanNode =>
  freeze({ kind: 'Drop', input, names: freeze([...names]) });

export const windowNode = (
  input: PlanNode,
  partitionBy: readonly Expr[],
  orderBy: readonly SortKey[],
  calls: readonly WindowCall[],
): PlanNode =>
  freeze({
    kind: 'Window',
    input,
    partitionBy: freeze([...partitionBy]),
    orderBy: freeze([...orderBy]),
    calls: freeze([...calls]),
  });

export const usingJoin = (
  left: PlanNode,
  right: PlanNode,
  keys: readonly string[],
  type: Exclude<JoinType, 'cross'>,
  hint: 'left' | 'right' | null,
): PlanNode => freeze({ kind: 'UsingJoin', left, right, keys: freeze([...keys]), type, hint });
export const setOp = (op: 'intersect' | 'except', left: PlanNode, right: PlanNode): PlanNode =>
  freeze({ kind: 'SetOp', op, left, right });
export const dropNa = (input: PlanNode, how: 'any' | 'all', subset: readonly string[] | null): PlanNode =>
  freeze({ kind: 'DropNa', input, how, subset });
export const fillNa = (input: PlanNode, value: number | string | boolean, subset: readonly string[] | null): PlanNode =>
  freeze({ kind: 'FillNa', input, value, subset });

/** The fields of a node that hold child plans. */
type ChildField<N> = { [F in keyof N]: N[F] extends PlanNode | readonly PlanNode[] ? F : never }[keyof N];

/** Where each node kind keeps its children, in order: a new kind fails the build until listed. */
const CHILD_FIELDS: { readonly [K in PlanKind]: readonly ChildField<PlanOf<K>>[] } = {
  Scan: [],
  Values: [],
  Filter: ['input'],
  Project: ['input'],
  Aggregate: ['input'],
  Sort: ['input'],
  Limit: ['input'],
  Distinct: ['input'],
  Repartition: ['input'],
  WithColumns: ['input'],
  Rename: ['input'],
  Drop: ['input'],
  MapRows: ['input'],
  DropNa: ['input'],
  FillNa: ['input'],
  Sample: ['input'],
  Expand: ['input'],
  Window: ['input'],
  Join: ['left', 'right'],
  UsingJoin: ['left', 'right'],
  SetOp: ['left', 'right'],
  Union: ['inputs'],
};

type Slots = Record<string, PlanNode | readonly PlanNode[]>;
const fieldsOf = (p: PlanNode) => CHILD_FIELDS[p.kind] as readonly string[];

export function planChildren(p: PlanNode): readonly PlanNode[] {
  return fieldsOf(p).flatMap((f) => (p as unknown as Slots)[f]!);
}

/** The node with its children replaced, in `planChildren` order. */
export function withPlanChildren(p: PlanNode, c: readonly PlanNode[]): PlanNode {
  const fields = fieldsOf(p);
  if (!fields.length) return p;
  const next: Slots = { ...(p as unknown as Slots) };
  let at = 0;
  for (const f of fields) {
    const width = Array.isArray(next[f]) ? (next[f] as readonly PlanNode[]).length : 1;
    next[f] = Array.isArray(next[f]) ? freeze(c.slice(at, at + width)) : c[at]!;
    at += width;
  }
  return freeze(next as unknown as PlanNode);
}

/** Bottom-up rewrite of a plan tree. */
export function transformPlan(p: PlanNode, f: (p: PlanNode) => PlanNode): PlanNode {
  const kids = planChildren(p);
  const next = kids.length
    ? withPlanChildren(
        p,
        kids.map((k) => transformPlan(k, f)),
      )
    : p;
  return f(next);
}

export function collectScans(p: PlanNode, out: PlanOf<'Scan'>[] = []): PlanOf<'Scan'>[] {
  if (p.kind === 'Scan') out.push(p);
  for (const k of planChildren(p)) collectScans(k, out);
  return out;
}

/** Names of the registered user functions a plan uses (row/batch functions, udf and udaf calls). */
export function functionNames(root: PlanNode): string[] {
  const names = new Set<string>();
  const visitExpr = (e: unknown): void => {
    if (!e || typeof e !== 'object') return;
    if (Array.isArray(e)) {
      for (const x of e) visitExpr(x);
      return;
    }
    const o = e as Record<string, unknown>;
    if (o.kind === 'udf' && typeof o.name === 'string') names.add(o.name);
    // A UDAF call (an agg expression, a window expression or a Window node's call).
    const udaf = o.fn === 'udaf' ? (o.options as { udaf?: unknown } | undefined)?.udaf : undefined;
    if (typeof udaf === 'string') names.add(udaf);
    for (const v of Object.values(o)) if (v && typeof v === 'object') visitExpr(v);
  };
  const visit = (p: PlanNode): void => {
    if (p.kind === 'MapRows') names.add(p.name);
    const { ...fields } = p as Record<string, unknown>;
    for (const [k, v] of Object.entries(fields))
      if (k !== 'input' && k !== 'left' && k !== 'right' && k !== 'inputs') visitExpr(v);
    planChildren(p).forEach(visit);
  };
  visit(root);
  return [...names].sort();
}
export const sample = (input: PlanNode, fraction: number, seed: number): PlanNode =>
  freeze({ kind: 'Sample', input, fraction, seed });
export const expand = (
  input: PlanNode,
  projections: readonly (readonly Expr[])[],
  names: readonly string[],
): PlanNode =>
  freeze({
    kind: 'Expand',
    input,
    projections: freeze(projections.map((p) => freeze([...p]))),
    names: freeze([...names]),
  });
