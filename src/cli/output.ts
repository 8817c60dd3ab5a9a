/**
 * What the CLI prints and the exit codes scripts can test. Human text goes to stdout (progress
 * and errors to stderr); with `--json` stdout holds one JSON document per command.
 */
import { StratusError } from '../../planner/errors.js';
import type { JobStatus, JobStatusName } from './jobs.js';

/** Exit codes of every command (docs/cli.md). */
export const EXIT = {
  /** Done; for run/wait: the job succeeded. */
  ok: 0,
  /** The job failed, or the command failed (store unreachable, AWS error…). */
  failed: 1,
  /** Bad usage or input: unknown option, bad job file, refused configuration. */
  usage: 2,
  /** No such job in the store. */
  notFound: 3,
  /** `wait --timeout` gave up while the job still runs. */
  timeout: 4,
  /** The job was cancelled. */
  cancelled: 5,
} as const;

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** A TTY for live progress (stderr). */
  readonly stderr?: NodeJS.WriteStream;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  stderr: process.stderr,
};

/** The exit code of a job in a final (or given-up) status. */
export function exitFor(status: JobStatusName): number {
  if (status === 'succeeded') return EXIT.ok;
  if (status === 'cancelled') return EXIT.cancelled;
  if (status === 'running' || status === 'submitted') return EXIT.timeout;
  return EXIT.failed;
}

/** The exit code of an error a command raised: bad input (plan errors) is a usage error. */
export function exitForError(e: unknown): number {
  if (e instanceof StratusError) {
    if (e.code === 'JOB_NOT_FOUND') return EXIT.notFound;
    if (e.category === 'plan' || e.category === 'schema') return EXIT.usage;
  }
  return EXIT.failed;
}

/** An error as the CLI prints it: its code and message (and, with --json, its fields). */
export function errorJson(e: unknown): Record<string, unknown> {
  if (e instanceof StratusError)
    return { error: { category: e.category, code: e.code, message: e.message, details: e.details } };
  return { error: { message: e instanceof Error ? e.message : String(e) } };
}

export function errorText(e: unknown): string {
  if (e instanceof StratusError) return `stratus: error ${e.code}: ${e.message}`;
  return `stratus: error: ${e instanceof Error ? e.message : String(e)}`;
}

/** One line for a job's status. */
export function statusLine(s: JobStatus): string {
  const p = s.progress;
  const parts = [
    `${s.jobId}  ${s.status}`,
    `stages ${p.stagesDone}/${p.stagesTotal}`,
    `tasks ${p.tasksDone}/${p.tasksTotal}`,
    ...(p.running.length ? [`running stage ${p.running.join(',')}`] : []),
    ...(s.rows !== undefined ? [`${s.rows} rows`] : []),
    ...(s.submittedAt ? [`submitted ${s.submittedAt}`] : []),
    ...(s.execution ? [`execution ${s.execution.status} ${s.execution.arn}`] : []),
    ...(s.runner && s.status !== 'succeeded' ? [`runner ${s.runner.owner}${s.runner.live ? '' : ' (stopped)'}`] : []),
  ];
  const err = s.error ? `\n  ${s.error.code}: ${s.error.message}` : '';
  return `${parts.join('  ')}${err}`;
}
