/**
 * `stratus run`, `explain` and `submit`: a job file loaded against a session of the configured
 * target, then the session's own paths — `enqueue` (the one submission path) and `runStored`
 * (the one way a stored job runs), `plan` for explain (the driver's planning function).
 */
import { explainText } from '../../api/verbs/explain.js';
import { formatTable } from '../../api/show.js';
import { toJSONRows } from '../../api/jsonRows.js';
import { consoleLink } from '../aws.js';
import { startRunner } from '../background.js';
import type { CliContext } from '../context.js';
import { loadJob } from '../jobFile.js';
import { EXIT } from '../output.js';

export async function runCommand(ctx: CliContext, file: string, opts: { limit: number }): Promise<number> {
  const s = await ctx.session();
  try {
    const job = await loadJob(file, s, ctx.cwd);
    const jobId = await s.enqueue(job.frame.plan, job.sink, { progressMillis: progressMillis(ctx), ...job.options });
    if (jobId === null) {
      ctx.io.out(
        ctx.json
          ? JSON.stringify({ status: 'skipped', reason: 'output exists (mode ignore)' })
          : 'nothing to run: the output exists (mode ignore)',
      );
      return EXIT.ok;
    }
    const { table, manifest } = await s.runStored(jobId, { label: 'run' });
    if (ctx.json) {
      const rows = job.sink.kind === 'collect' ? toJSONRows(table.slice(0, opts.limit)) : undefined;
      ctx.io.out(
        JSON.stringify({ jobId, status: 'succeeded', rows: manifest.rows, files: manifest.files, result: rows }),
      );
    } else if (job.sink.kind === 'write') {
      ctx.io.out(`job ${jobId}: wrote ${manifest.rows} rows in ${manifest.files ?? 0} files to ${job.sink.path}`);
    } else {
      ctx.io.out(formatTable(table.slice(0, opts.limit), s.timeZone));
      ctx.io.out(
        `job ${jobId}: ${manifest.rows} rows${manifest.rows > opts.limit ? ` (first ${opts.limit} shown)` : ''}`,
      );
    }
    return EXIT.ok;
  } finally {
    await s.stop();
  }
}

export async function explainCommand(ctx: CliContext, file: string): Promise<number> {
  const s = await ctx.session({ progress: false });
  try {
    const job = await loadJob(file, s, ctx.cwd);
    const text = explainText(await s.plan(job.frame.plan, job.sink, job.options), s.pendingCaches(job.frame.plan));
    ctx.io.out(ctx.json ? JSON.stringify({ file: job.file, explain: text }) : text);
    return EXIT.ok;
  } finally {
    await s.stop();
  }
}

/** Store the job and start it — a detached local runner, or an execution on AWS — and return at once. */
export async function submitCommand(ctx: CliContext, file: string): Promise<number> {
  const s = await ctx.session({ progress: false });
  try {
    const job = await loadJob(file, s, ctx.cwd);
    const jobId = await s.enqueue(job.frame.plan, job.sink, { progressMillis: progressMillis(ctx), ...job.options });
    if (jobId === null) {
      ctx.io.out(ctx.json ? JSON.stringify({ status: 'skipped' }) : 'nothing to run: the output exists (mode ignore)');
      return EXIT.ok;
    }
    const started = await startJob(ctx, jobId);
    if (ctx.json) ctx.io.out(JSON.stringify({ jobId, store: await ctx.storeUrl(), ...started }));
    else {
      ctx.io.out(jobId);
      if (started.executionArn) ctx.io.out(`execution ${started.executionArn}\n${started.console}`);
      else ctx.io.out(`running locally (pid ${started.pid}); follow it with: stratus wait ${jobId}`);
    }
    return EXIT.ok;
  } finally {
    await s.stop();
  }
}

/** Start a stored (or resumed) job: an execution of the deployed machine, or a local runner process. */
export async function startJob(
  ctx: CliContext,
  jobId: string,
): Promise<{ executionArn?: string; console?: string; pid?: number }> {
  const aws = await ctx.awsRunner();
  if (aws) {
    const executionArn = await aws.start({ jobId, store: await ctx.storeRef() });
    return { executionArn, console: consoleLink(executionArn) };
  }
  const store = await ctx.storeUrl();
  const pid = startRunner(
    {
      store,
      ...(ctx.config.endpoint ? { endpoint: ctx.config.endpoint } : {}),
      ...(ctx.config.executors ? { executors: ctx.config.executors } : {}),
    },
    jobId,
  );
  return { pid };
}

/** How often executors of CLI jobs write progress records: each second locally, every 5 s on S3 (PUTs cost). */
function progressMillis(ctx: CliContext): number {
  return ctx.aws ? 5000 : 1000;
}
