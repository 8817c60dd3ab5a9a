/**
 * `npm run build`: the compiled package in dist/ — JavaScript and type declarations from
 * tsconfig.build.json (src/, planner/, operators/), and the local executor's worker bundle
 * (dist/worker/, built with esbuild from that compiled JavaScript), so that a job script run with
 * plain `node` imports `stratus` and `stratus/functions` (package.json `exports`).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const dist = path.join(root, 'dist');
const t0 = performance.now();

rmSync(dist, { recursive: true, force: true });
const tsc = path.join(path.dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const bundle = await import(pathToFileURL(path.join(dist, 'src/local/workerBundle.js')).href);
await bundle.buildWorkerBundle(bundle.PREBUILT_WORKER_DIR);

console.log(`built ${path.relative(root, dist)}/ in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
