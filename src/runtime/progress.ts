/**
 * Progress of a job on a terminal: stages and tasks done/total and elapsed time, redrawn in
 * place on a TTY, and as plain lines (one per change) otherwise — e.g. in CI logs.
 */
import type { JobState } from './jobState.js';
import type { Progress } from './protocol.js';

/** Stages and tasks of a job, done and in all, from its state (the driver's and the AWS client's view). */
export function jobProgress(state: JobState): Progress {
  const tasks = state.stages.flatMap((s) => s.tasks);
  return {
    stagesDone: state.stages.filter((s) => s.status === 'done').length,
    stagesTotal: state.stages.length,
    tasksDone: tasks.filter((t) => t.status === 'done').length,
    tasksTotal: tasks.length,
    running: state.stages.filter((s) => s.status === 'running').map((s) => s.id),
  };
}

export interface ProgressSink {
  update(p: Progress): void;
  done(summary: string): void;
}

export function progressSink(stream: NodeJS.WriteStream = process.stderr, label = 'job'): ProgressSink {
  const t0 = Date.now();
  let last = '';
  const line = (p: Progress) =>
    `[stratus] ${label}: stages ${p.stagesDone}/${p.stagesTotal}, tasks ${p.tasksDone}/${p.tasksTotal}${p.running.length ? `, running stage ${p.running.join(',')}` : ''}, ${((Date.now() - t0) / 1000).toFixed(1)}s`;
  return {
    update(p) {
      const text = line(p);
      if (stream.isTTY) stream.write(`\r\x1b[2K${text}`);
      else {
        const key = `${p.stagesDone}/${p.tasksDone}/${p.running.join(',')}`;
        if (key !== last) stream.write(`${text}\n`);
        last = key;
      }
    },
    done(summary) {
      stream.write(
        `${stream.isTTY ? '\r\x1b[2K' : ''}[stratus] ${label}: ${summary} in ${((Date.now() - t0) / 1000).toFixed(2)}s\n`,
      );
    },
  };
}

export const silentProgress: ProgressSink = { update() {}, done() {} };
