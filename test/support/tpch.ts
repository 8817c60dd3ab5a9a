/** Shared helpers for TPC-H end-to-end tests. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHARED_DATA = path.resolve(fileURLToPath(new URL('../../../shared/data', import.meta.url)));
export const SF01 = path.join(SHARED_DATA, 'tpch-sf0.1');
export const ANSWERS = path.join(SHARED_DATA, 'tpch-sf0.1-answers');

export function tempDir(prefix = 'stratus-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
