/**
 * Regression tests for differences the differential test found that the engine does not fix
 * yet. They fail today, so `npm test` does not run them; run them with
 *   npx vitest run --config test/regressions/pending/vitest.config.ts
 * Once one passes, move it to test/regressions/<name>.test.ts and drop its switch in
 * test/differential/known.ts.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../../..', import.meta.url).pathname,
    include: ['test/regressions/pending/*.pending.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
  },
});
