/**
 * vitest globalSetup: makes sure the generated TPC-H data (tpch-data.ts) exists before any test
 * worker starts, so the workers never generate it concurrently (they would wait on the lock).
 */
import { ensureGeneratedTpch } from './tpch-data.js';

export default async function setup(): Promise<void> {
  await ensureGeneratedTpch();
}
