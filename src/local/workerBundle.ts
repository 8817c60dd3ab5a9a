/**
 * The local executor's code as one ESM file, built with esbuild on first use and cached by a
 * hash of the sources (under node_modules/.cache, so dependencies still resolve from the
 * project). Warm worker processes then start in plain Node — no TypeScript loader.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const ENTRY = path.join(ROOT, 'src/local/worker.ts');
const SOURCE_DIRS = ['src', 'planner', 'operators'].map((d) => path.join(ROOT, d));

function sourceHash(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.ts')) h.update(p).update(readFileSync(p));
    }
  };
  SOURCE_DIRS.forEach(walk);
  return h.digest('hex').slice(0, 16);
}

let built: Promise<string> | undefined;

/** Path of the bundled worker (built once per process and per source version). */
export function workerBundle(): Promise<string> {
  built ??= (async () => {
    const dir = path.join(ROOT, 'node_modules/.cache/stratus', `worker-${sourceHash()}`);
    const out = path.join(dir, 'worker.mjs');
    if (existsSync(out)) return out;
    mkdirSync(dir, { recursive: true });
    const esbuild = await import('esbuild');
    // Code splitting keeps lazy imports lazy (the S3 SDK loads only when a job uses S3).
    await esbuild.build({
      entryPoints: { worker: ENTRY, thread: path.join(ROOT, 'src/runtime/thread.ts') },
      outdir: dir,
      outExtension: { '.js': '.mjs' },
      splitting: true,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'silent',
    });
    return out;
  })();
  return built;
}
