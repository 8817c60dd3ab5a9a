/**
 * Fault injection for the fault suite (test/faults*.test.ts): damage a committed shuffle object
 * in the store (delete, truncate, overwrite 4 KiB, flip one bit), and run a hook before the
 * local runner hands a task group to an executor — to damage what that group is about to read,
 * kill its executor, or run it twice.
 */
import type { Stage, StagePlan } from '../../planner/stages.js';
import type { Session } from '../../src/api/session.js';
import { cachedStore } from '../../src/runtime/env.js';
import { jobKeys, type StageCommit } from '../../src/runtime/jobState.js';
import type { ExecutorEvent, ExecutorOutput, GroupManifest, ShuffleOutput } from '../../src/runtime/protocol.js';
import { getJson, type ObjectStore } from '../../src/storage/store.js';

export type Damage = 'delete' | 'truncate' | 'overwrite4k' | 'bitflip';

/** Damage one object: gone, cut in half, 4 KiB of its partition data overwritten, or one bit flipped. */
export async function damage(store: ObjectStore, o: ShuffleOutput, how: Damage): Promise<void> {
  if (how === 'delete') return store.delete([o.key]);
  const bytes = (await store.get(o.key)).slice();
  if (how === 'truncate') return store.put(o.key, bytes.subarray(0, Math.floor(bytes.byteLength / 2)));
  // Inside the partition data (before the index), where a decoder would otherwise read it.
  const at = Math.floor(o.indexAt / 3);
  if (how === 'bitflip') bytes[at]! ^= 0x10;
  else for (let i = 0; i < Math.min(4096, o.indexAt - at); i++) bytes[at + i] = (i * 131 + 17) & 0xff;
  return store.put(o.key, bytes);
}

/** What a hook sees of a task group about to run. */
export interface GroupInfo {
  readonly event: ExecutorEvent;
  readonly jobId: string;
  readonly manifest: GroupManifest;
  readonly stage: Stage;
  readonly plan: StagePlan;
  readonly store: ObjectStore;
}

/** The committed shuffle outputs of a stage, by task. */
export async function committedOutputs(store: ObjectStore, jobId: string, stage: number): Promise<ShuffleOutput[]> {
  const commit = await getJson<StageCommit>(store, jobKeys(jobId).commit(stage));
  return commit.outputs.filter((o): o is ShuffleOutput => o.kind === 'shuffle' && o.rows > 0);
}

/**
 * Run `hook` before each executor invocation of the session's local runner; the hook may also
 * replace the invocation (`run` invokes the real executor). Returns a function that removes it.
 */
export function aroundGroups(
  s: Session,
  hook: (info: GroupInfo, run: () => Promise<ExecutorOutput>) => Promise<ExecutorOutput>,
): () => void {
  const pool = s.localRunner.pool;
  const invoke = pool.invoke.bind(pool);
  pool.invoke = async (event: ExecutorEvent) => {
    const store = cachedStore(event.job.store);
    const manifest = await getJson<GroupManifest>(store, event.group.manifest);
    const plan = await getJson<StagePlan>(store, jobKeys(manifest.jobId).stages);
    const stage = plan.stages[manifest.tasks[0]!.stage]!;
    return hook({ event, jobId: manifest.jobId, manifest, stage, plan, store }, () => invoke(event));
  };
  return () => {
    pool.invoke = invoke;
  };
}
