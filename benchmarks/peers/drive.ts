/**
 * The harness's loop over its runner processes: starts and opens every runner of the bench up
 * front (one after another, each timing its own open), then takes the steps of `interleave`
 * (peers/schedule.ts) one at a time — only one process ever works — and gathers each runner's
 * replies into the `RunnerRecord` it reports (peers/protocol.ts). A runner that dies or hangs
 * becomes a `RunnerFailure` naming the query and run it was in; the others carry on.
 */
import { interleave, type Step } from './schedule.js';
import type { BeginReply, CloseReply, ErrorReply, FinishReply, OpenReply, QueryOutcome, RunReply } from './protocol.js';
import { RunnerProcess, type RunnerRecord, type RunnerSpec } from './spawn.js';

export interface Rounds {
  readonly queries: readonly number[];
  readonly warmup: number;
  readonly runs: number;
  /** Longest wait for one reply (a run, an open, a close) before the runner is killed. */
  readonly timeoutMs: number;
}

/** A query's outcome as it builds up from replies. */
interface Building {
  status: QueryOutcome['status'];
  warmupMs: number[];
  runsMs: number[];
  runBreakdowns?: unknown[];
  error?: string;
  last?: FinishReply;
}

interface Slot {
  readonly spec: RunnerSpec;
  readonly proc: RunnerProcess;
  openMs: number;
  failure?: string;
  readonly outcomes: Map<number, Building>;
}

const isError = (r: object): r is ErrorReply => 'error' in r;
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);

/** Runs the bench's steps over every runner of `specs`; one record per spec, in their order. */
export async function driveRunners(specs: readonly RunnerSpec[], rounds: Rounds): Promise<RunnerRecord[]> {
  const slots: Slot[] = [];
  for (const spec of specs) slots.push(await openRunner(spec, rounds.timeoutMs));
  for (const step of interleave(slots.length, rounds.queries, rounds.warmup, rounds.runs))
    await take(slots[step.proc]!, step, rounds);
  const records: RunnerRecord[] = [];
  for (const slot of slots) records.push(await closeRunner(slot, rounds.queries));
  return records;
}

async function openRunner(spec: RunnerSpec, timeoutMs: number): Promise<Slot> {
  log(`${spec.label}: starting${spec.cpus ? ` on CPU ${spec.cpus}` : ''}`);
  const slot: Slot = {
    spec,
    proc: new RunnerProcess(spec, timeoutMs),
    openMs: 0,
    outcomes: new Map(),
  };
  await call<OpenReply>(
    slot,
    () => slot.proc.opened<OpenReply>(),
    (r) => (slot.openMs = r.openMs),
  );
  return slot;
}

/** Sends one step to its runner and records the reply; a failed runner's steps are skipped. */
async function take(slot: Slot, step: Step, rounds: Rounds): Promise<void> {
  if (slot.failure) return;
  const q = step.query;
  if (step.op === 'begin') {
    const begin = { status: 'ok' as const, warmupMs: [], runsMs: [] };
    return call<BeginReply>(
      slot,
      () => slot.proc.request({ op: 'begin', query: q }, `beginning Q${q}`),
      (r) => {
        slot.outcomes.set(q, r.supported ? begin : { ...begin, status: 'missing' });
        if (!r.supported) log(`${slot.spec.label} Q${q}: not implemented by this engine`);
      },
    );
  }
  const o = slot.outcomes.get(q);
  if (o?.status !== 'ok') return;
  const queryFailed = (e: ErrorReply) => {
    o.status = 'error';
    o.error = e.error;
    log(`${slot.spec.label} Q${q} FAILED: ${e.error}`);
  };
  if (step.op === 'finish')
    return call<FinishReply>(
      slot,
      () => slot.proc.request({ op: 'finish', query: q }, `finishing Q${q}`),
      (r) => (o.last = r),
      queryFailed,
    );
  const run = step.timed ? `run ${step.nth}/${rounds.runs}` : `warmup ${step.nth}/${rounds.warmup}`;
  await call<RunReply>(
    slot,
    () => slot.proc.request({ op: 'run', query: q, timed: step.timed }, `in Q${q} ${run}`),
    (r) => {
      (step.timed ? o.runsMs : o.warmupMs).push(r.ms);
      if (step.timed && 'runBreakdown' in r) o.runBreakdowns = [...(o.runBreakdowns ?? []), r.runBreakdown];
      log(`${slot.spec.label} Q${q} ${run}: ${r.ms.toFixed(1)} ms`);
    },
    queryFailed,
  );
}

/**
 * Awaits one reply: `ok` takes a reply, `engineError` an error the engine reported (the runner
 * carries on); a runner that died or gave no reply in time is killed and the slot failed.
 */
async function call<R extends object>(
  slot: Slot,
  send: () => Promise<R | ErrorReply>,
  ok: (r: R) => void,
  engineError: (e: ErrorReply) => void = (e) => runnerFailed(slot, e.error),
): Promise<void> {
  try {
    const r = await send();
    if (isError(r)) engineError(r);
    else ok(r);
  } catch (e) {
    runnerFailed(slot, e instanceof Error ? e.message : String(e));
  }
}

function runnerFailed(slot: Slot, failure: string): void {
  slot.failure = failure;
  slot.proc.kill();
  log(`${slot.spec.label} FAILED: ${failure}`);
}

async function closeRunner(slot: Slot, queries: readonly number[]): Promise<RunnerRecord> {
  const { engine, threads } = slot.spec.args;
  let closed: CloseReply | undefined;
  if (!slot.failure)
    await call<CloseReply>(
      slot,
      () => slot.proc.close<CloseReply>(),
      (r) => (closed = r),
    );
  slot.proc.kill();
  if (slot.failure || !closed) return { engine, threads, failure: slot.failure ?? 'no reply to close' };
  const cpus = slot.spec.cpus;
  return {
    engine,
    threads,
    openMs: slot.openMs,
    peakRssMB: closed.peakRssMB,
    ...(closed.helperPeakRssMB ? { helperPeakRssMB: closed.helperPeakRssMB } : {}),
    notes: cpus ? [...closed.notes, `ran on CPU ${cpus} only (taskset -c ${cpus})`] : closed.notes,
    queries: queries.flatMap((q) => {
      const o = slot.outcomes.get(q);
      return o ? [outcome(q, o)] : [];
    }),
  };
}

function outcome(query: number, o: Building): QueryOutcome {
  const { status, warmupMs, runsMs } = o;
  if (status !== 'ok') return { query, status, warmupMs, runsMs, ...(o.error !== undefined ? { error: o.error } : {}) };
  const last = o.last ?? {};
  return {
    query,
    status,
    warmupMs,
    runsMs,
    ...(last.helperPeakRssMB !== undefined ? { helperPeakRssMB: last.helperPeakRssMB } : {}),
    ...(last.result !== undefined ? { result: last.result } : {}),
    ...(last.breakdown !== undefined ? { breakdown: last.breakdown } : {}),
    ...(o.runBreakdowns ? { runBreakdowns: o.runBreakdowns } : {}),
  };
}
