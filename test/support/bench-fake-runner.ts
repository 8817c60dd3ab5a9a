/**
 * A runner process for the bench harness's tests (test/bench-schedule.test.ts): the runner
 * protocol of benchmarks/peers/protocol.ts over an engine that takes a few milliseconds per
 * query and answers one row. Its `dataDir` is `<log file>|<fault>|<query>`: every open (with
 * the pid) and every run is appended to the log, and at the fault's query the engine reports an
 * error (`error`), never answers (`hang`) or the process exits with code 3 (`crash`).
 */
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { serveRunner, type RunnerArgs } from '../../benchmarks/peers/protocol.js';

const args = JSON.parse(process.argv[2] ?? '{}') as RunnerArgs;
const [log = '', fault = 'none', at = '0'] = args.dataDir.split('|');
const name = `${args.engine}${args.threads}`;

await serveRunner(args.engine, async () => {
  appendFileSync(log, `open ${name} ${process.pid}\n`);
  return {
    supports: (q) => q !== 99,
    run: async (q) => {
      appendFileSync(log, `run ${name} Q${q}\n`);
      if (q === Number(at) && fault === 'error') throw new Error(`fake error in Q${q}`);
      if (q === Number(at) && fault === 'hang') await new Promise(() => setInterval(() => {}, 1000));
      if (q === Number(at) && fault === 'crash') process.exit(3);
      await sleep(2);
      return q;
    },
    rows: (q) => ({ columns: ['q'], rows: [[q]] }),
    close: async () => {},
  };
});
