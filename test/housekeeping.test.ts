/**
 * Housekeeping and process life: a finished job leaves no scratch data and no empty folders;
 * failed jobs stay for `resume` until `gc()` finds them older than the retention; a running job
 * is never collected; a script that forgets `stop()` still exits; and a client killed (SIGKILL,
 * a real child process) in the middle of a commit leaves a job that is refused while its lease
 * lives and resumed once it expires — the destination old, then new, never neither — with its
 * job store and output on a local disk and on S3 (the lease goes through the store facade). A
 * session killed with cached results leaves its area (`sessions/<id>/`) to `gc`, which removes it
 * once its lease has expired and the retention passed, never a live session's (local and S3).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { col, count, session, type Session } from '../src/index.js';
import { commitHooks } from '../src/runtime/commitRecord.js';
import { cachedStore } from '../src/runtime/env.js';
import { normalizeDataUrl } from '../src/storage/url.js';
import { expectSameTyped, type TypedResult } from './support/fixtures.js';
import { filesUnder, inputRows, stratusRows, writeInput } from './support/commitFixtures.js';
import { tempDir } from './support/tpch.js';
import { s3Store, uniquePrefix } from './support/s3data.js';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
let db: DuckDBConnection;
let dir: string;
let A: string;
let B: string;

beforeAll(async () => {
  db = await (await DuckDBInstance.create(':memory:')).connect();
  dir = tempDir('stratus-house-');
  A = await writeInput(db, path.join(dir, 'a.parquet'), 0, 300);
  B = await writeInput(db, path.join(dir, 'b.parquet'), 1000, 200);
});
afterAll(() => db.closeSync());

/** Run a TypeScript script in a child Node process (tsx), with a time limit. */
function runScript(
  source: string,
  timeoutMs: number,
): Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string; timedOut: boolean }> {
  const file = path.join(dir, `script-${Math.random().toString(36).slice(2)}.mts`);
  fs.writeFileSync(file, source.replaceAll('@root', ROOT));
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, STRATUS_PROGRESS: '0' },
  });
  let stdout = '';
  let stderr = '';
  let timedOut = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    }),
  );
}

const jobDirs = (store: string) =>
  fs.existsSync(path.join(store, 'jobs')) ? fs.readdirSync(path.join(store, 'jobs')) : [];

describe('scratch data', () => {
  let s: Session;
  let kept: Session;
  let store: string;
  let keptStore: string;
  beforeAll(() => {
    store = tempDir();
    keptStore = tempDir();
    s = session({ store, executors: 2, progress: false });
    kept = session({ store: keptStore, executors: 2, progress: false, keepJobs: true });
  });
  afterAll(async () => {
    await s.stop();
    await kept.stop();
  });

  const frame = (x: Session) => x.read.parquet(A).groupBy('p').agg(count('*').alias('n')).orderBy('p');
  const query = (x: Session) => frame(x).take(5);

  it('a finished job leaves nothing in the job store, not even empty folders, once the session stops', async () => {
    expect(await query(s)).toEqual([
      { p: 0, n: 150 },
      { p: 1, n: 150 },
    ]);
    await s.read.parquet(A).write.partitionBy('p').parquet(path.join(dir, 'w1'));
    // The removals run in the background; stop() waits for them.
    await s.stop();
    expect(jobDirs(store)).toEqual([]);
  });

  it('the driver leaves the scratch data of a job its client deletes to that deletion (no timeline)', async () => {
    // keepJobs: this client keeps the folder, so what the driver left is visible.
    const jobs = path.join(keptStore, 'jobs');
    await kept.execute(frame(kept).plan, 'job', { deletedByClient: true });
    const files = filesUnder(path.join(jobs, kept.lastJobId!));
    expect(files.some((f) => f.startsWith('shuffle/'))).toBe(true);
    expect(files).not.toContain('timeline.json');
  });

  it('the driver removes the shuffle data and manifests of a succeeded job; keepJobs keeps them', async () => {
    // The client keeps the job folder here, so what the driver left is visible.
    const scratch = /^(shuffle|manifests|summaries|footers|stages)\//;
    const cleaned = session({
      store: keptStore,
      executors: 2,
      progress: false,
      keepJobs: true,
      job: { keepScratch: false },
    });
    try {
      await query(cleaned);
      const files = filesUnder(path.join(keptStore, 'jobs', cleaned.lastJobId!));
      expect(files.some((f) => f.startsWith('result'))).toBe(true);
      expect(files).toContain('job.json');
      expect(files).toContain('state.json');
      expect(files.filter((f) => scratch.test(f))).toEqual([]);
    } finally {
      await cleaned.stop();
    }
    await query(kept);
    const files = filesUnder(path.join(keptStore, 'jobs', kept.lastJobId!));
    expect(files.filter((f) => f.startsWith('shuffle/')).length).toBeGreaterThan(0);
    expect(files.filter((f) => f.startsWith('manifests/')).length).toBeGreaterThan(0);
  });
});

