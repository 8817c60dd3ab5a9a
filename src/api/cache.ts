/**
 * The session's cache: `df.cache()` / `df.persist(level)` mark a plan; the first job that needs it
 * materializes its result once in the session's area of the store (`sessions/<id>/cache/<n>`),
 * and every later job of the session reads that copy in place of the plan. `unpersist()` and
 * `session.stop()` drop it.
 *
 * The copy is Arrow IPC files written by the engine's own write path (format 'arrow'), one per
 * task of the plan's last stage, committed through the dataset log: a crash mid-write leaves
 * nothing a reader would take for a cache (old or new, never neither), and types stay exact. The
 * reading side is the ordinary scan with format 'arrow' (ArrowScan in explain; one task per file)
 * over the local store or S3 alike. A cached relation is marked only in the session, never in
 * the stored plan: jobs see a Scan of the cache directory.
 */
import { PlanError } from '../../planner/errors.js';
import { alias, col } from '../../planner/expr.js';
import type { Schema } from '../../planner/types.js';
import { type PlanNode, planChildren, project, scan, type Sink, withPlanChildren } from '../../planner/plan.js';
import type { StoreRef } from '../storage/store.js';
import { urlOf } from '../storage/url.js';

/**
 * Spark's storage levels. Every level means the same here — "keep the result in the store" —
 * since executors are stateless (Lambdas): there is no executor memory to keep it in.
 */
export const STORAGE_LEVELS = [
  'MEMORY_ONLY',
  'MEMORY_AND_DISK',
  'DISK_ONLY',
  'MEMORY_ONLY_SER',
  'MEMORY_AND_DISK_SER',
  'MEMORY_ONLY_2',
  'MEMORY_AND_DISK_2',
  'DISK_ONLY_2',
  'DISK_ONLY_3',
  'MEMORY_ONLY_SER_2',
  'MEMORY_AND_DISK_SER_2',
  'OFF_HEAP',
] as const;
export type StorageLevel = (typeof STORAGE_LEVELS)[number];

/** `StorageLevel.MEMORY_AND_DISK` etc., as Spark's constants. */
export const StorageLevel = Object.freeze(
  Object.fromEntries(STORAGE_LEVELS.map((l) => [l, l])) as { readonly [L in StorageLevel]: L },
);

/** The level `cache()` uses, as Spark's Dataset.cache(). */
export const DEFAULT_STORAGE_LEVEL: StorageLevel = 'MEMORY_AND_DISK';

export function checkStorageLevel(level: unknown): StorageLevel {
  const name = typeof level === 'string' ? level.toUpperCase() : level;
  if (!STORAGE_LEVELS.includes(name as StorageLevel))
    throw new PlanError(
      'BAD_STORAGE_LEVEL',
      `unknown storage level ${JSON.stringify(level)}; use one of ${STORAGE_LEVELS.join(', ')} (all keep the result in the store)`,
      { storageLevel: String(level) },
    );
  return name as StorageLevel;
}

interface Entry {
  readonly level: StorageLevel;
  /** Data URL of the materialized copy. */
  readonly path: string;
  /** Set once the copy is committed; the promise while it is being written. */
  ready: boolean;
  /** The result's schema: the copy stores its columns as c0, c1, … (names may repeat). */
  schema?: Schema;
  writing?: Promise<void>;
}

/** Runs a write job for the cache (the session's one submission path), and names a plan's columns. */
export interface CacheWriter {
  write(root: PlanNode, sink: Extract<Sink, { kind: 'write' }>): Promise<unknown>;
  schema(root: PlanNode): Promise<Schema>;
}

export class SessionCache {
  private readonly entries = new Map<string, Entry>();
  private readonly drops = new Set<Promise<void>>();
  private next = 0;

  constructor(
    private readonly storeRef: StoreRef,
    /** This session's area of the store. */
    private readonly area: string,
    private readonly deleteTree: (url: string) => Promise<void>,
  ) {}

  /** Mark a plan to be kept once computed (idempotent; a second level for the same plan is ignored, as in Spark). */
  persist(plan: PlanNode, level: StorageLevel): void {
    const key = JSON.stringify(plan);
    if (this.entries.has(key)) return;
    const path = urlOf(this.storeRef, `${this.area}/cache/${++this.next}`);
    this.entries.set(key, { level, path, ready: false });
  }

  /** Forget a plan's copy and delete it (in the background; `close()` waits). */
  unpersist(plan: PlanNode): void {
    const key = JSON.stringify(plan);
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    this.drop(e);
  }

  /** The level a plan is kept at, or 'NONE'. */
  level(plan: PlanNode): StorageLevel | 'NONE' {
    return this.entries.get(JSON.stringify(plan))?.level ?? 'NONE';
  }

  /**
   * The plan with every cached subtree replaced by a Scan of its copy, outermost first. With
   * `write` (jobs), copies not yet written are written first; without (explain, schema), they are
   * left as plans.
   */
  async substitute(root: PlanNode, write: CacheWriter | null): Promise<PlanNode> {
    if (!this.entries.size) return root;
    const e = this.entries.get(JSON.stringify(root));
    if (e && (e.ready || write)) {
      if (!e.ready) await this.materialize(root, e, write!);
      const stored = e.schema!.map((f, i) => ({ ...f, name: `c${i}` }));
      return project(
        scan(e.path, { arrowSchema: stored }),
        e.schema!.map((f, i) => alias(col(`c${i}`), f.name)),
      );
    }
    const kids = planChildren(root);
    if (!kids.length) return root;
    const next = await Promise.all(kids.map((k) => this.substitute(k, write)));
    return next.every((k, i) => k === kids[i]) ? root : withPlanChildren(root, next);
  }

  private materialize(plan: PlanNode, e: Entry, write: CacheWriter): Promise<void> {
    e.writing ??= (async () => {
      // Cached plans inside this one are read from their copies too.
      const kids = planChildren(plan);
      const inner = kids.length
        ? withPlanChildren(plan, await Promise.all(kids.map((k) => this.substitute(k, write))))
        : plan;
      const schema = await write.schema(inner);
      const stored = project(
        inner,
        schema.map((f, i) => alias(col(f.name, i), `c${i}`)),
      );
      await write.write(stored, { kind: 'write', path: e.path, format: 'arrow', mode: 'overwrite', partitionBy: [] });
      e.schema = schema;
      e.ready = true;
    })().finally(() => {
      e.writing = undefined;
    });
    return e.writing;
  }

  private drop(e: Entry): void {
    const p = (async () => {
      await e.writing?.catch(() => undefined);
      await this.deleteTree(e.path);
    })()
      .catch(() => undefined)
      .finally(() => this.drops.delete(p));
    this.drops.add(p);
  }

  /** Drop every copy and wait for the deletions (session.stop()). */
  async close(): Promise<void> {
    for (const e of this.entries.values()) this.drop(e);
    this.entries.clear();
    await Promise.all([...this.drops]);
  }
}
