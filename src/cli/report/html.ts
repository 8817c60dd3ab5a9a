/**
 * The job report as one self-contained HTML file: inline CSS and inline SVG charts, no script
 * and no external resource, so it opens from disk, in a mail, or in CI artifacts.
 */
import { bytesSpec, phasesSpec, timelineSpec, toSvg } from './charts.js';
import type { ReportData } from './data.js';

const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const mib = (b: number) => `${(b / 2 ** 20).toFixed(2)} MiB`;
const usd = (x: number) => `$${x < 0.01 ? x.toFixed(6) : x.toFixed(4)}`;

function table(head: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

export async function reportHtml(d: ReportData): Promise<string> {
  const s = d.status;
  const [timeline, phases, bytes] = await Promise.all([
    d.bars.length ? toSvg(timelineSpec(d.bars)) : Promise.resolve('<p>No task reports recorded for this job.</p>'),
    d.stages.length ? toSvg(phasesSpec(d)) : Promise.resolve(''),
    d.stages.length ? toSvg(bytesSpec(d)) : Promise.resolve(''),
  ]);
  const stragglers = d.bars.filter((b) => b.straggler);
  const failed = d.bars.filter((b) => !b.ok);
  const c = d.cost;
  const t = d.totals;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Stratus job ${esc(s.jobId)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
pre{background:#f7f7f7;padding:8px;overflow:auto;font-size:12px}
.status{font-weight:bold}.succeeded{color:#2a7}.failed,.cancelled{color:#c33}
.kv td{text-align:left}
</style></head><body>
<h1>Stratus job <code>${esc(s.jobId)}</code> — <span class="status ${esc(s.status)}">${esc(s.status)}</span></h1>
<table class="kv">
<tr><td>submitted</td><td>${esc(d.submittedAt ?? '?')}</td></tr>
<tr><td>wall time</td><td>${d.wallMillis !== undefined ? secs(d.wallMillis) : '—'}</td></tr>
<tr><td>stages / tasks</td><td>${s.progress.stagesDone}/${s.progress.stagesTotal} stages, ${s.progress.tasksDone}/${s.progress.tasksTotal} tasks</td></tr>
<tr><td>rows</td><td>${s.rows ?? '—'}</td></tr>
<tr><td>output</td><td>${esc(s.sink)}</td></tr>
${s.error ? `<tr><td>error</td><td>${esc(`${s.error.code}: ${s.error.message}`)}</td></tr>` : ''}
</table>
<h2>Timeline</h2>
<p>Each bar is one task attempt, on the executor instance and invocation that ran it. Red outline: a straggler (more than twice its stage's median and ≥ 0.5 s longer); black: a failed attempt.</p>
${timeline}
<h2>Stages</h2>
${table(
  [
    'stage',
    'status',
    'tasks',
    'attempts',
    'retries',
    'wall',
    'task time',
    'median task',
    'longest task',
    'read',
    'written',
    'requests',
  ],
  d.stages.map((st) => [
    st.id,
    st.status,
    st.tasks,
    st.attempts,
    st.retries,
    secs(st.wallMillis),
    secs(st.taskMillis),
    secs(st.medianTaskMillis),
    secs(st.maxTaskMillis),
    mib(st.stats.bytesIn ?? 0),
    mib(st.stats.bytesOut ?? 0),
    (st.stats.get ?? 0) + (st.stats.put ?? 0) + (st.stats.list ?? 0) + (st.stats.head ?? 0) + (st.stats.delete ?? 0),
  ]),
)}
<h2>Where the time went</h2>
${phases}
<h2>Bytes and requests</h2>
${bytes}
${table(
  ['GET', 'PUT', 'LIST', 'HEAD', 'DELETE', 'retries', 'read', 'written'],
  [
    [
      t.get ?? 0,
      t.put ?? 0,
      t.list ?? 0,
      t.head ?? 0,
      t.delete ?? 0,
      t.retries ?? 0,
      mib(t.bytesIn ?? 0),
      mib(t.bytesOut ?? 0),
    ],
  ],
)}
<h2>Retries and stragglers</h2>
${
  stragglers.length || failed.length
    ? table(
        ['stage', 'task', 'attempt', 'time', 'stage median', 'executor', 'what'],
        [...stragglers, ...failed].map((b) => [
          b.stage,
          b.task,
          b.attempt,
          secs(b.millis),
          secs(d.stages.find((x) => x.id === b.stage)?.medianTaskMillis ?? 0),
          b.executor,
          b.ok ? 'straggler' : (b.error ?? 'failed'),
        ]),
      )
    : '<p>No straggler and no failed attempt.</p>'
}
<h2>Cost estimate on AWS</h2>
<p>At us-east-1 list prices (Lambda arm64 $${0.0000133334}/GB-s, 10 GB executors billed for the span of their tasks; S3 requests; Step Functions Standard transitions, estimated from the history account). An estimate of what this job would cost on Lambda, not a bill.</p>
${table(
  ['executor GB-s', 'invocations', 'S3 writes', 'S3 reads', 'transitions', 'Lambda', 'S3', 'Step Functions', 'total'],
  [
    [
      c.executorGbSeconds.toFixed(1),
      c.invocations,
      c.s3Writes,
      c.s3Reads,
      c.transitions,
      usd(c.dollars.lambda),
      usd(c.dollars.s3),
      usd(c.dollars.stepFunctions),
      usd(c.dollars.total),
    ],
  ],
)}
<h2>Plan</h2>
<pre>${esc(d.plan ?? '(the staged plan is not recorded: the job never planned)')}</pre>
<h2>Options</h2>
<pre>${esc(JSON.stringify(d.options, null, 2))}</pre>
<p style="color:#888">Generated by <code>stratus report</code> at ${esc(new Date().toISOString())}.</p>
</body></html>
`;
}
