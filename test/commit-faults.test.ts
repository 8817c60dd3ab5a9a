/**
 * The write commit under faults (docs/commit-protocol.md). For overwrite, append, errorIfExists
 * and ignore, the job's commit is crashed after EVERY one of its steps (commitHooks; the crash
 * ends the state machine at once, as a killed client would, and leaves the job "running").
 * After each crash:
 *   - a Stratus reader sees exactly the old output (before `flip`) or exactly the new one (from
 *     `flip` on) — whole rows, against DuckDB reading the input files that make that version;
 *   - another engine sees what the protocol documents: DuckDB over `p=*` / `*.parquet` finds
 *     the old files until `unmark`, exactly the new version from `remove` (no reader pinned the
 *     old one, so an overwrite's old files go at once), a superset of the old and a subset of
 *     old ∪ new in between; `_SUCCESS` is absent from `unmark` to `mark`;
 *   - resume (even steps) or the next writer (odd steps) rolls the commit forward or back, and
 *     the directory ends clean: no commit record, DuckDB and Stratus read the same rows.
 * Also: a reader at every step of an overwrite, readers running freely during appends, a reader
 * held between its planning (its pin) and its first task while a whole overwrite commits
 * (locally and on S3): old rows for it, old files gone once it finishes; an overwrite with no
 * reader leaves only the new files (DuckDB over the directory glob); a dead reader's expired
 * pin holds nothing; and the explicit extra retention `fileRetentionMs` (gc, the next commit).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { session, type Session } from '../src/index.js';
import { COMMIT_STEPS, commitHooks, SimulatedCrash } from '../src/runtime/commitRecord.js';
import { datasetLogHooks, latestSnapshot, pinKey, type Pin, versionKey } from '../src/runtime/datasetLog.js';
import { putJson } from '../src/storage/store.js';
import { LocalStore } from '../src/storage/local/store.js';
import { normalizeDataUrl } from '../src/storage/url.js';
import { expectSameTyped, typedRowsFromArrow, type TypedResult } from './support/fixtures.js';
import { duckRows, filesUnder, ids, inputRows, stratusRows, writeInput } from './support/commitFixtures.js';
import { s3Store, uniquePrefix } from './support/s3data.js';
import { tempDir } from './support/tpch.js';

const LEASE_MS = 200;
let s: Session;
let db: DuckDBConnection;
let dir: string;
let A: string; // the old output's rows
let B: string; // the crashing job's rows
let C: string; // the next writer's rows
let template: string; // A written by Stratus, partitioned by p (copied for each case)

beforeAll(async () => {
  s = session({ store: tempDir(), executors: 2, progress: false, leaseMs: LEASE_MS, job: { commitLeaseMs: LEASE_MS } });
  db = await (await DuckDBInstance.create(':memory:')).connect();
  dir = tempDir('stratus-commit-');
  A = await writeInput(db, path.join(dir, 'a.parquet'), 0, 60);
  B = await writeInput(db, path.join(dir, 'b.parquet'), 100, 80);
  C = await writeInput(db, path.join(dir, 'c.parquet'), 500, 10);
  template = path.join(dir, 'template');
  await s.read.parquet(A).write.partitionBy('p').parquet(template);
});
afterAll(async () => {
  commitHooks.afterStep = undefined;
  db.closeSync();
  await s.stop();
});

type Mode = 'overwrite' | 'append' | 'errorIfExists' | 'ignore';
const MODES: readonly Mode[] = ['overwrite', 'append', 'errorIfExists', 'ignore'];
/** errorIfExists and ignore commit only to a path that does not exist: their "old" is nothing. */
const startsEmpty = (m: Mode) => m === 'errorIfExists' || m === 'ignore';
const oldFiles = (m: Mode) => (startsEmpty(m) ? [] : [A]);
const newFiles = (m: Mode) => (m === 'append' ? [A, B] : [B]);

let cases = 0;
function freshDest(mode: Mode): string {
  const dest = path.join(dir, `case-${cases++}`);
  if (!startsEmpty(mode)) fs.cpSync(template, dest, { recursive: true });
  return dest;
}

const writeB = (mode: Mode, dest: string) => s.read.parquet(B).write.mode(mode).partitionBy('p').parquet(dest);

