/**
 * User functions for the fault suite: one that leaks a secret into its log line and its error,
 * one that throws from a nested helper (for mapped stacks), a slow one for the time limit.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { parameter, udf } from '../../src/functions.js';

/** The secret the fault suite's jobs name (value from the params file the test writes). */
export const API_KEY = '/stratus/test/api-key';

/** Logs and then throws with the secret in the text, as careless user code would. */
export const leakSecret = udf(
  'leak_secret',
  (k) => {
    const key = parameter(API_KEY);
    console.log(`calling the pricing API for ${k} with key=${key}`);
    throw new Error(`pricing API refused key ${key} for ${k}`);
  },
  'int32',
);

function checkRange(v: number): number {
  if (v > 24) throw new RangeError(`nation key ${v} out of range`);
  return v;
}

/** Throws from a helper one call down (the stack names both frames, in this file). */
export const strictNation = udf('strict_nation', (k) => checkRange((k as number) + 1), 'int32');

/**
 * Busy for `STRATUS_TEST_SLOW_MS` on its first call on this machine (it leaves a marker file
 * `STRATUS_TEST_SLOW_MARKER` first, so a killed attempt is not slow again), quick afterwards;
 * slow on every call when no marker is set.
 */
export const slowOnce = udf(
  'slow_once',
  (k) => {
    const marker = process.env.STRATUS_TEST_SLOW_MARKER;
    if (!marker || !existsSync(marker)) {
      if (marker) writeFileSync(marker, '');
      const until = Date.now() + Number(process.env.STRATUS_TEST_SLOW_MS ?? 5000);
      while (Date.now() < until) {
        /* spin */
      }
    }
    return k;
  },
  'int32',
);
