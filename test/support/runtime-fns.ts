/** User functions for the runtime tests: slow tasks, leaks across jobs, secrets, flaky tasks. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import * as path from 'node:path';
import { batchFunction, mapFunction, parameter, scratchDirectory, udf } from '../../src/functions.js';
import { field } from '../../planner/types.js';

/** Busy-waits per batch, so tasks take a known time. */
batchFunction('slow_batch', (b) => {
  const until = Date.now() + Number(process.env.STRATUS_TEST_SLOW_MS ?? 600);
  while (Date.now() < until) {
    /* spin */
  }
  return b;
});

/** Leaves state behind in the instance: a global, an environment variable, a scratch file. */
mapFunction(
  'leave_traces',
  (r) => {
    (globalThis as Record<string, unknown>).__stratusTestLeak = 'job-a';
    process.env.STRATUS_TEST_LEAK = 'job-a-secret';
    writeFileSync(path.join(scratchDirectory(), 'job-a.txt'), 'from job a');
    return { n_nationkey: r.n_nationkey };
  },
  [field('n_nationkey', 'int32')],
);

/** Reports what it can see of earlier jobs. */
mapFunction(
  'look_for_traces',
  (r) => ({
    n_nationkey: r.n_nationkey,
    global: String((globalThis as Record<string, unknown>).__stratusTestLeak ?? ''),
    env: process.env.STRATUS_TEST_LEAK ?? '',
    files: readdirSync(scratchDirectory()).join(','),
    pid: process.pid,
  }),
  [
    field('n_nationkey', 'int32'),
    field('global', 'string'),
    field('env', 'string'),
    field('files', 'string'),
    field('pid', 'int32'),
  ],
);

/** Length and checksum of a secret — never the secret itself. */
export const secretLength = udf('secret_length', () => parameter('/stratus/test/api-key').length, 'int32');

/**
 * Fails the first attempt of each task (a marker file per row group key) as a call to a flaky
 * service would — its connection reset, a transient failure — then succeeds.
 */
export const flaky = udf(
  'flaky',
  (k) => {
    const dir = process.env.STRATUS_TEST_FLAKY_DIR!;
    const marker = path.join(dir, `seen-${Math.floor((k as number) / 1_000_000)}`);
    if (!existsSync(marker)) {
      writeFileSync(marker, '');
      throw Object.assign(new Error('flaky failure on first attempt: connection reset'), { code: 'ECONNRESET' });
    }
    return k;
  },
  'int32',
);

/** Fails while a flag file exists (a deterministic user-code error: no retries). */
export const failWhileFlag = udf(
  'fail_while_flag',
  (k) => {
    if (existsSync(process.env.STRATUS_TEST_FLAG!))
      throw new Error(`deliberate failure (flag ${process.env.STRATUS_TEST_FLAG})`);
    return k;
  },
  'int32',
);

/** Which thread ran the row (0 = the executor's main thread). */
export const threadOf = udf('thread_of', () => threadId, 'int32');
