/**
 * The demo: generates a small TPC-H dataset with the project's own generator (cached under
 * .stratus/demo), runs TPC-H Q1 as a Stratus job in local mode — the same state machine and
 * handlers as on AWS, executors in separate processes — and prints the result table.
 *
 *   npm run demo [-- --sf 0.1]
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { generateTpch } from './datagen/index.js';
import { QUERIES, tpchTables } from './tpch/queries/index.js';
import { session } from '../src/index.js';

const { values } = parseArgs({
  options: { sf: { type: 'string', default: '0.1' }, query: { type: 'string', default: '1' } },
});
const sf = Number(values.sf);
const q = Number(values.query);
const query = QUERIES[q];
if (!(sf > 0) || !query) {
  console.error(
    `usage: npm run demo -- [--sf <scale factor>] [--query <n>]; queries available: ${Object.keys(QUERIES).join(', ')}`,
  );
  process.exit(2);
}

const t0 = performance.now();
const dir = path.resolve('.stratus', 'demo', `tpch-sf${sf}`);
if (!existsSync(path.join(dir, '_COMPLETE'))) {
  console.error(`[demo] generating TPC-H SF${sf} into ${dir} ...`);
  await generateTpch({ sf, dir, compression: 'snappy' });
  await import('node:fs/promises').then((fs) => fs.writeFile(path.join(dir, '_COMPLETE'), ''));
}
const t1 = performance.now();

const s = session();
try {
  console.error(`[demo] running TPC-H Q${q} in local mode`);
  const df = query(tpchTables(s, dir));
  const t2 = performance.now();
  await df.show(100);
  const t3 = performance.now();
  console.error(
    `[demo] data ${((t1 - t0) / 1000).toFixed(1)}s, query ${((t3 - t2) / 1000).toFixed(2)}s (includes starting the executor processes)`,
  );
} finally {
  await s.stop();
}