/** The steps one commit of `mode` takes, from a clean run. */
async function stepsOf(mode: Mode): Promise<string[]> {
  const dest = freshDest(mode);
  const url = normalizeDataUrl(dest);
  const seen: string[] = [];
  commitHooks.afterStep = (step, at) => {
    if (at === url) seen.push(step);
  };
  try {
    await writeB(mode, dest);
  } finally {
    commitHooks.afterStep = undefined;
  }
  return seen;
}

/** Run the write with a crash right after `step`; the job's id. */
async function crashAfter(mode: Mode, dest: string, step: string): Promise<string> {
  const url = normalizeDataUrl(dest);
  commitHooks.afterStep = (at, p) => {
    if (p === url && at === step) throw new SimulatedCrash(at);
  };
  try {
    const err = await writeB(mode, dest).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err, `the job crashed after ${step}`).toBeInstanceOf(Error);
  } finally {
    commitHooks.afterStep = undefined;
  }
  return s.lastJobId!;
}

async function expectReads(dest: string, want: TypedResult | 'missing', what: string): Promise<void> {
  const got = await stratusRows(s, dest);
  if (want === 'missing') expect(got, what).toBe('missing');
  else {
    expect(got, what).not.toBe('missing');
    expectSameTyped(got as TypedResult, want);
  }
}

const union = (a: readonly number[], b: readonly number[]) => [...a, ...b].sort((x, y) => x - y);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Two appends (`b`, `c`) to `dest` held just before their commit records until both have chosen
 * the version they create — the same one — so they race for it at `flip`. The versions each
 * commit attempt chose, in order.
 */
async function raceTwoAppends(sess: Session, dest: string, b: string, c: string): Promise<number[]> {
  const url = normalizeDataUrl(dest);
  const chosen: number[] = [];
  let open: () => void = () => {};
  const both = new Promise<void>((r) => {
    open = r;
  });
  // A safety valve, not a timing condition: should one writer never get here, fail instead of hanging.
  const valve = setTimeout(open, 120_000);
  commitHooks.beforeIntent = async (_job, at, version) => {
    if (at !== url) return;
    chosen.push(version);
    if (chosen.length === 2) open();
    if (chosen.length <= 2) await both;
  };
  try {
    await Promise.all(
      [b, c].map((input) => sess.read.parquet(input).write.mode('append').partitionBy('p').parquet(dest)),
    );
  } finally {
    clearTimeout(valve);
    commitHooks.beforeIntent = undefined;
  }
  return chosen;
}

/**
 * Read `dest` (a Stratus collect) with `overwrite()` — a whole overwrite commit — run between the
 * moment the reader's driver pins the dataset's version (its second pin: the first is the
 * client's schema check) and the reader's first task. The reader's rows, or its error.
 */
async function readAcrossOverwrite(
  sess: Session,
  dest: string,
  overwrite: () => Promise<unknown>,
): Promise<{ rows?: TypedResult; error?: unknown; pinned?: number }> {
  const url = normalizeDataUrl(dest);
  const df = sess.read.parquet(dest).select('id', 'v', 'p');
  let pins = 0;
  let pinned: number | undefined;
  datasetLogHooks.afterPin = async (at, version) => {
    if (at !== url || ++pins !== 2) return;
    pinned = version;
    await overwrite();
  };
  try {
    return { rows: typedRowsFromArrow(await df.collect()), ...(pinned !== undefined ? { pinned } : {}) };
  } catch (error) {
    return { error, ...(pinned !== undefined ? { pinned } : {}) };
  } finally {
    datasetLogHooks.afterPin = undefined;
  }
}

