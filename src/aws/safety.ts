/**
 * Safe AWS mode: a job that runs on Lambda must keep its state and data where Lambdas can reach
 * them. A local job store, a local input path or a local output path would land in (or be read
 * from) an executor's `/tmp` — refused at submission, naming the path at fault.
 */
import { PlanError } from '../../planner/errors.js';
import { collectScans, type PlanNode, type Sink } from '../../planner/plan.js';
import { locate } from '../storage/url.js';
import type { StoreRef } from '../storage/store.js';

/** Throws `LOCAL_PATH_ON_AWS` when the job store, a scanned dataset or the output is not in S3. */
export function assertAwsSafe(root: PlanNode, sink: Sink, store: StoreRef): void {
  if (store.kind !== 's3')
    throw new PlanError(
      'LOCAL_PATH_ON_AWS',
      `the job store is local (${describe(store)}) but the job runs on AWS: Lambdas cannot reach it; use the stack's bucket, e.g. store: 's3://<bucket>/<prefix>'`,
      { store: describe(store) },
    );
  for (const s of collectScans(root)) refuseLocal(s.path, 'input');
  if (sink.kind === 'write') refuseLocal(sink.path, 'output');
}

function refuseLocal(url: string, what: 'input' | 'output'): void {
  if (locate(url).ref.kind === 's3') return;
  throw new PlanError(
    'LOCAL_PATH_ON_AWS',
    `${what} path '${url}' is local but the job runs on AWS: ${what === 'output' ? 'it would be written to a Lambda executor’s /tmp and lost' : 'Lambda executors cannot read it'}; use an s3:// path`,
    { path: url, [what]: url },
  );
}

function describe(store: StoreRef): string {
  return store.kind === 'local' ? store.root : `s3://${store.bucket}/${store.prefix}`;
}
