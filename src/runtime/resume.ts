/**
 * Resuming a job from its last completed stage: a failed job, or a "running" one whose runner
 * died (its lease expired, lease.ts). Completed stages (and finished tasks) are kept;
 * everything else goes back to pending with fresh failure counts. A kept map output that has
 * been lost since is recomputed from lineage when a task reads it. A job that failed while
 * planning plans again. A failed write job's staged files were removed when it failed, so its
 * write stage runs again; a job that died inside its commit keeps them, and its next driver
 * step settles the commit (commit.ts).
 */
import { PlanError } from '../../planner/errors.js';
import type { StagePlan } from '../../planner/stages.js';
import { getJson, putJson, type ObjectStore } from '../storage/store.js';
import { jobKeys, type JobState, type JobSubmission } from './jobState.js';
import { isLive, readJobLease } from './lease.js';

export async function resumeJob(store: ObjectStore, jobId: string): Promise<{ keptStages: number }> {
  const keys = jobKeys(jobId);
  if (!(await store.head(keys.state)))
    throw new PlanError('NOT_RESUMABLE', `job ${jobId} has no state in ${store.url}; nothing to resume`, { jobId });
  const state = await getJson<JobState>(store, keys.state);
  if (state.status === 'succeeded')
    throw new PlanError('NOT_RESUMABLE', `job ${jobId} succeeded; only a failed or abandoned job can be resumed`, {
      jobId,
      status: state.status,
    });
  if (state.status === 'running') {
    const lease = await readJobLease(store, jobId);
    if (isLive(lease))
      throw new PlanError(
        'NOT_RESUMABLE',
        `job ${jobId} is running (${lease!.owner} holds its lease until ${new Date(lease!.until).toISOString()}); resume it once that process has stopped`,
        { jobId, status: state.status, owner: lease!.owner, until: lease!.until },
      );
  }
  if (!state.stages.length) {
    await store.delete([keys.state]);
    return { keptStages: 0 };
  }
  if (state.status === 'failed') {
    const sub = await getJson<JobSubmission>(store, keys.job);
    if (sub.plan.sink.kind === 'write') {
      const plan = await getJson<StagePlan>(store, keys.stages);
      const write = state.stages[plan.resultStage]!;
      if (write.status === 'done') write.status = 'running';
      for (const t of write.tasks) {
        t.status = 'pending';
        delete t.output;
      }
    }
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