describe('a commit crashed after every step', () => {
  for (const mode of MODES) {
    it(`${mode}: old or new, never neither; resume or the next writer settles it`, async () => {
      const steps = await stepsOf(mode);
      // Every step of the protocol happens, in order (copy once per new file; adopt on a new path).
      const expected = COMMIT_STEPS.filter((x) => x !== 'adopt' || startsEmpty(mode)).flatMap((x) =>
        x === 'copy:<i>' ? ['copy:0', 'copy:1'] : [x],
      );
      expect(steps).toEqual(expected);
      const at = (name: string) => steps.indexOf(name);
      const oldRows = startsEmpty(mode) ? 'missing' : await inputRows(db, oldFiles(mode));
      const newRows = await inputRows(db, newFiles(mode));
      const oldIds = oldRows === 'missing' ? [] : ids(oldRows);

      for (const [k, step] of steps.entries()) {
        const dest = freshDest(mode);
        const hadSuccess = fs.existsSync(path.join(dest, '_SUCCESS'));
        const jobId = await crashAfter(mode, dest, step);
        const flipped = k >= at('flip');
        const what = `${mode}, crash after ${step}`;

        // Other engines: the documented view of the directory.
        const duck = ids(await duckRows(db, dest));
        if (k <= at('unmark')) expect(duck, what).toEqual(oldIds);
        else if (k >= at('remove')) expect(duck, what).toEqual(ids(newRows));
        else {
          expect(
            oldIds.every((id) => duck.includes(id)),
            what,
          ).toBe(true);
          expect(
            duck.every((id) => oldIds.includes(id) || ids(newRows).includes(id)),
            what,
          ).toBe(true);
        }
        // Stratus: exactly one version. (Its end sweeps retired files no pin holds: after the
        // flip, DuckDB would see only the new files from then on — checked first, above.)
        await expectReads(dest, flipped ? newRows : oldRows, what);
        const success = fs.existsSync(path.join(dest, '_SUCCESS'));
        expect(success, `${what}: _SUCCESS`).toBe(k < at('unmark') ? hadSuccess : k >= at('mark'));

        // Recovery: resume on even steps, the next writer on odd ones.
        let settled: TypedResult;
        if (k % 2 === 0) {
          await s.resume(jobId);
          settled = newRows;
        } else {
          await sleep(LEASE_MS + 50); // the crashed commit's lease runs out
          await s.read.parquet(C).write.mode('append').partitionBy('p').parquet(dest);
          const base = flipped ? ids(newRows) : oldIds;
          const c = await inputRows(db, [C]);
          const merged = await inputRows(db, [...(flipped ? newFiles(mode) : oldFiles(mode)), C]);
          expect(ids(merged)).toEqual(union(base, ids(c)));
          settled = merged;
          // The crashed job is abandoned: gc removes it and its staged files.
          const report = await s.gc({ retentionMs: 0 });
          expect(
            report.removed.map((r) => r.jobId),
            what,
          ).toContain(jobId);
        }
        await expectReads(dest, settled, `${what}, settled`);
        expectSameTyped(await duckRows(db, dest), settled);
        const left = filesUnder(dest);
        expect(
          left.filter((f) => f.startsWith('_stratus/commits/')),
          what,
        ).toEqual([]);
        expect(
          left.filter((f) => f.startsWith('_temporary/')),
          what,
        ).toEqual([]);
        expect(left, what).toContain('_SUCCESS');
      }
    });
  }
});

