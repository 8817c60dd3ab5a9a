/**
 * Execution history. A Step Functions execution holds at most 25,000 history events; the
 * driver estimates what each step costs and, before a step could cross the cap, chains a new
 * execution that carries on the same job from its state in the store.
 */
export const HISTORY_EVENT_CAP = 25_000;
/** Kept free for the chaining steps themselves and estimate error. */
const HISTORY_MARGIN = 500;

/** Task state: entered, scheduled, started, succeeded, exited; then the Choice: entered, exited. */
export const DRIVER_STEP_EVENTS = 7;
export const WAIT_EVENTS = 2;

/** A Map state: entered, started, succeeded, exited; each iteration: started, succeeded + a Task's 5. */
export function mapEvents(groups: number): number {
  return 4 + 7 * groups;
}

export interface HistoryState {
  /** Which execution of the job's chain this is (0 = the first). */
  execution: number;
  /** Events this execution has used so far (estimated). */
  events: number;
}

/** Whether scheduling a round of `groups` executors (and the driver step after it) stays under the cap. */
export function fitsInHistory(h: HistoryState, groups: number, cap = HISTORY_EVENT_CAP): boolean {
  const margin = Math.min(HISTORY_MARGIN, Math.floor(cap / 10));
  return h.events + mapEvents(groups) + DRIVER_STEP_EVENTS + margin <= cap;
}
