/**
 * Fault suite — S3. A shuffle join and aggregate over S3 (s3rver) with every request of the
 * client, driver and executors going through a fault-injecting proxy: 503 SlowDown, slow
 * (held) requests and connection resets. The result is identical to the fault-free run; a
 * storage error met while decoding Parquet is retried, never reported as corrupt input. A
 * committed shuffle object truncated on S3 is lost map output, recomputed. (test/s3-faults.test.ts
 * runs TPC-H Q1, Q3, Q6 the same way and checks the request accounting.)
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { col, count, session, sum, type Session } from '../src/index.js';
import { stageDeps } from '../planner/stages.js';
import { jobKeys, type JobState } from '../src/runtime/jobState.js';
import { cachedStore } from '../src/runtime/env.js';
import { getJson } from '../src/storage/store.js';
import { startFaultProxy, type FaultProxy } from './support/faultproxy.js';
import { aroundGroups, committedOutputs, damage } from './support/faults.js';
import { rowsFromArrow } from './support/compare.js';
import { uniquePrefix, uploadDir } from './support/s3data.js';
import { SF01 } from './support/tpch.js';

const endpoint = inject('s3Endpoint');
const bucket = inject('s3Bucket');
const prefix = uniquePrefix('faults-s3');
const base = `s3://${bucket}/${prefix}`;

let proxy: FaultProxy;
let s: Session;
beforeAll(async () => {
  await Promise.all(
    ['orders', 'customer'].map((t) =>
      uploadDir(path.join(SF01, t), { endpoint, bucket, prefix: `${prefix}/tpch/${t}` }),
    ),
  );
  proxy = await startFaultProxy(endpoint, {}, 20_251_201);
  s = session({
    store: `${base}/jobs`,
    endpoint: proxy.endpoint,
    executors: 2,
    progress: false,
    keepJobs: true,
    job: { shufflePartitions: 4, broadcastThreshold: 0, maxTaskAttempts: 4 },
  });
}, 60_000);
afterAll(async () => {
  await s?.stop();
  await proxy?.stop();
});

/** Orders ⋈ customer, grouped (4 stages; customer rather than lineitem: the same shape, 4× fewer bytes). */
const query = () =>
  s.read
    .parquet(`${base}/tpch/orders`)
    .join(s.read.parquet(`${base}/tpch/customer`), col('o_custkey').equalTo(col('c_custkey')))
    .groupBy('o_orderpriority', 'c_mktsegment')
    .agg(count('*').alias('n'), sum('o_totalprice').alias('qty'))
    .orderBy('o_orderpriority', 'c_mktsegment');

let clean: ReturnType<typeof rowsFromArrow>;

describe('S3 faults', () => {
  it('fault-free through the proxy (the reference)', async () => {
    clean = rowsFromArrow(await query().collect());
    expect(clean.rows.length).toBe(25);
  });

  it('503 SlowDown, slow requests and connection resets: identical result', async () => {
    proxy.setRates({ slowDown: 0.08, delay: 0.03, delayMs: 1_500, reset: 0.03 });
    const before = { ...proxy.stats };
    try {
      expect(rowsFromArrow(await query().collect())).toEqual(clean);
    } finally {
      proxy.setRates({ slowDown: 0, delay: 0, reset: 0 });
    }
    expect(proxy.stats.slowDowns - before.slowDowns).toBeGreaterThan(0);
    expect(proxy.stats.resets - before.resets).toBeGreaterThan(0);
    expect(proxy.stats.delays - before.delays).toBeGreaterThan(0);
    // Nothing was taken for corrupt input, and no task failed for good.
    const st = await getJson<JobState>(cachedStore(s.storeRef), jobKeys(s.lastJobId!).state);
    expect(st.status).toBe('succeeded');
  });

  it('a shuffle object truncated on S3: recomputed, identical result', async () => {
    let damaged = '';
    const off = aroundGroups(s, async (g, run) => {
      const inputs = stageDeps(g.stage);
      if (!damaged && inputs.length) {
        const victim = (await committedOutputs(g.store, g.jobId, inputs[0]!))[0]!;
        await damage(g.store, victim, 'truncate');
        damaged = victim.key;
      }
      return run();
    });
    try {
      expect(rowsFromArrow(await query().collect())).toEqual(clean);
    } finally {
      off();
    }
    const st = await getJson<JobState>(cachedStore(s.storeRef), jobKeys(s.lastJobId!).state);
    const recomputed = st.stages.flatMap((x) => x.tasks).filter((t) => t.recomputes);
    expect(recomputed).toHaveLength(1);
    expect(recomputed[0]!.lastError).toMatchObject({ code: 'LOST_MAP_OUTPUT', details: { key: damaged } });
  });
});
