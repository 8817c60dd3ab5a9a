import { describe, expect, it } from 'vitest';
import type { Stage } from '../planner/stages.js';
import type { OperatorContext } from '../operators/operator.js';
import type { RuntimeEnv } from '../src/runtime/env.js';
import type { ExecutorEvent, TaskSpec } from '../src/runtime/protocol.js';
import { taskSource } from '../src/runtime/task.js';
import type { ObjectStore } from '../src/storage/store.js';

// Never started here: the sources are only created, so nothing is read.
const event = { job: { jobId: 'j', store: 'file:///nowhere' } } as unknown as ExecutorEvent;
const env = {} as RuntimeEnv;
const store = {} as ObjectStore;
const ctx: OperatorContext = {};
const scanStage = { id: 0, source: { kind: 'scan', schema: [], filters: [] }, ops: [] } as unknown as Stage;
const shuffleStage = { id: 1, source: { kind: 'shuffle', stages: [0], schema: [] }, ops: [] } as unknown as Stage;
const scanTask = (task: number) =>
  ({ stage: 0, task, attempt: 0, input: { kind: 'scan', parts: [] } }) as unknown as TaskSpec;
const shuffleTask = (task: number) =>
  ({ stage: 1, task, attempt: 0, input: { kind: 'shuffle', partition: task } }) as unknown as TaskSpec;

describe('task sources', () => {
  // Generators of a closure made per task each have a prototype (and so a map) of their own:
  // code optimized for one task's would be thrown away once that task's closure is collected.
  it('every task of a kind reads from generators of one prototype', () => {
    const proto = (s: AsyncIterable<unknown>) => Object.getPrototypeOf(s) as object;
    const scans = [0, 1].map((t) => proto(taskSource(scanStage, scanTask(t), event, env, store, ctx)));
    const reads = [0, 1].map((t) => proto(taskSource(shuffleStage, shuffleTask(t), event, env, store, ctx)));
    expect(scans[0]).toBe(scans[1]);
    expect(reads[0]).toBe(reads[1]);
  });
});
