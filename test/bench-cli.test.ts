/**
 * `npm run bench` command line: `--help` prints the options and exits 0; an unknown option is a
 * usage error (exit 2) before anything runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cpuPinning } from '../benchmarks/peers/spawn.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const bench = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'benchmarks/run.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

describe('npm run bench command line', () => {
  it('prints its usage for --help', () => {
    const r = bench('--help');
    expect(r.status, r.stderr).toBe(0);
    for (const flag of [
      '--sf',
      '--data',
      '--queries',
      '--runs',
      '--threads',
      '--engines',
      '--out',
      '--no-pin',
      '--report',
    ])
      expect(r.stdout).toContain(flag);
  }, 60_000);

  it('rejects an unknown option with a usage error', () => {
    const r = bench('--querys', '1');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--querys'/);
  }, 60_000);
});

describe('cpuPinning: threads mean cores', () => {
  const bins = ['/usr/bin', '/bin'];
  const noTaskset = [fileURLToPath(new URL('.', import.meta.url))];

  it('holds fewer threads than cores to the first cores, where taskset is', () => {
    if (!bins.some((d) => existsSync(`${d}/taskset`))) return; // util-linux absent: the next test covers it
    expect(cpuPinning(1, 2, 'linux', bins)).toBe('0');
    expect(cpuPinning(3, 8, 'linux', bins)).toBe('0-2');
  });

  it('leaves a run of all cores, another platform, or a machine without taskset alone', () => {
    expect(cpuPinning(2, 2, 'linux', bins)).toBeUndefined();
    expect(cpuPinning(4, 2, 'linux', bins)).toBeUndefined();
    expect(cpuPinning(1, 2, 'darwin', bins)).toBeUndefined();
    expect(cpuPinning(1, 2, 'linux', noTaskset)).toBeUndefined();
  });
});
