/**
 * The session's cache: `df.cache()` / `df.persist(level)` mark a plan; the first job that needs it
 * materializes its result once in the session's area of the store (`sessions/<id>/cache/<n>`),
 * and every later job of the session reads that copy in place of the plan. `unpersist()` and
 * `session.stop()` drop it. Before its first copy is written the session takes a lease on its
 * area (`sessions/<id>/lease.json`, lease.ts) and renews it while the process lives: a process
 * that dies leaves an expired lease, and `gc` removes the area once the retention has passed.
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
import { holdLease } from '../runtime/lease.js';
import { sessionKeys } from '../runtime/jobState.js';
import type { ObjectStore, StoreRef } from '../storage/store.js';
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
  /** Its key in the job store. */
  readonly key: string;
  /** Set once the copy is committed; the promise while it is being written. */
  ready: boolean;
  /** The result's schema: the copy stores its columns as c0, c1, … (names may repeat). */
  schema?: Schema;
  writing?: Promise<void>;
}

/** A cached relation not materialized yet (`SessionCache.pending`). */
export interface PendingCache {
  readonly plan: PlanNode;
  readonly level: StorageLevel;
  /** Where the first job that needs it will write it. */
  readonly path: string;
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
  private lease: Promise<{ release(): Promise<void> }> | undefined;
  private readonly keys: ReturnType<typeof sessionKeys>;

  constructor(
    private readonly storeRef: StoreRef,
    /** The job store (`storeRef`), which holds the session's area. */
    private readonly store: ObjectStore,
    sessionId: string,
    /** Lease of the session's area (ms; renewed every third of it). */
    private readonly leaseMs?: number,
  ) {
    this.keys = sessionKeys(sessionId);
  }

  /** Mark a plan to be kept once computed (idempotent; a second level for the same plan is ignored, as in Spark). */
  persist(plan: PlanNode, level: StorageLevel): void {
    const key = JSON.stringify(plan);
    if (this.entries.has(key)) return;
    const at = `${this.keys.cache}/${++this.next}`;
    this.entries.set(key, { level, path: urlOf(this.storeRef, at), key: at, ready: false });
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

  /**
   * The cached subtrees of `root` whose copies are not written yet, outermost first (one inside
   * another is listed too; one inside a written copy is not): what `explain()` shows as pending.
   */
  pending(root: PlanNode): PendingCache[] {
    if (!this.entries.size) return [];
    const e = this.entries.get(JSON.stringify(root));
    if (e?.ready) return [];
    const inner = planChildren(root).flatMap((k) => this.pending(k));
    return e ? [{ plan: root, level: e.level, path: e.path }, ...inner] : inner;
  }

  private materialize(plan: PlanNode, e: Entry, write: CacheWriter): Promise<void> {
    e.writing ??= (async () => {
      // The area is leased before anything is written in it, so `gc` never takes a live copy.
      this.lease ??= holdLease(this.store, this.keys.lease, this.leaseMs).catch((err: unknown) => {
        this.lease = undefined;
        throw err;
      });
      await this.lease;
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
      await this.store.deleteTree(e.key);
    })()
      .catch(() => undefined)
      .finally(() => this.drops.delete(p));
    this.drops.add(p);
  }

  /**
   * Drop every copy, wait for the deletions, and let go of the area (session.stop()). Should a
   * deletion fail, the released lease leaves what remains to `gc`.
   */
  async close(): Promise<void> {
    for (const e of this.entries.values()) this.drop(e);
    this.entries.clear();
    await Promise.all([...this.drops]);
    const lease = this.lease;
    this.lease = undefined;
    const held = await lease?.catch(() => undefined);
    if (!held) return;
    await held.release();
    await this.store.deleteTree(this.keys.base).catch(() => undefined);
  }
}
