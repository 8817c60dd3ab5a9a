#!/usr/bin/env node
// The `stratus` command (src/cli/main.ts). From a source checkout it runs the TypeScript sources
// through tsx; from an installed package, the compiled dist/. With tsx installed, job files may
// be TypeScript (`stratus run job.ts`); without it, give .js/.mjs job files.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/main.ts', import.meta.url);
const built = new URL('../dist/src/cli/main.js', import.meta.url);
let tsx = false;
try {
  const { register } = await import('tsx/esm/api');
  register();
  tsx = true;
} catch {
  // no tsx: compiled code and JavaScript job files only
}
const entry = tsx && existsSync(source) ? source : built;
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
