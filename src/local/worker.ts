/**
 * A local executor instance: a separate, long-lived process that runs executor invocations sent
 * by the pool, one at a time, like a warm Lambda instance. Nothing but the invocation event
 * comes in and the small executor output goes out.
 */
import { runExecutorGroup } from '../runtime/executor.js';
import { cachedStore, localParameters } from '../runtime/env.js';
import { toErrorData } from '../../planner/errors.js';
import type { ExecutorEvent } from '../runtime/protocol.js';

interface Invocation {
  readonly id: number;
  readonly event: ExecutorEvent;
  readonly timeLimitMs: number;
}

process.on('message', async (msg: Invocation | { shutdown: true }) => {
  if ('shutdown' in msg) process.exit(0);
  const deadline = Date.now() + msg.timeLimitMs;
  try {
    const threads = Number(process.env.STRATUS_EXECUTOR_THREADS ?? 1);
    const output = await runExecutorGroup(msg.event, {
      store: cachedStore,
      remainingMillis: () => deadline - Date.now(),
      log: () => {},
      parameters: localParameters(),
      threads,
    });
    process.send!({ id: msg.id, ok: true, output });
  } catch (e) {
    const error = toErrorData(e);
    process.send!({
      id: msg.id,
      ok: false,
      error:
        e instanceof Error && e.name === 'ExecutorTransientError' ? { ...error, code: 'EXECUTOR_TRANSIENT' } : error,
    });
  }
});

// The client went away (it ended without stop(), or died): so does this instance.
process.on('disconnect', () => process.exit(0));

process.send!({ ready: true });
