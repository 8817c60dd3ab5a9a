/**
 * Resuming a failed job from its last completed stage: completed stages (and finished tasks)
 * are kept; everything else goes back to pending with fresh failure counts. A kept map output
 * that has been lost since is recomputed from lineage when a task reads it. A job that failed
 * while planning plans again.
 */
import { PlanError } from '../../planner/errors.js';
import { getJson, putJson, type ObjectStore } from '../storage/store.js';
import { jobKeys, type JobState } from './jobState.js';

export async function resumeJob(store: ObjectStore, jobId: string): Promise<{ keptStages: number }> {
  const keys = jobKeys(jobId);
  if (!(await store.head(keys.state)))
    throw new PlanError('NOT_RESUMABLE', `job ${jobId} has no state in ${store.url}; nothing to resume`, { jobId });
  const state = await getJson<JobState>(store, keys.state);
  if (state.status !== 'failed')
    throw new PlanError('NOT_RESUMABLE', `job ${jobId} is ${state.status}; only a failed job can be resumed`, {
      jobId,
      status: state.status,
    });
  if (!state.stages.length) {
    await store.delete([keys.state]);
    return { keptStages: 0 };
  }
  state.status = 'running';
  delete state.error;
  delete state.lastOutput;
  delete state.lastAction;
  state.appliedRound = state.round; // results of the failed run are stale
  for (const s of state.stages) {
    // A kept output that has been lost since is recomputed when read, with a fresh budget.
    for (const t of s.tasks) delete t.recomputes;
    if (s.status === 'done') continue;
    for (const t of s.tasks) {
      if (t.status === 'done') continue;
      t.status = 'pending';
      t.failures = 0;
      delete t.lastError;
    }
  }
  await putJson(store, keys.state, state);
  return { keptStages: state.stages.filter((s) => s.status === 'done').length };
}
