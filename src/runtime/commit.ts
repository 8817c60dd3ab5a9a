/**
 * The job commit for writes: staged Parquet files (under `<path>/_temporary/<job>/`, invisible
 * to readers) are moved into place according to the save mode, then `_SUCCESS` is written. A
 * failed job only deletes its staging directory, so it never leaves visible output.
 */
import { StorageError } from '../../planner/errors.js';
import type { Sink } from '../../planner/plan.js';
import { locate } from '../storage/url.js';
import type { ObjectStore, StoreRef } from '../storage/store.js';
import type { RuntimeEnv } from './env.js';
import type { TaskOutput } from './protocol.js';

type WriteSink = Extract<Sink, { kind: 'write' }>;

export const stagingUrl = (path: string, jobId: string) => `${path.replace(/\/+$/, '')}/_temporary/${jobId}`;

/** Data files already at the destination (hidden `_`/`.` entries excluded). */
export async function existingFiles(store: ObjectStore, key: string): Promise<string[]> {
  const objects = await store.list(key ? `${key}/` : '');
  return objects
    .map((o) => o.key)
    .filter(
      (k) =>
        !k
          .slice(key.length + 1)
          .split('/')
          .some((seg) => seg.startsWith('_') || seg.startsWith('.')),
    );
}

export async function destinationExists(sink: WriteSink, env: RuntimeEnv, storeRef: StoreRef): Promise<boolean> {
  const loc = locate(sink.path, storeRef);
  const store = env.store(loc.ref);
  return (await store.head(loc.key)) !== undefined || (await existingFiles(store, loc.key)).length > 0;
}

/** Move the staged files into place. Returns the number of files committed. */
export async function commitWrite(
  sink: WriteSink,
  jobId: string,
  outputs: readonly TaskOutput[],
  env: RuntimeEnv,
  storeRef: StoreRef,
): Promise<number> {
  const loc = locate(sink.path, storeRef);
  const store = env.store(loc.ref);
  const existing = await existingFiles(store, loc.key);
  if (existing.length && sink.mode === 'errorIfExists') {
    throw new StorageError(
      'PATH_EXISTS',
      `output path '${sink.path}' already exists; use mode 'overwrite', 'append' or 'ignore'`,
      { path: sink.path },
    );
  }
  if (sink.mode === 'overwrite')
    await store.delete([...existing, ...((await store.head(`${loc.key}/_SUCCESS`)) ? [`${loc.key}/_SUCCESS`] : [])]);
  let n = 0;
  for (const o of outputs) {
    if (o.kind !== 'write') continue;
    for (const f of o.files) {
      const from = locate(f.url, storeRef).key;
      // Attempt ids stay out of final names; the job id keeps appends from colliding.
      const name = f.relative.replace(/part-(\d+)\.\d+\.[0-9a-f]+\.parquet$/, `part-$1-${jobId}.parquet`);
      await store.copy(from, `${loc.key}/${name}`);
      n++;
    }
  }
  await store.put(`${loc.key}/_SUCCESS`, new Uint8Array(0));
  await abortWrite(sink, jobId, env, storeRef);
  return n;
}

/** Delete a job's staging directory (after commit, or when the job fails). */
export async function abortWrite(sink: WriteSink, jobId: string, env: RuntimeEnv, storeRef: StoreRef): Promise<void> {
  const loc = locate(stagingUrl(sink.path, jobId), storeRef);
  const store = env.store(loc.ref);
  const staged = await store.list(`${loc.key}/`);
  await store.delete(staged.map((o) => o.key));
}
