/**
 * Per-task timing counters (milliseconds by phase: decode, shuffleWrite, shuffleRead, ...).
 * An executor runs one task at a time per process or thread, so a module-level set suffices:
 * it is reset at the start of each task and read at its end.
 */
export type Phase = 'decode' | 'shuffleWrite' | 'shuffleRead' | 'write';

let current: Record<Phase, number> = { decode: 0, shuffleWrite: 0, shuffleRead: 0, write: 0 };

export function resetMetrics(): void {
  current = { decode: 0, shuffleWrite: 0, shuffleRead: 0, write: 0 };
}

export function metrics(): Readonly<Record<Phase, number>> {
  return { ...current };
}

export function addTime(phase: Phase, ms: number): void {
  current[phase] += ms;
}

export async function timed<T>(phase: Phase, f: () => Promise<T> | T): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    current[phase] += performance.now() - t0;
  }
}
