/**
 * User functions for the overlapping-invocations test (cli-overlap.test.ts): each row reports
 * which job it runs in (the one parameter its job names), and whether the environment variable
 * and scratch files it finds are its own invocation's or another's — then leaves its own.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parameter, scratchDirectory, udf } from '../../src/functions.js';

const JOBS = ['job-a', 'job-b'] as const;

/** The value of a parameter this invocation may read, or '' when its job does not name it. */
function readable(name: string): string {
  try {
    return parameter(name);
  } catch {
    return '';
  }
}

export const whoSeesWhat = udf(
  'cli_who_sees_what',
  () => {
    const mine = JOBS.map((j) => readable(`/stratus/test/${j}`)).filter(Boolean);
    const me = mine.join('+') || 'none';
    const env = process.env.STRATUS_TEST_WHO;
    process.env.STRATUS_TEST_WHO = me;
    const dir = scratchDirectory();
    const others = readdirSync(dir).filter((f) => f !== `${me}.txt`);
    writeFileSync(path.join(dir, `${me}.txt`), me);
    const envState = env === undefined || env === me ? 'own' : `other:${env}`;
    return `${me}|env=${envState}|files=${others.length ? `other:${others.join(',')}` : 'own'}`;
  },
  'string',
);

/** Sleeps STRATUS_TEST_ROW_MS per row (read where it runs: the runner's executors). */
export const slowRow = udf(
  'cli_slow_row',
  (k) => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.STRATUS_TEST_ROW_MS ?? 0));
    return k as number;
  },
  'int32',
);
