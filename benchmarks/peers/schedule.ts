/**
 * The order in which the harness drives its runner processes (run.ts, peers/drive.ts): query by
 * query; for each, every process begins it, then warm-up rounds and timed rounds run it once in
 * every process, then every process finishes it. The processes' order rotates from round to
 * round (and from query to query), so none always goes first or last.
 *
 * Why: this host's speed drifts by up to 1.7x within minutes. Run one process after another and
 * every ratio across processes (Stratus 1→2 threads, SF10/SF1, Stratus/DuckDB) inherits the
 * drift between their turns; interleaved, a query's medians in every process come from the same
 * minutes, and the drift hits both sides of a ratio alike (the A/B remedy). Pure, for the tests.
 *
 * @example
 * interleave(2, [6], 0, 2)
 * // begin Q6 in 0, 1; run Q6 timed in 0, 1; then in 1, 0; finish Q6 in 0, 1
 */

export type Step =
  | { readonly op: 'begin'; readonly query: number; readonly proc: number }
  | { readonly op: 'finish'; readonly query: number; readonly proc: number }
  | {
      readonly op: 'run';
      readonly query: number;
      readonly proc: number;
      readonly timed: boolean;
      /** 1-based count of this run among the query's warm-ups, or among its timed runs. */
      readonly nth: number;
    };

/** Process indices 0..n-1 rotated left by `by`. */
export function rotation(n: number, by: number): number[] {
  return Array.from({ length: n }, (_, i) => (i + by) % n);
}

/** Every step of a bench of `processes` runners over `queries`, in the order the harness takes them. */
export function interleave(processes: number, queries: readonly number[], warmup: number, runs: number): Step[] {
  const all = rotation(processes, 0);
  const steps: Step[] = [];
  for (const [qi, query] of queries.entries()) {
    steps.push(...all.map((proc) => ({ op: 'begin' as const, query, proc })));
    for (let round = 0; round < warmup + runs; round++) {
      const timed = round >= warmup;
      const nth = timed ? round - warmup + 1 : round + 1;
      for (const proc of rotation(processes, (qi + round) % processes))
        steps.push({ op: 'run', query, proc, timed, nth });
    }
    steps.push(...all.map((proc) => ({ op: 'finish' as const, query, proc })));
  }
  return steps;
}
