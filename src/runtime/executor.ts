/**
 * The executor: runs one task group per invocation. It loads the group's manifest and the
 * job's stage plan, runs the tasks with the group's worker count, stops starting tasks when
 * the invocation's remaining time falls below a safety margin (handing the rest back to the
 * driver), and writes a summary of the reports to the store. Task errors are returned as data;
 * everything handed back is redacted of the job's parameter values (failures.ts).
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { ExecutionError, StratusError } from '../../planner/errors.js';
import { withMetrics } from '../../operators/metrics.js';
import { diffStats, getJson, putJson } from '../storage/store.js';
import { allStoreStats, type RuntimeEnv } from './env.js';
import { invocationContext, invocationScope, setInvocationParameters } from './instance.js';
import { runOnThread, threadsAvailable } from './threads.js';
import { groupHeartbeat } from './heartbeat.js';
import { jobKeys } from './jobState.js';
import { assertPayloadSize } from './payload.js';
import type { ExecutorEvent, ExecutorOutput, GroupManifest, GroupSummary, TaskReport } from './protocol.js';
import { nonce, runTask, stagePlan } from './task.js';
import { failureData, maskInLogs, redactThrown } from './failures.js';
import { redact, redactValue } from './params/redact.js';
import { classifyError } from '../util/retry.js';

/** This instance, as task reports name it: the Lambda execution environment (its log stream) or host:pid. */
const INSTANCE = process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? `${hostname()}:${process.pid}`;

/**
 * This thread's own time so far (ms), from Linux's schedstat (elsewhere: undefined): `cpu` on a
 * core, `wait` runnable but waiting for one. process.cpuUsage also counts V8's GC and compiler
 * helper threads, which beside one executor run on a spare core but beside one executor per core
 * take turns with the executors themselves; `wait` shows what load and those helpers cost the
 * invocation's own thread, so a stage's critical path can be told apart from the machine's load.
 */
function threadTimes(): { cpu: number; wait: number } | undefined {
  try {
    const [cpu, wait] = readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ').map(Number);
    return Number.isFinite(cpu) && Number.isFinite(wait) ? { cpu: cpu! / 1e6, wait: wait! / 1e6 } : undefined;
  } catch {
    return undefined;
  }
}

/** Default margin: no task starts with less time left than this. */
const DEFAULT_SAFETY_MARGIN_MS = 60_000;

/** Raised when the invocation itself could not start (store unreachable, throttled): the state machine retries it with backoff. */
export class ExecutorTransientError extends Error {
  override readonly name = 'ExecutorTransientError';
}

export async function runExecutorGroup(event: ExecutorEvent, env: RuntimeEnv): Promise<ExecutorOutput> {
  // The job's parameter values, once loaded: masked in everything the invocation hands back.
  const secrets: string[] = [];
  return invocationScope(() =>
    runGroup(event, { ...env, log: (m) => env.log(redact(m, secrets)) }, secrets).catch((e: unknown) => {
      throw redactThrown(e, secrets);
    }),
  );
}