describe('readers during a commit', () => {
  it('a reader at every step of an overwrite sees the old rows until the flip, then the new', async () => {
    const dest = freshDest('overwrite');
    const url = normalizeDataUrl(dest);
    const [oldRows, newRows] = [await inputRows(db, [A]), await inputRows(db, [B])];
    const seen: { step: string; ids: number[] }[] = [];
    commitHooks.afterStep = async (step, at) => {
      if (at !== url) return;
      const got = await stratusRows(s, dest);
      seen.push({ step, ids: got === 'missing' ? [] : ids(got) });
    };
    try {
      await s.read.parquet(B).write.mode('overwrite').partitionBy('p').parquet(dest);
    } finally {
      commitHooks.afterStep = undefined;
    }
    const flip = seen.findIndex((x) => x.step === 'flip');
    expect(flip).toBeGreaterThan(0);
    for (const [i, x] of seen.entries()) expect(x.ids, x.step).toEqual(ids(i < flip ? oldRows : newRows));
  });

  it('a reader that pinned the old version reads it whole while an overwrite commits; its files go when it ends', async () => {
    const dest = freshDest('overwrite');
    const [oldRows, newRows] = [await inputRows(db, [A]), await inputRows(db, [B])];
    const before = filesUnder(dest).filter((f) => f.endsWith('.parquet'));
    let during: TypedResult | undefined;
    let pinsDuring: string[] = [];
    const got = await readAcrossOverwrite(s, dest, async () => {
      await writeB('overwrite', dest);
      // The overwrite committed while the reader holds its pin: plain engines see old + new.
      during = await duckRows(db, dest);
      pinsDuring = filesUnder(dest).filter((f) => f.startsWith('_stratus/pins/'));
    });
    expect(got.error).toBeUndefined();
    expect(got.pinned).toBe(1); // the template: version 0 adopted the empty path, 1 wrote A
    expectSameTyped(got.rows!, oldRows);
    expect(pinsDuring).toHaveLength(1); // the reader's, on version 1
    expect(pinsDuring[0]).toMatch(new RegExp(`^_stratus/pins/${String(1).padStart(20, '0')}/[^/]+\\.json$`));
    expect(ids(during!)).toEqual(union(ids(oldRows), ids(newRows)));
    // The overwrite retired the old files; the reader's end released its pin and swept them.
    const snap = await latestSnapshot(new LocalStore(dest), '');
    expect(snap?.version).toBe(2);
    expect(snap?.retired?.map((r) => r.path).sort()).toEqual(before);
    expect(filesUnder(dest).filter((f) => before.includes(f) || f.startsWith('_stratus/pins/'))).toEqual([]);
    expectSameTyped(await duckRows(db, dest), newRows);
    await expectReads(dest, newRows, 'after the overwrite');
    // gc finds nothing waiting and forgets the dataset.
    expect((await s.gc()).datasets.find((x) => x.path === normalizeDataUrl(dest))).toMatchObject({ pending: 0 });
    expect((await s.gc()).datasets.map((x) => x.path)).not.toContain(normalizeDataUrl(dest));
  });

  it('readers running freely during appends never see a mix', async () => {
    // Appends delete nothing, so no reader loses a file: every read must be a whole version.
    // (Overwrites: the pinned reader above and the retention tests below.)
    const dest = freshDest('append');
    const url = normalizeDataUrl(dest);
    const [a, b] = [ids(await inputRows(db, [A])), ids(await inputRows(db, [B]))];
    const versions = [0, 1, 2, 3].map((n) => JSON.stringify(union(a, Array(n).fill(b).flat())));
    // Slow the commits down so that reads overlap every step.
    commitHooks.afterStep = async (_, at) => {
      if (at === url) await sleep(30);
    };
    const outcomes: number[] = [];
    let writing = true;
    const readers = (async () => {
      while (writing) {
        const got = await stratusRows(s, dest);
        outcomes.push(got === 'missing' ? -1 : versions.indexOf(JSON.stringify(ids(got))));
      }
    })();
    try {
      for (let i = 0; i < 3; i++) await writeB('append', dest);
    } finally {
      writing = false;
      commitHooks.afterStep = undefined;
      await readers;
    }
    expect(outcomes.length).toBeGreaterThan(0);
    expect(outcomes.filter((v) => v < 0)).toEqual([]);
    // Versions only move forward.
    expect(outcomes).toEqual([...outcomes].sort((x, y) => x - y));
  });
});

describe('writers racing for one version', () => {
  it('locally: one flips it, the other rolls back and commits the next; every row once', async () => {
    const dest = freshDest('append'); // version 1 holds A
    expect(await raceTwoAppends(s, dest, B, C)).toEqual([2, 2, 3]);
    expectSameTyped((await stratusRows(s, dest)) as TypedResult, await inputRows(db, [A, B, C]));
    expect((await latestSnapshot(new LocalStore(dest), ''))?.version).toBe(3);
    expect(filesUnder(dest).filter((f) => f.startsWith('_stratus/commits/') || f.startsWith('_temporary/'))).toEqual(
      [],
    );
    expectSameTyped(await duckRows(db, dest), await inputRows(db, [A, B, C]));
  });
});

