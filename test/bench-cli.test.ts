/**
 * `npm run bench` command line: `--help` prints the options and exits 0; an unknown option is a
 * usage error (exit 2) before anything runs.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const bench = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'benchmarks/run.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run bench command line', () => {
  it('prints its usage for --help', () => {
    const r = bench('--help');
    expect(r.status, r.stderr).toBe(0);
    for (const flag of ['--sf', '--data', '--queries', '--runs', '--threads', '--engines', '--out', '--report'])
      expect(r.stdout).toContain(flag);
  }, 60_000);

  it('rejects an unknown option with a usage error', () => {
    const r = bench('--querys', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--querys'/);
  }, 60_000);
});
