/**
 * Progress that moves during a long stage. An executor invocation writes a small record of its
 * group's tasks done (`jobs/<id>/progress/<round>/<group>.json`), throttled to one write per
 * `progressMillis` (the last update of a burst is written when the interval ends). Runners and
 * `stratus status` add the running round's records to the job state's counts, which the driver
 * updates only between rounds. Off unless the job sets `progressMillis`.
 */
import { getJson, type ObjectStore, putJson } from '../storage/store.js';
import { jobKeys, type JobState } from './jobState.js';
import { jobProgress } from './progress.js';
import type { Progress } from './protocol.js';

export interface GroupProgressRecord {
  readonly done: number;
  readonly total: number;
  readonly at: number;
}

export interface GroupHeartbeat {
  /** Tasks of the group finished so far. */
  update(done: number): void;
  /** Stop: no write after this resolves. */
  stop(): Promise<void>;
}

const OFF: GroupHeartbeat = { update() {}, stop: async () => {} };

/** The executor side: a throttled record of one invocation's progress (a no-op without `everyMs`). */
export function groupHeartbeat(
  store: ObjectStore,
  at: { jobId: string; round: number; group: number; total: number },
  everyMs: number | undefined,
): GroupHeartbeat {
  if (!everyMs || everyMs <= 0) return OFF;
  const key = jobKeys(at.jobId).progress(at.round, at.group);
  let last = 0;
  let pending: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let stopped = false;
  const write = (done: number) => {
    last = Date.now();
    pending = undefined;
    const record: GroupProgressRecord = { done, total: at.total, at: last };
    inFlight = inFlight.then(() => (stopped ? undefined : putJson(store, key, record).catch(() => undefined)));
  };
  return {
    update(done) {
      if (stopped) return;
      const wait = last + everyMs - Date.now();
      if (wait <= 0) return write(done);
      pending = done;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (pending !== undefined && !stopped) write(pending);
      }, wait);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
    },
  };
}

/** The job's progress from its state, with the tasks its running round's executors have finished since. */
export async function liveProgress(store: ObjectStore, state: JobState): Promise<Progress> {
  const base = jobProgress(state);
  if (state.status !== 'running' || state.appliedRound >= state.round) return base;
  const records = await store.list(`${jobKeys(state.jobId).base}/progress/${state.round}/`).catch(() => []);
  let extra = 0;
  for (const o of records) {
    const r = await getJson<GroupProgressRecord>(store, o.key).catch(() => undefined);
    extra += r?.done ?? 0;
  }
  return { ...base, tasksDone: Math.min(base.tasksTotal, base.tasksDone + extra) };
}
