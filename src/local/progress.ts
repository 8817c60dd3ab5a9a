/**
 * Progress of a job on a terminal: stages and tasks done/total and elapsed time, redrawn in
 * place on a TTY, and as plain lines (one per change) otherwise — e.g. in CI logs.
 */
import type { Progress } from '../runtime/protocol.js';

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
