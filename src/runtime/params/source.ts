/**
 * The Parameter Store contract shared by every backend: a `ParameterSource` turns parameter
 * names into values, and fails with one error naming every missing parameter (never a value).
 */
import { ExecutionError, listNames } from '../../../planner/errors.js';

/** Where a job's named secrets and settings come from (SSM in AWS, a file/env locally). */
export interface ParameterSource {
  /**
   * Load the named parameters. The result holds exactly the requested names (duplicates
   * collapse); a missing name rejects with a `PARAMS_MISSING` error naming it.
   */
  get(names: readonly string[]): Promise<Map<string, string>>;
}

/** The distinct names of a request, in first-seen order. */
export function uniqueNames(names: readonly string[]): string[] {
  return [...new Set(names)];
}

/** Split `items` into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The error for names a source does not hold. Carries the names and where they were looked
 * for, and how to fix it; it never carries a value.
 */
export function missingParamsError(
  source: string,
  missing: readonly string[],
  fix: string,
  details: Record<string, unknown> = {},
): ExecutionError {
  const sorted = [...missing].sort();
  return new ExecutionError(
    'PARAMS_MISSING',
    `${sorted.length} parameter(s) not found in ${source}: ${listNames(sorted)}. ${fix}`,
    { source, missing: sorted, ...details },
  );
}