describe('gc', () => {
  it('keeps a failed job for resume within the retention, then removes it; never a running job', async () => {
    const store = tempDir();
    const s = session({ store, executors: 2, progress: false });
    try {
      // A file whose pages are zeroed (footer intact): the job plans, then fails in an executor.
      const bad = path.join(dir, 'bad');
      fs.mkdirSync(bad);
      const bytes = fs.readFileSync(A);
      const footer = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
      bytes.fill(0x5a, 4, footer);
      fs.writeFileSync(path.join(bad, 'x.parquet'), bytes);
      const err = await s.read
        .parquet(bad)
        .groupBy('p')
        .agg(count('*'))
        .collect()
        .catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      const failed = s.lastJobId!;
      expect(jobDirs(store)).toContain(failed);
      expect((await s.gc({ retentionMs: 3600_000 })).kept).toContain(failed);
      expect(jobDirs(store)).toContain(failed);

      // A job in the middle of its commit holds a live lease: gc leaves it alone.
      const dest = path.join(dir, 'gc-running');
      const url = normalizeDataUrl(dest);
      let during: Awaited<ReturnType<Session['gc']>> | undefined;
      commitHooks.afterStep = async (step, at) => {
        if (at === url && step === 'copy:0') during = await s.gc({ retentionMs: 0 });
      };
      try {
        await s.read.parquet(A).write.parquet(dest);
      } finally {
        commitHooks.afterStep = undefined;
      }
      expect(during?.kept).toContain(s.lastJobId);
      expect(during?.removed.map((r) => r.jobId)).toEqual([failed]);
      await s.stop(); // the write job is removed in the background; stop() waits for that
      expect(jobDirs(store)).toEqual([]);
    } finally {
      await s.stop();
    }
  });

  it('removes a job folder that holds no submission (what a cancelled runner leaves) as orphaned, within any retention', async () => {
    const store = tempDir();
    const s = session({ store, executors: 1, progress: false });
    try {
      const orphan = path.join(store, 'jobs', '20261201000000-0rphan00', 'progress');
      fs.mkdirSync(orphan, { recursive: true });
      fs.writeFileSync(path.join(orphan, '0.json'), '{}');
      const report = await s.gc();
      expect(report.removed).toEqual([{ jobId: '20261201000000-0rphan00', status: 'orphaned' }]);
      expect(jobDirs(store)).toEqual([]);
    } finally {
      await s.stop();
    }
  });
});

