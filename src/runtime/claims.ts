/**
 * Work stealing between the executors of a round. A stage's tasks are split into groups of
 * near-equal input up front, but inputs of equal bytes cost unequal time (a filter keeps more
 * of one file, a partition's keys hash worse, an instance runs slower), so an executor that
 * ends its own tasks first takes unstarted ones of the other groups of its stage, the last of
 * each group first (the owner runs its list from the front). Every task of a round that has
 * other groups is claimed in the store before it runs (putIfAbsent on an attempt's key, naming
 * the group), so an attempt runs in one group. A group's invocation run again (a retry, a
 * duplicate) runs what its group claimed, as it did without claims; a claim the store fails to
 * write lets the owner run its task anyway. Duplicate attempts are harmless: outputs are
 * attempt-unique and the driver keeps one report per attempt.
 */
import type { ObjectStore } from '../storage/store.js';
import { jobKeys } from './jobState.js';
import type { GroupManifest, TaskSpec } from './protocol.js';

export class TaskQueue {
  private readonly own: TaskSpec[];
  /** Other groups' tasks, each list consumed from its end. */
  private readonly others: TaskSpec[][];
  private victim = 0;

  private readonly group: Uint8Array;

  constructor(
    private readonly store: ObjectStore,
    private readonly manifest: GroupManifest,
    group: number,
  ) {
    this.group = new TextEncoder().encode(String(group));
    this.own = [...manifest.tasks];
    this.others = (manifest.others ?? []).map((g) => [...g]).filter((g) => g.length > 0);
  }

  /** Tasks this invocation may still run (its own and the others' unstarted ones, at most). */
  get size(): number {
    return this.own.length + this.others.reduce((a, g) => a + g.length, 0);
  }

  /** Whether tasks are claimed (the round has other groups of this stage). */
  get shared(): boolean {
    return this.manifest.others !== undefined && this.manifest.others.length > 0;
  }

  /** The next own task this invocation claims, or undefined when none is left. */
  async nextOwn(): Promise<TaskSpec | undefined> {
    for (let t = this.own.shift(); t; t = this.own.shift()) if (await this.claim(t, true)) return t;
    return undefined;
  }

  /** An unstarted task of another group, claimed for this invocation, or undefined. */
  async steal(): Promise<TaskSpec | undefined> {
    while (this.others.length) {
      this.victim %= this.others.length;
      const list = this.others[this.victim]!;
      const t = list.pop()!;
      if (!list.length) this.others.splice(this.victim, 1);
      else this.victim++;
      if (await this.claim(t, false)) return t;
    }
    return undefined;
  }

  private async claim(t: TaskSpec, own: boolean): Promise<boolean> {
    if (!this.shared) return true;
    const key = jobKeys(this.manifest.jobId).claim(this.manifest.round, t.stage, t.task, t.attempt);
    try {
      if (await this.store.putIfAbsent(key, this.group)) return true;
      const by = await this.store.get(key);
      return by.length === this.group.length && by.every((b, i) => b === this.group[i]);
    } catch {
      return own;
    }
  }
}
