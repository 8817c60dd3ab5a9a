/**
 * A task thread: runs tasks for its executor on another core (worker_threads). Each thread
 * holds its own stores, caches and loaded bundles; it reports each task's output or error,
 * its time by phase and its store requests.
 */
import { parentPort } from 'node:worker_threads';
import type { StagePlan } from '../../planner/stages.js';
import { withMetrics } from '../../operators/metrics.js';
import { diffStats } from '../storage/store.js';
import { allStoreStats, defaultEnv } from './env.js';
import { withInvocationContext } from './instance.js';
import type { ExecutorEvent, TaskSpec } from './protocol.js';
import { runTask } from './task.js';
import { failureData, maskInLogs } from './failures.js';

export interface ThreadTask {
  readonly id: number;
  readonly plan: StagePlan;
  readonly task: TaskSpec;
  readonly event: ExecutorEvent;
  readonly deadline: number;
  readonly scratch: string;
  readonly parameters: [string, string][];
}

parentPort!.on('message', async (m: ThreadTask) => {
  const env = defaultEnv(() => m.deadline - Date.now());
  maskInLogs(m.parameters.map(([, v]) => v));
  const before = allStoreStats();
  const run = await withInvocationContext({ dir: m.scratch, parameters: new Map(m.parameters) }, () =>
    withMetrics(() => runTask(m.plan, m.task, m.event, env, env.store(m.event.job.store))),
  );
  const stats = { ...diffStats(allStoreStats(), before) };
  if ('result' in run) parentPort!.postMessage({ id: m.id, ok: true, output: run.result, phases: run.phases, stats });
  else parentPort!.postMessage({ id: m.id, ok: false, error: failureData(run.error), phases: run.phases, stats });
});