describe('process life', () => {
  it('a script that never calls stop() exits when its work is done; one that does, too', async () => {
    const store = tempDir();
    const out = path.join(dir, 'no-stop');
    const run = await runScript(
      `import { session } from '@root/src/index.ts';
       const s = session({ store: ${JSON.stringify(store)}, executors: 2, progress: false });
       const n = await s.read.parquet(${JSON.stringify(A)}).count();
       await s.read.parquet(${JSON.stringify(A)}).write.parquet(${JSON.stringify(out)});
       console.log('rows', n);`,
      120_000,
    );
    expect(run.timedOut, run.stderr).toBe(false);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('rows 300');
    expect(fs.existsSync(path.join(out, '_SUCCESS'))).toBe(true);

    // And one that does: awaiting stop() at the top level waits for the idle executors to exit
    // (an unsettled top-level await would end the process with code 13).
    const stopped = await runScript(
      `import { session } from '@root/src/index.ts';
       const s = session({ store: ${JSON.stringify(store)}, executors: 2, progress: false });
       console.log('rows', await s.read.parquet(${JSON.stringify(A)}).count());
       await s.stop();
       console.log('stopped');`,
      120_000,
    );
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain('stopped');
  });

  /**
   * A client (a real child process) killed by SIGKILL after the first copy of an overwrite of
   * `dest`: resume is refused while the dead client's lease lives, then succeeds; the output reads
   * old, then new, and no commit record or staged file is left (`leftovers` lists them).
   */
  async function killedMidCommit(o: {
    store: string;
    endpoint?: string;
    a: string;
    b: string;
    dest: string;
    leftovers: () => Promise<string[]>;
    hasSuccess: () => Promise<boolean>;
  }): Promise<void> {
    const opts = { store: o.store, executors: 2, progress: false, ...(o.endpoint ? { endpoint: o.endpoint } : {}) };
    const s = session(opts);
    try {
      await s.read.parquet(o.a).write.partitionBy('p').parquet(o.dest);
      const run = await runScript(
        `import { session } from '@root/src/index.ts';
         import { commitHooks } from '@root/src/runtime/commitRecord.ts';
         const s = session({ ...${JSON.stringify(opts)}, leaseMs: 15000 });
         commitHooks.afterStep = (step) => {
           if (step !== 'copy:0') return;
           console.log(JSON.stringify({ jobId: s.lastJobId }));
           process.kill(process.pid, 'SIGKILL');
         };
         await s.read.parquet(${JSON.stringify(o.b)}).write.mode('overwrite').partitionBy('p').parquet(${JSON.stringify(o.dest)});
         console.log('not killed');`,
        120_000,
      );
      expect(run.signal, run.stderr).toBe('SIGKILL');
      const { jobId } = JSON.parse(run.stdout.trim().split('\n')[0]!) as { jobId: string };
      // At once: the dead client's lease (renewed every third of its 15 s) is still live.
      const refused = await s.resume(jobId).catch((e) => e);
      expect(refused.code, refused.message).toBe('NOT_RESUMABLE');
      expect(refused.message).toMatch(/is running .* holds its lease until/);
      const [oldRows, newRows] = [await inputRows(db, [A]), await inputRows(db, [B])];
      expectSameTyped((await stratusRows(s, o.dest)) as TypedResult, oldRows);
      expect(await o.hasSuccess()).toBe(false);
      for (const deadline = Date.now() + 60_000; ; ) {
        const r = await s.resume(jobId).then(
          () => undefined,
          (e: Error & { code?: string }) => e,
        );
        if (!r) break;
        expect(r.code, r.message).toBe('NOT_RESUMABLE');
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((res) => setTimeout(res, 500));
      }
      expectSameTyped((await stratusRows(s, o.dest)) as TypedResult, newRows);
      expect(await o.leftovers()).toEqual([]);
      expect(await o.hasSuccess()).toBe(true);
      expect(await s.read.parquet(o.dest).filter(col('id').lt(1000)).count()).toBe(0);
    } finally {
      await s.stop();
    }
  }

  it('a client killed mid-commit: refused while its lease lives, then resumed; old, then new', async () => {
    const dest = path.join(dir, 'killed');
    await killedMidCommit({
      store: tempDir(),
      a: A,
      b: B,
      dest,
      leftovers: async () =>
        filesUnder(dest).filter((f) => f.startsWith('_stratus/commits/') || f.startsWith('_temporary/')),
      hasSuccess: async () => fs.existsSync(path.join(dest, '_SUCCESS')),
    });
  });

  it('the same on S3: the job lease and the commit record live in the S3 store', async () => {
    const endpoint = inject('s3Endpoint');
    const bucket = inject('s3Bucket');
    const prefix = uniquePrefix('house-lease');
    const store = s3Store({ endpoint, bucket, prefix });
    await store.put('in/a.parquet', new Uint8Array(fs.readFileSync(A)));
    await store.put('in/b.parquet', new Uint8Array(fs.readFileSync(B)));
    const url = (k: string) => `s3://${bucket}/${prefix}/${k}`;
    await killedMidCommit({
      store: url('jobs'),
      endpoint,
      a: url('in/a.parquet'),
      b: url('in/b.parquet'),
      dest: url('out'),
      leftovers: async () =>
        (await store.list('out/'))
          .map((o) => o.key.slice('out/'.length))
          .filter((k) => k.startsWith('_stratus/commits/') || k.startsWith('_temporary/')),
      hasSuccess: async () => (await store.head('out/_SUCCESS')) !== undefined,
    });
  });

  /**
   * A session (a real child process) caches a result, then is killed: its area stays while the
   * retention runs, and goes at the first gc after its lease expired; the area of a live session
   * of this process (with a cached result too) is never taken, whatever the retention.
   */
  async function killedWithCache(o: { store: string; endpoint?: string; input: string }): Promise<void> {
    const opts = { store: o.store, executors: 1, progress: false, ...(o.endpoint ? { endpoint: o.endpoint } : {}) };
    const s = session(opts);
    const live = session({ ...opts, leaseMs: 120_000 });
    const jobStore = cachedStore(s.storeRef);
    const keys = async () => (await jobStore.list('sessions/')).map((x) => x.key).sort();
    const ids = async () => [...new Set((await keys()).map((k) => k.split('/')[1]!))].sort();
    try {
      const hot = live.read.parquet(o.input).filter(col('p').equalTo(1)).cache();
      expect(await hot.count()).toBe(150);
      const [liveId] = await ids();
      expect(await ids()).toEqual([liveId]);
      const run = await runScript(
        `import { session } from '@root/src/index.ts';
         const s = session({ ...${JSON.stringify(opts)}, leaseMs: 2000 });
         const df = s.read.parquet(${JSON.stringify(o.input)}).cache();
         console.log(JSON.stringify({ n: await df.count() }));
         process.kill(process.pid, 'SIGKILL');`,
        120_000,
      );
      expect(run.signal, run.stderr).toBe('SIGKILL');
      expect(JSON.parse(run.stdout.trim())).toEqual({ n: 300 });
      const deadId = (await ids()).find((id) => id !== liveId)!;
      expect(await ids()).toEqual([liveId, deadId].sort());
      const deadKeys = (await keys()).filter((k) => k.startsWith(`sessions/${deadId}/`));
      expect(deadKeys).toContain(`sessions/${deadId}/lease.json`);
      expect(deadKeys.filter((k) => k.startsWith(`sessions/${deadId}/cache/1/`) && k.endsWith('.arrow')).length).toBe(
        1,
      );

      // Within the retention both stay (the dead one's lease expired at most seconds ago).
      const within = await s.gc({ retentionMs: 3600_000 });
      expect(within.sessions).toEqual({ removed: [], kept: [liveId, deadId].sort() });
      // Without retention, the dead one goes as soon as its lease (2 s) has expired; the live one never.
      for (const deadline = Date.now() + 60_000; ; ) {
        const r = await s.gc({ retentionMs: 0 });
        expect(r.sessions.kept).toContain(liveId);
        if (r.sessions.removed.length) {
          expect(r.sessions).toEqual({ removed: [deadId], kept: [liveId] });
          break;
        }
        expect(Date.now()).toBeLessThan(deadline);
        await new Promise((res) => setTimeout(res, 500));
      }
      expect(await ids()).toEqual([liveId]);
      // The live session still reads its copy; its stop() leaves nothing.
      expect(await hot.count()).toBe(150);
      await live.stop();
      expect(await keys()).toEqual([]);
    } finally {
      await live.stop();
      await s.stop();
    }
  }

  it("a session killed with cached results: gc removes its area once its lease expired, never a live session's", async () => {
    await killedWithCache({ store: tempDir(), input: A });
  });

  it('the same on S3: the session lease and the cached copies live in the S3 store', async () => {
    const endpoint = inject('s3Endpoint');
    const bucket = inject('s3Bucket');
    const prefix = uniquePrefix('house-cache');
    await s3Store({ endpoint, bucket, prefix }).put('in/a.parquet', new Uint8Array(fs.readFileSync(A)));
    await killedWithCache({
      store: `s3://${bucket}/${prefix}/jobs`,
      endpoint,
      input: `s3://${bucket}/${prefix}/in/a.parquet`,
    });
  });
});
