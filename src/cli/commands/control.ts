/**
 * Following and steering jobs from any process: `status`, `wait`, `logs`, `cancel`, `resume`,
 * `list`, `gc`. All read the job's record in the store (jobs.ts); on AWS, its execution too.
 */
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { progressSink } from '../../runtime/progress.js';
import { resumeJob } from '../../runtime/resume.js';
import { readRunnerLog } from '../background.js';
import type { CliContext } from '../context.js';
import { cancelJob, clearCancel, FINAL, jobStatus, listJobs, waitForJob } from '../jobs.js';
import { EXIT, exitFor, statusLine } from '../output.js';
import { startJob } from './submit.js';

export async function statusCommand(ctx: CliContext, jobId: string): Promise<number> {
  const s = await jobStatus(await ctx.store(), jobId, await ctx.awsRunner());
  ctx.io.out(ctx.json ? JSON.stringify(s) : statusLine(s));
  return EXIT.ok;
}

export async function listCommand(ctx: CliContext): Promise<number> {
  const jobs = await listJobs(await ctx.store(), await ctx.awsRunner());
  if (ctx.json) ctx.io.out(JSON.stringify(jobs));
  else ctx.io.out(jobs.length ? jobs.map(statusLine).join('\n') : `no jobs in ${await ctx.storeUrl()}`);
  return EXIT.ok;
}

/** Wait for a job to end, with a live progress line on stderr; the exit code tells how it ended. */
export async function waitCommand(ctx: CliContext, jobId: string, opts: { timeout?: number }): Promise<number> {
  const bar = !ctx.json && ctx.io.stderr ? progressSink(ctx.io.stderr, `job ${jobId}`) : undefined;
  const s = await waitForJob(await ctx.store(), jobId, {
    ...(opts.timeout !== undefined ? { timeoutMs: opts.timeout * 1000 } : {}),
    pollMs: ctx.aws ? 2000 : 250,
    onProgress: (st) => bar?.update(st.progress),
    ...((await ctx.awsRunner()) ? { aws: await ctx.awsRunner() } : {}),
  });
  bar?.done(s.status);
  ctx.io.out(ctx.json ? JSON.stringify(s) : statusLine(s));
  if (!FINAL.has(s.status) && s.status !== 'running' && s.status !== 'submitted') return EXIT.failed; // abandoned
  return exitFor(s.status);
}

/** The job's log: its local runner's output, or its execution's history on AWS. */
export async function logsCommand(ctx: CliContext, jobId: string): Promise<number> {
  const store = await ctx.store();
  await jobStatus(store, jobId); // JOB_NOT_FOUND first
  const aws = await ctx.awsRunner();
  if (!aws) {
    const text = readRunnerLog(await ctx.storeUrl(), jobId);
    if (ctx.json) ctx.io.out(JSON.stringify({ jobId, log: text ?? null }));
    else ctx.io.out(text ?? `job ${jobId} has no runner log (it ran in the process that submitted it)`);
    return EXIT.ok;
  }
  const record = await aws.readExecution({ jobId, store: await ctx.storeRef() });
  if (!record) {
    ctx.io.out(ctx.json ? JSON.stringify({ jobId, events: [] }) : `job ${jobId} has no execution yet`);
    return EXIT.ok;
  }
  const sfn = ctx.clients.sfn ?? new SFNClient(ctx.config.region ? { region: ctx.config.region } : {});
  const res = await sfn.send(new GetExecutionHistoryCommand({ executionArn: record.executionArn, maxResults: 1000 }));
  const events = (res.events ?? []).map((e) => ({
    at: e.timestamp?.toISOString(),
    type: e.type,
    state: e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name,
    error:
      e.executionFailedEventDetails?.error ??
      e.taskFailedEventDetails?.error ??
      e.lambdaFunctionFailedEventDetails?.error,
  }));
  if (ctx.json) ctx.io.out(JSON.stringify({ jobId, executionArn: record.executionArn, events }));
  else
    ctx.io.out(
      events.map((e) => `${e.at}  ${e.type}${e.state ? ` ${e.state}` : ''}${e.error ? ` ${e.error}` : ''}`).join('\n'),
    );
  return EXIT.ok;
}

/** Stop a job and mark it cancelled (it can be resumed). */
export async function cancelCommand(ctx: CliContext, jobId: string, opts: { reason?: string }): Promise<number> {
  const store = await ctx.store();
  const aws = await ctx.awsRunner();
  const before = await jobStatus(store, jobId, aws);
  if (FINAL.has(before.status)) {
    ctx.io.err(`stratus: job ${jobId} already ${before.status}; nothing to cancel`);
    ctx.io.out(ctx.json ? JSON.stringify(before) : statusLine(before));
    return before.status === 'cancelled' ? EXIT.ok : EXIT.failed;
  }
  const s = await cancelJob(store, jobId, opts.reason ?? 'cancelled with stratus cancel', aws, await ctx.storeRef());
  ctx.io.out(ctx.json ? JSON.stringify(s) : statusLine(s));
  return s.status === 'cancelled' ? EXIT.ok : exitFor(s.status);
}

/** Resume a failed, cancelled or abandoned job from its last completed stage, in the background. */
export async function resumeCommand(ctx: CliContext, jobId: string, opts: { wait?: boolean }): Promise<number> {
  const store = await ctx.store();
  await jobStatus(store, jobId); // JOB_NOT_FOUND first
  await clearCancel(store, jobId);
  const { keptStages } = await resumeJob(store, jobId);
  const started = await startJob(ctx, jobId);
  if (!opts.wait) {
    ctx.io.out(
      ctx.json ? JSON.stringify({ jobId, keptStages, ...started }) : `${jobId} resumed (${keptStages} stages kept)`,
    );
    return EXIT.ok;
  }
  return waitCommand(ctx, jobId, {});
}

/** Remove stale jobs (finished, failed or abandoned past the retention; never a running one). */
export async function gcCommand(ctx: CliContext, opts: { retentionHours?: number }): Promise<number> {
  const s = await ctx.session({ progress: false });
  const report = await s
    .gc(opts.retentionHours !== undefined ? { retentionMs: opts.retentionHours * 3600_000 } : {})
    .finally(() => s.stop());
  if (ctx.json) ctx.io.out(JSON.stringify(report));
  else {
    for (const r of report.removed) ctx.io.out(`removed ${r.jobId} (${r.status})`);
    for (const id of report.sessions.removed) ctx.io.out(`removed session ${id} (cached results)`);
    ctx.io.out(
      `${report.removed.length} removed, ${report.kept.length} kept` +
        (report.sessions.removed.length ? `; ${report.sessions.removed.length} session caches removed` : ''),
    );
  }
  return EXIT.ok;
}