describe('retired files', () => {
  it('an overwrite with no reader leaves only the new files: DuckDB over the directory glob reads the new rows', async () => {
    const dest = freshDest('overwrite');
    const before = filesUnder(dest).filter((f) => f.endsWith('.parquet'));
    await writeB('overwrite', dest);
    const parquet = filesUnder(dest).filter((f) => f.endsWith('.parquet'));
    expect(parquet.filter((f) => before.includes(f))).toEqual([]);
    expect(parquet).toHaveLength(2); // two partitions, one file each
    expectSameTyped(await duckRows(db, dest), await inputRows(db, [B]));
    // The glob a user types, `**` included: nothing else under the directory is Parquet.
    const all = await db.runAndReadAll(
      `SELECT count(*)::INTEGER AS n, sum(id)::BIGINT AS s FROM read_parquet('${dest.replaceAll("'", "''")}/**/*.parquet')`,
    );
    const b = ids(await inputRows(db, [B]));
    expect(all.getRowObjects()[0]).toEqual({ n: b.length, s: BigInt(b.reduce((x, y) => x + y, 0)) });
    const marker = JSON.parse(fs.readFileSync(path.join(dest, '_SUCCESS'), 'utf8'));
    expect(marker.retired).toBeUndefined();
  });

  it("a dead reader's expired pin holds nothing: gc deletes the files it held", async () => {
    const dest = freshDest('overwrite'); // version 1 holds A
    const before = filesUnder(dest).filter((f) => f.endsWith('.parquet'));
    const store = new LocalStore(dest);
    // A reader that pinned version 1 and was killed: its pin is never renewed nor released.
    const pin: Pin = { jobId: 'dead-reader', owner: 'elsewhere:1', until: Date.now() + 1000, ttlMs: 1000 };
    await putJson(store, pinKey('', 1, pin.jobId), pin);
    await writeB('overwrite', dest);
    expect(filesUnder(dest)).toEqual(expect.arrayContaining(before)); // held while the pin lives
    const marker = JSON.parse(fs.readFileSync(path.join(dest, '_SUCCESS'), 'utf8'));
    expect(marker.retired).toBe(2);
    while (Date.now() <= pin.until) await sleep(100);
    const report = await s.gc();
    expect(report.datasets.find((x) => x.path === normalizeDataUrl(dest))).toMatchObject({ pending: 0 });
    expect(filesUnder(dest).filter((f) => before.includes(f) || f.startsWith('_stratus/pins/'))).toEqual([]);
    expectSameTyped(await duckRows(db, dest), await inputRows(db, [B]));
  });

  it('the next commit of the path deletes retired files whose explicit retention has passed', async () => {
    const s1 = session({ store: tempDir(), executors: 1, progress: false, job: { fileRetentionMs: 3600_000 } });
    try {
      const dest = freshDest('overwrite');
      const before = filesUnder(dest).filter((f) => f.endsWith('.parquet'));
      await s1.read.parquet(B).write.mode('overwrite').partitionBy('p').parquet(dest);
      expect(filesUnder(dest)).toEqual(expect.arrayContaining(before)); // retired, not deleted
      // gc keeps them within their retention
      const kept = await s1.gc();
      expect(kept.datasets.find((x) => x.path === normalizeDataUrl(dest))).toMatchObject({ deleted: 0, pending: 2 });
      expect(filesUnder(dest)).toEqual(expect.arrayContaining(before));
      // As if their retention (1 h) had passed: the newest snapshot's retired files are due now.
      const store = new LocalStore(dest);
      const snap = (await latestSnapshot(store, ''))!;
      expect(snap.retired?.map((r) => r.path).sort()).toEqual(before);
      const due = { ...snap, retired: snap.retired!.map((r) => ({ ...r, deleteAfter: r.retiredAt })) };
      await store.put(versionKey('', snap.version), new TextEncoder().encode(JSON.stringify(due)));
      await s1.read.parquet(C).write.mode('append').partitionBy('p').parquet(dest);
      expect(filesUnder(dest).filter((f) => before.includes(f))).toEqual([]);
      expect((await latestSnapshot(store, ''))?.retired).toBeUndefined();
      expectSameTyped(await duckRows(db, dest), await inputRows(db, [B, C]));
    } finally {
      await s1.stop();
    }
  });
});

/** A fresh S3 prefix holding `inputs` as in/<name>.parquet, a session storing its jobs there, and the output URL. */
async function s3Case(name: string, inputs: Readonly<Record<string, string>>) {
  const endpoint = inject('s3Endpoint');
  const bucket = inject('s3Bucket');
  const prefix = uniquePrefix(name);
  const store = s3Store({ endpoint, bucket, prefix });
  for (const [k, f] of Object.entries(inputs)) await store.put(`in/${k}.parquet`, new Uint8Array(fs.readFileSync(f)));
  const s3 = session({ store: `s3://${bucket}/${prefix}/jobs`, endpoint, executors: 2, progress: false });
  const url = (k: string) => `s3://${bucket}/${prefix}/${k}`;
  return { store, s3, url, dest: url('out') };
}

