/**
 * `stratus report <job>`: one self-contained HTML file from the job's record in the store.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { CliContext } from '../context.js';
import { jobStatus } from '../jobs.js';
import { EXIT } from '../output.js';
import { reportData } from '../report/data.js';
import { reportHtml } from '../report/html.js';

export async function reportCommand(ctx: CliContext, jobId: string, opts: { out?: string }): Promise<number> {
  const store = await ctx.store();
  const status = await jobStatus(store, jobId, await ctx.awsRunner());
  const data = await reportData(store, status);
  const file = path.resolve(ctx.cwd, opts.out ?? `stratus-report-${jobId}.html`);
  writeFileSync(file, await reportHtml(data));
  if (ctx.json)
    ctx.io.out(
      JSON.stringify({
        jobId,
        file,
        status: status.status,
        tasks: data.bars.length,
        stragglers: data.bars.filter((b) => b.straggler).length,
        cost: data.cost,
      }),
    );
  else ctx.io.out(`report of ${jobId} (${status.status}): ${file}`);
  return EXIT.ok;
}
