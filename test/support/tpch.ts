/** Shared helpers for TPC-H end-to-end tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The external TPC-H conformance data: `../shared/data` beside the repository (override with
 * STRATUS_SHARED_DATA). Missing data is a clear error, never a silently skipped test.
 */
export const SHARED_DATA =
  process.env.STRATUS_SHARED_DATA ?? path.resolve(fileURLToPath(new URL('../../../shared/data', import.meta.url)));
if (!fs.existsSync(path.join(SHARED_DATA, 'tpch-sf0.1'))) {
  throw new Error(
    `TPC-H conformance data not found at ${SHARED_DATA}/tpch-sf0.1: the tests read ../shared/data beside the repository (or set STRATUS_SHARED_DATA)`,
  );
}
export const SF01 = path.join(SHARED_DATA, 'tpch-sf0.1');
export const ANSWERS = path.join(SHARED_DATA, 'tpch-sf0.1-answers');

export function tempDir(prefix = 'stratus-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
