/**
 * Runs the `stratus` CLI in-process for the CLI tests: output captured, progress off.
 */
import { main, type MainOptions } from '../../src/cli/main.js';

/** One CLI run: its exit code and what it printed. */
export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly json: () => Record<string, unknown>;
}

/** `stratus <argv>` with stdout and stderr captured (`opts.io` is the capture; the rest passes through). */
export async function runCli(argv: readonly string[], opts: Omit<MainOptions, 'io'> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, {
    ...opts,
    io: { out: (t) => out.push(t), err: (t) => err.push(t) },
    env: { ...process.env, STRATUS_PROGRESS: '0', ...opts.env },
  });
  const text = out.join('\n');
  return { code, out: text, err: err.join('\n'), json: () => JSON.parse(text) as Record<string, unknown> };
}
