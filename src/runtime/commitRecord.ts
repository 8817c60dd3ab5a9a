/**
 * The pieces every part of a write commit shares (commit.ts has the protocol): the record a
 * commit stores at `<path>/_stratus/commits/<job>.json`, where a destination keeps that record,
 * `_SUCCESS` and the staged files, and the enumerated steps with the fault-injection hooks run
 * after each.
 */
import type { Sink } from '../../planner/plan.js';
import type { ObjectStore, StoreRef } from '../storage/store.js';
import { locate, type Location } from '../storage/url.js';
import { mapLimit } from '../util/limit.js';
import { COMMITS_DIR, under, type RetiredFile, type SnapshotFile } from './datasetLog.js';
import type { RuntimeEnv } from './env.js';

export type WriteSink = Extract<Sink, { kind: 'write' }>;

/**
 * The steps of a commit, in order; `copy:<i>` repeats once per new file. The fault-injection
 * suite crashes after each of them (commitHooks).
 */
export const COMMIT_STEPS = ['adopt', 'intent', 'unmark', 'copy:<i>', 'flip', 'remove', 'mark', 'cleanup', 'done'];

/**
 * Test hooks (await-ed): `afterStep` after every step of every commit in this process;
 * `beforeIntent` when a commit has chosen the version it will create, before its record exists
 * (two writers held there race for the same version at `flip`).
 */
export const commitHooks: {
  afterStep?: (step: string, path: string) => void | Promise<void>;
  beforeIntent?: (jobId: string, path: string, version: number) => void | Promise<void>;
} = {};

/**
 * Thrown by a fault-injection hook to stop a commit as a killed process would: the driver lets
 * it through untouched, and its name ends the state machine execution at once, with no retry.
 */
export class SimulatedCrash extends Error {
  constructor(step: string) {
    super(`simulated crash after commit step '${step}'`);
    this.name = 'States.Runtime';
  }
}

/** A commit in progress, as stored at `<path>/_stratus/commits/<job>.json`. */
export interface CommitRecord {
  readonly format: 'stratus-commit/1';
  readonly jobId: string;
  readonly owner: string;
  readonly leaseUntil: number;
  readonly mode: WriteSink['mode'];
  /** The version this commit started from, and the one it creates. */
  readonly base: number;
  readonly version: number;
  /** This commit created the base (version 0) for a directory that had no log. */
  readonly adopted: boolean;
  /** `_SUCCESS` was there before (restored on roll-back). */
  readonly hadSuccess: boolean;
  /** New files: staged key and final key (both relative to the dataset root). */
  readonly files: readonly (SnapshotFile & { readonly staged: string; readonly rows: number })[];
  /** Retired files the new version lists: the base's still held, and those it drops now (swept after the flip). */
  readonly retired: readonly RetiredFile[];
}

export interface CommitResult {
  readonly files: number;
  readonly rows: number;
  /** The dataset version written (undefined when `ignore` found the path taken). */
  readonly version?: number;
}

export interface Dest {
  readonly store: ObjectStore;
  readonly root: string;
  readonly url: string;
  /** The job store: its `datasets/` lists the destinations with retired files, for gc. */
  readonly jobs: ObjectStore;
}

export function destination(path: string, env: RuntimeEnv, storeRef: StoreRef): Dest {
  const loc = locate(path, storeRef);
  return { store: env.store(loc.ref), root: loc.key, url: path, jobs: env.store(storeRef) };
}

/** Where a job stages its files, relative to the dataset root. */
export const stagingDir = (jobId: string) => `_temporary/${jobId}`;
export const recordKey = (d: Dest, jobId: string) => under(d.root, `${COMMITS_DIR}/${jobId}.json`);
export const successKey = (d: Dest) => under(d.root, '_SUCCESS');
export const step = async (d: Dest, name: string) => commitHooks.afterStep?.(name, d.url);

/** The key a task stages a file at: `<root>/_temporary/<job>/<relative>`. */
export function stagedKey(path: string, jobId: string, relative: string, storeRef: StoreRef): Location {
  const loc = locate(path, storeRef);
  return { ref: loc.ref, key: under(loc.key, `${stagingDir(jobId)}/${relative}`) };
}

/** Delete `keys` in batches of 1000, four batches at a time. */
export async function deleteKeys(d: Dest, keys: readonly string[]): Promise<void> {
  await mapLimit(chunks(keys), 4, (batch) => d.store.delete(batch));
}

function chunks<T>(xs: readonly T[], n = 1000): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
}
