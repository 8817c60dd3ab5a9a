/**
 * The local executor's code as one ESM file (worker.mjs, with thread.mjs beside it for task
 * threads). Run from the TypeScript sources, it is built with esbuild on first use and cached by a
 * hash of the sources (under node_modules/.cache, so dependencies still resolve from the project).
 * Run from the compiled package (dist/), `npm run build` has already built it into dist/worker/.
 * Either way warm worker processes start in plain Node — no TypeScript loader.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ExecutionError } from '../../planner/errors.js';

const HERE = fileURLToPath(import.meta.url);
/** '.ts' when running from the sources, '.js' from the compiled package. */
const EXT = path.extname(HERE);
/** The repository, or dist/ in the compiled package (both hold src/, planner/, operators/). */
const ROOT = path.resolve(path.dirname(HERE), '../..');
const SOURCE_DIRS = ['src', 'planner', 'operators'].map((d) => path.join(ROOT, d));
/** Where `npm run build` writes the compiled package's bundle (exported for scripts/build.mjs). */
export const PREBUILT_WORKER_DIR = path.join(ROOT, 'worker');

function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) h.update(p).update(readFileSync(p));
    }
  };
  for (const dir of SOURCE_DIRS) walk(dir);
  return h.digest('hex').slice(0, 16);
}

/** Bundles the worker and thread entry points (sources or compiled, whichever runs) into `outdir`; scripts/build.mjs calls it. */
export async function buildWorkerBundle(outdir: string): Promise<string> {
  mkdirSync(outdir, { recursive: true });
  const esbuild = await import('esbuild');
  // Code splitting keeps lazy imports lazy (the S3 SDK loads only when a job uses S3).
  await esbuild.build({
    entryPoints: {
      worker: path.join(ROOT, `src/local/worker${EXT}`),
      thread: path.join(ROOT, `src/runtime/thread${EXT}`),
    },
    outdir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return path.join(outdir, 'worker.mjs');
}

let built: Promise<string> | undefined;

/** Path of the bundled worker (built once per process and per source version, or prebuilt). */
export function workerBundle(): Promise<string> {
  built ??= (async () => {
    if (EXT !== '.ts') {
      const out = path.join(PREBUILT_WORKER_DIR, 'worker.mjs');
      if (!existsSync(out))
        throw new ExecutionError(
          'WORKER_BUNDLE_MISSING',
          `the executor worker bundle ${out} is missing: the compiled package is built by \`npm run build\``,
          { path: out },
        );
      return out;
    }
    const dir = path.join(ROOT, 'node_modules/.cache/stratus', `worker-${sourceHash()}`);
    const out = path.join(dir, 'worker.mjs');
    if (existsSync(out)) return out;
    // Several processes may build at once (test workers): each builds aside, the first rename wins.
    const tmp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    await buildWorkerBundle(tmp);
    try {
      renameSync(tmp, dir);
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(out)) throw e;
    }
    return out;
  })();
  return built;
}