describe('on S3 (s3rver: no rename; If-None-Match honoured by the test server)', () => {
  it('an overwrite crashed after its copies reads old, and resume makes it new; nothing left over', async () => {
    const { store, s3, url, dest } = await s3Case('commit-faults', { a: A, b: B });
    try {
      await s3.read.parquet(url('in/a.parquet')).write.partitionBy('p').parquet(dest);
      commitHooks.afterStep = (step, at) => {
        if (at === dest && step === 'copy:1') throw new SimulatedCrash(step);
      };
      const err = await s3.read
        .parquet(url('in/b.parquet'))
        .write.mode('overwrite')
        .partitionBy('p')
        .parquet(dest)
        .catch((e) => e);
      commitHooks.afterStep = undefined;
      expect(err).toBeInstanceOf(Error);
      const crashed = s3.lastJobId!;
      expect(await store.head('out/_SUCCESS')).toBeUndefined();
      expectSameTyped((await stratusRows(s3, dest)) as TypedResult, await inputRows(db, [A]));
      await s3.resume(crashed);
      expectSameTyped((await stratusRows(s3, dest)) as TypedResult, await inputRows(db, [B]));
      const keys = (await store.list('out/')).map((o) => o.key.slice('out/'.length));
      expect(keys).toContain('_SUCCESS');
      expect(keys.filter((k) => k.startsWith('_temporary/') || k.startsWith('_stratus/commits/'))).toEqual([]);
      // Exactly the new version's files remain: two partitions, each one file of this job.
      expect(keys.filter((k) => k.endsWith('.parquet')).map((k) => k.split('/')[0])).toEqual(['p=0', 'p=1']);
    } finally {
      commitHooks.afterStep = undefined;
      await s3.stop();
    }
  });

  it('a reader that pinned the old version reads it whole while an overwrite commits', async () => {
    const { store, s3, url, dest } = await s3Case('commit-pinned', { a: A, b: B });
    try {
      await s3.read.parquet(url('in/a.parquet')).write.partitionBy('p').parquet(dest);
      const dataFiles = async () =>
        (await store.list('out/')).map((o) => o.key).filter((k) => k.endsWith('.parquet') && !k.includes('/_'));
      const before = await dataFiles();
      expect(before.length).toBe(2);
      let during: string[] = [];
      const got = await readAcrossOverwrite(s3, dest, async () => {
        await s3.read.parquet(url('in/b.parquet')).write.mode('overwrite').partitionBy('p').parquet(dest);
        during = (await store.list('out/')).map((o) => o.key);
      });
      expect(got.error).toBeUndefined();
      expectSameTyped(got.rows!, await inputRows(db, [A]));
      // Held by the reader's pin while it ran; its end released the pin and swept them.
      expect(during).toEqual(expect.arrayContaining(before));
      expect(during.filter((k) => k.includes('/_stratus/pins/'))).toHaveLength(1);
      expect(
        (await store.list('out/')).map((o) => o.key).filter((k) => before.includes(k) || k.includes('/_stratus/pins/')),
      ).toEqual([]);
      expectSameTyped((await stratusRows(s3, dest)) as TypedResult, await inputRows(db, [B]));
      const report = await s3.gc();
      expect(report.datasets.find((x) => x.path === dest)).toMatchObject({ pending: 0 });
      expectSameTyped((await stratusRows(s3, dest)) as TypedResult, await inputRows(db, [B]));
    } finally {
      await s3.stop();
    }
  });

  it('two writers racing for one version (put-if-absent with S3 semantics): one flips, the other commits the next', async () => {
    const { store, s3, url, dest } = await s3Case('commit-race', { a: A, b: B, c: C });
    try {
      await s3.read.parquet(url('in/a.parquet')).write.partitionBy('p').parquet(dest);
      expect(await raceTwoAppends(s3, dest, url('in/b.parquet'), url('in/c.parquet'))).toEqual([2, 2, 3]);
      expectSameTyped((await stratusRows(s3, dest)) as TypedResult, await inputRows(db, [A, B, C]));
      expect((await latestSnapshot(store, 'out'))?.version).toBe(3);
      const keys = (await store.list('out/')).map((o) => o.key.slice('out/'.length));
      expect(keys.filter((k) => k.startsWith('_temporary/') || k.startsWith('_stratus/commits/'))).toEqual([]);
      expect(keys.filter((k) => k.endsWith('.parquet'))).toHaveLength(6); // two partitions × three writes
    } finally {
      await s3.stop();
    }
  });
});
