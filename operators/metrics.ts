/**
 * Per-task timing counters (milliseconds by phase: decode, shuffleWrite, shuffleRead, write, and
 * checksum — shuffle checksums, also counted in shuffleWrite/shuffleRead).
 * Tasks of a group may run concurrently, so each task's counters live in its own async context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type Phase = 'decode' | 'shuffleWrite' | 'shuffleRead' | 'write' | 'checksum';
type Counters = Record<Phase, number>;

const context = new AsyncLocalStorage<Counters>();
const fresh = (): Counters => ({ decode: 0, shuffleWrite: 0, shuffleRead: 0, write: 0, checksum: 0 });

/** Run `f` with its own counters; returns its result and the counters. */
export async function withMetrics<T>(
  f: () => Promise<T>,
): Promise<{ result: T; phases: Counters } | { error: unknown; phases: Counters }> {
  const counters = fresh();
  try {
    return { result: await context.run(counters, f), phases: counters };
  } catch (error) {
    return { error, phases: counters };
  }
}

export function addTime(phase: Phase, ms: number): void {
  const c = context.getStore();
  if (c) c[phase] += ms;
}

export async function timed<T>(phase: Phase, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    addTime(phase, performance.now() - t0);
  }
}