async function runGroup(event: ExecutorEvent, env: RuntimeEnv, secrets: string[]): Promise<ExecutorOutput> {
  const store = env.store(event.job.store);
  // The instance's CPU over the invocation (all its threads): the group's load-independent cost.
  const cpu0 = process.cpuUsage();
  const thread0 = threadTimes();
  // Failing to start (store or Parameter Store throttled, unreachable): the state machine retries.
  const starting = (what: string) => (e: unknown) => {
    throw e instanceof StratusError && classifyError(e) !== 'fatal'
      ? new ExecutorTransientError(`${what}: ${e.message}`)
      : e;
  };
  const manifest = await getJson<GroupManifest>(store, event.group.manifest).catch(
    starting(`cannot read task group ${event.group.manifest}`),
  );
  const plan = await stagePlan(store, manifest.jobId);
  if (plan.parameters?.length) {
    if (!env.parameters)
      throw new ExecutionError(
        'NO_PARAMETER_SOURCE',
        `job ${manifest.jobId} names parameters but this runtime has no parameter source`,
      );
    const values = await env.parameters.get(plan.parameters).catch(starting(`cannot read the job's parameters`));
    secrets.push(...values.values());
    maskInLogs(secrets);
    setInvocationParameters(values);
  }
  const margin = manifest.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const before = allStoreStats();
  const reports: TaskReport[] = [];
  const beat = groupHeartbeat(
    store,
    { jobId: manifest.jobId, round: manifest.round, group: event.group.index, total: manifest.tasks.length },
    manifest.progressMillis,
  );
  let next = 0;
  const worker = async () => {
    while (next < manifest.tasks.length) {
      beat.update(reports.length);
      const task = manifest.tasks[next++]!;
      const ids = { stage: task.stage, task: task.task, attempt: task.attempt };
      if (env.remainingMillis() < margin) {
        // Out of time: hand the task back untouched; the driver reschedules it.
        reports.push({
          ...ids,
          ok: false,
          millis: 0,
          error: {
            category: 'resources',
            code: 'HANDED_BACK',
            message: `not started: ${env.remainingMillis()} ms left, margin ${margin} ms`,
          },
        });
        continue;
      }
      const t0 = performance.now();
      const at = { startedAt: Date.now(), executor: INSTANCE };
      const jobEvent = { ...event, job: { ...event.job, jobId: manifest.jobId } };
      if (threads > 1) {
        // On a task thread: its requests are counted there and added to the group's.
        const ctx = invocationContext()!;
        const r = await runOnThread(threads, {
          plan,
          task,
          event: jobEvent,
          deadline: Date.now() + env.remainingMillis(),
          scratch: ctx.dir,
          parameters: [...ctx.parameters],
        });
        for (const [k, v] of Object.entries(r.stats)) threadStats[k] = (threadStats[k] ?? 0) + v;
        const millis = performance.now() - t0;
        reports.push(
          r.ok
            ? { ...ids, ...at, ok: true, output: r.output, millis, phases: r.phases }
            : { ...ids, ...at, ok: false, error: r.error, millis, phases: r.phases },
        );
        continue;
      }
      const run = await withMetrics(() => runTask(plan, task, jobEvent, env, store));
      const millis = performance.now() - t0;
      if ('result' in run) reports.push({ ...ids, ...at, ok: true, output: run.result, millis, phases: run.phases });
      else reports.push({ ...ids, ...at, ok: false, error: failureData(run.error), millis, phases: run.phases });
    }
  };
  // CPU-bound tasks run on task threads when the instance has cores to spare; within a
  // thread (or without threads) tasks interleave their I/O.
  const concurrency = Math.max(1, Math.min(manifest.workers ?? 1, manifest.tasks.length));
  const threads = threadsAvailable() ? Math.min(env.threads ?? 1, concurrency) : 1;
  const threadStats: Record<string, number> = {};
  await Promise.all(Array.from({ length: threads > 1 ? threads : concurrency }, worker)).finally(() => beat.stop());
  const stats = { ...diffStats(allStoreStats(), before) } as Record<string, number>;
  for (const [k, v] of Object.entries(threadStats)) stats[k] = (stats[k] ?? 0) + v;
  const cpu = process.cpuUsage(cpu0);
  stats.cpuMillis = (cpu.user + cpu.system) / 1000;
  const thread = threadTimes();
  if (thread0 && thread) {
    stats.threadCpuMillis = thread.cpu - thread0.cpu;
    stats.threadWaitMillis = thread.wait - thread0.wait;
  }
  const summary: GroupSummary = redactValue({ reports, stats }, secrets);
  const key = jobKeys(manifest.jobId).summary(manifest.round, event.group.index, nonce());
  await putJson(store, key, summary);
  return assertPayloadSize({ group: event.group, summary: key }, 'executor output');
}
