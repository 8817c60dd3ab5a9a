/**
 * User-code bundles. At submit, the modules that registered the functions a plan uses are
 * bundled with esbuild into one ESM file, content-addressed by SHA-256 in the store. An
 * executor fetches it, checks the hash before loading anything, imports it into a fresh
 * function table, and caches that table per instance by hash. Each function is called through
 * a guard that turns what it throws into USER_CODE_ERROR (userCode.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ExecutionError, PlanError } from '../../planner/errors.js';
import type { UdfBundleRef } from '../../planner/plan.js';
import type { DataType } from '../../planner/types.js';
import type { UserFunction } from '../../operators/operator.js';
import type { UdfTable } from '../../operators/eval.js';
import { LOADING, type Registered, type UdafMethods } from './userFunctions.js';
import type { ObjectStore } from '../storage/store.js';
import { guardUserFunction, userCodeError } from './userCode.js';

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Bundle the defining modules of `names` and store it; returns the plan's bundle reference. */
export async function buildBundle(
  names: readonly string[],
  registry: ReadonlyMap<string, Registered>,
  store: ObjectStore,
): Promise<UdfBundleRef> {
  const modules = new Set<string>();
  for (const n of names) {
    const r = registry.get(n);
    if (!r)
      throw new PlanError(
        'UNREGISTERED_FUNCTION',
        `function '${n}' is not registered; register it with udf(), udaf(), mapFunction(), flatMapFunction() or batchFunction() in a module the job imports`,
        { function: n, registered: [...registry.keys()] },
      );
    if (!r.module)
      throw new PlanError(
        'FUNCTION_MODULE_UNKNOWN',
        `cannot tell which module defines function '${n}'; define it at the top level of a module`,
        { function: n },
      );
    if (r.module === process.argv[1])
      throw new PlanError(
        'FUNCTION_IN_ENTRY_SCRIPT',
        `function '${n}' is defined in the job's entry script ${r.module}; move it to its own module (e.g. functions.ts) and import that, so executors can load it without running the job`,
        { function: n },
      );
    modules.add(r.module);
  }
  const esbuild = await import('esbuild');
  const entry = [...modules]
    .sort()
    .map((m) => `import ${JSON.stringify(m)};`)
    .join('\n');
  const result = await esbuild.build({
    stdin: { contents: entry, resolveDir: process.cwd(), loader: 'js' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    logLevel: 'silent',
    // Stacks of user-code errors name the user's own files and lines (executors switch source
    // maps on): the map is inline, without the sources' text, and points at the client's paths.
    sourcemap: 'inline',
    sourcesContent: false,
    sourceRoot: `${pathToFileURL(process.cwd()).href}/`,
    absWorkingDir: process.cwd(),
    banner: {
      js: "import { createRequire as __stratusRequire } from 'node:module'; const require = __stratusRequire(import.meta.url);",
    },
  });
  const bytes = result.outputFiles[0]!.contents;
  const hash = sha256(bytes);
  const key = `bundles/${hash}.mjs`;
  if (!(await store.head(key))) await store.put(key, bytes);
  return { names: [...names].sort(), key, sha256: hash };
}

const loaded = new Map<string, Promise<ReadonlyMap<string, Registered>>>();

/** Load (once per instance and hash) a job's bundle, after checking its hash. */
export function loadBundle(store: ObjectStore, ref: UdfBundleRef): Promise<ReadonlyMap<string, Registered>> {
  // Keyed by where the bundle is and what it must hash to: a reused instance never skips the
  // check for bytes it has not verified itself.
  const cacheKey = `${store.url}|${ref.key}|${ref.sha256}`;
  let p = loaded.get(cacheKey);
  if (!p) {
    p = (async () => {
      const bytes = await store.get(ref.key);
      const actual = sha256(bytes);
      if (actual !== ref.sha256) {
        throw new ExecutionError(
          'BUNDLE_HASH_MISMATCH',
          `user-code bundle ${ref.key} has SHA-256 ${actual}, but the plan expects ${ref.sha256}; refusing to load it (was it modified after submit?)`,
          { key: ref.key, expected: ref.sha256, actual },
        );
      }
      const dir = path.join(os.tmpdir(), 'stratus-bundles');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${actual}.mjs`);
      // Other instances on this machine may be importing the same file: replace it whole.
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
      const table = new Map<string, Registered>();
      const g = globalThis as unknown as Record<symbol, unknown>;
      g[LOADING] = table;
      process.setSourceMapsEnabled(true);
      try {
        await import(pathToFileURL(file).href);
      } catch (e) {
        // A module of the job's code threw while it loaded.
        throw userCodeError(`<module of ${ref.names.join(', ')}>`, e, new Error());
      } finally {
        delete g[LOADING];
      }
      return table;
    })();
    p.catch(() => loaded.delete(cacheKey));
    loaded.set(cacheKey, p);
  }
  return p;
}

/** The operator context's views of a loaded table, for the names a plan uses. */
export function functionTables(
  table: ReadonlyMap<string, Registered>,
  names: readonly string[],
): { udfs: UdfTable; functions: Map<string, UserFunction>; udafs: Map<string, UdafMethods> } {
  const udfs = new Map<string, { fn: (...args: unknown[]) => unknown; returnType: DataType }>();
  const functions = new Map<string, UserFunction>();
  const udafs = new Map<string, UdafMethods>();
  for (const n of names) {
    const r = table.get(n);
    if (!r)
      throw new ExecutionError('FUNCTION_NOT_IN_BUNDLE', `function '${n}' is not in the job's bundle`, { function: n });
    if (r.kind === 'udaf') {
      const m = r.fn;
      const guard = <K extends keyof typeof m>(k: K) => guardUserFunction(`${n}.${k}`, m[k].bind(m)) as (typeof m)[K];
      udafs.set(n, { init: guard('init'), update: guard('update'), merge: guard('merge'), finish: guard('finish') });
      continue;
    }
    const fn = guardUserFunction(n, r.fn as (...args: unknown[]) => unknown);
    if (r.kind === 'udf') udfs.set(n, { fn, returnType: r.returns });
    functions.set(n, { ...r, fn } as UserFunction);
  }
  return { udfs, functions, udafs };
}
