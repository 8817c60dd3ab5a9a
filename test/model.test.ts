/**
 * The EKS/Lambda cost model (benchmarks/model): its arithmetic on a tiny job computed by hand for
 * each kind of platform, that every number in platforms.json carries a source or an explicit
 * assumption flag, the SF fits and task sizing, crossovers, and that the report renders to SVG and
 * Markdown headless.
 */
import { describe, expect, it } from 'vitest';
import { crossoverRate, DEFAULT_GRID, runGrid, verdicts, verdictText } from '../benchmarks/model/analysis.js';
import { bySfChart } from '../benchmarks/model/charts.js';
import { timelineSpec, toSvg } from '../src/cli/report/charts.js';
import { taskBars } from '../src/cli/report/data.js';
import {
  fitProfiles,
  linearFit,
  type QueryFit,
  type QueryRun,
  splitBytesIn,
  type StageRun,
} from '../benchmarks/model/fit.js';
import { CostModel, type JobAtScale, jobAtScale } from '../benchmarks/model/model.js';
import { type PlatformDoc, platformProblems, Platforms } from '../benchmarks/model/platforms.js';
import { markdownReport } from '../benchmarks/model/report.js';

const A = { reason: 'test value' };
/** Round numbers for the hand computation; every one flagged as an assumption. */
function testDoc(): PlatformDoc {
  const v: Record<string, number> = {
    'lambda.gbSecondArm64': 0.00001,
    'lambda.perRequest': 0.0000002,
    'lambda.maxVcpus': 6,
    'lambda.mbPerVcpu': 2048,
    'lambda.s3ThroughputMBps': 50,
    'lambda.coldStartS': 1,
    'lambda.warmKeepAliveS': 300,
    'lambda.accountConcurrency': 1000,
    'sfn.pricePerTransition': 0.000025,
    'sfn.inlineMapConcurrency': 40,
    'sfn.distributedMapConcurrency': 10000,
    'sfn.transitionsPerRound': 3,
    'sfn.transitionLatencyS': 0.05,
    'sfn.distributedChildBilling': 2,
    's3.getPer1000': 0.0004,
    's3.putPer1000': 0.005,
    's3.firstByteLatencyS': 0.1,
    's3.prefixGetRps': 5500,
    's3.prefixPutRps': 3500,
    'lambda.maxDurationS': 900,
    'eks.controlPlanePerHour': 0.1,
    'fargate.vcpuHourX86': 0.04,
    'fargate.gbHourX86': 0.004,
    'fargate.minimumBilledS': 60,
    'fargate.podStartS': 57,
    'fargate.podStartSociFactor': 0.4,
    'fargate.podNetworkMBpsPerVcpu': 50,
    'ec2.m7gLargeOnDemandHour': 0.08,
    'ec2.sizeScalesLinearly': 1,
    'ec2.billingMinimumS': 60,
    'ec2.spotPriceFraction': 0.5,
    'ec2.nodeNetworkMBps': 1000,
    'k8s.karpenterNodeReadyS': 60,
    'k8s.clusterAutoscalerNodeReadyS': 240,
    'k8s.imagePullS': 20,
    'k8s.podStartWarmS': 2,
    'k8s.karpenterScaleDownS': 60,
    'k8s.clusterAutoscalerScaleDownS': 600,
    'lmi.managementFee': 0.15,
    'lmi.perRequest': 0.0000002,
    'lmi.coldStartS': 0,
    'lmi.minInstances': 3,
    'starling.crossoverIntervalS': 60,
  };
  return {
    version: 1,
    region: 'test',
    currency: 'USD',
    compiledAt: '2026-12-01',
    numbers: Object.fromEntries(Object.entries(v).map(([k, value]) => [k, { value, unit: 'test', assumption: A }])),
  };
}

/**
 * A scan stage (10 tasks, 100 CPU-s, 1 GB Parquet → 100 MB shuffle) and a single-task reduce
 * (1 CPU-s, reads the 100 MB, writes a 1 MB result); 3 driver rounds with 0.3 driver CPU-s.
 */
const JOB: JobAtScale = {
  query: 99,
  sf: 1,
  rounds: 3,
  driverCpuSeconds: 0.3,
  nativeFactor: 0.5,
  warnings: [],
  stages: [
    {
      stage: 0,
      kind: 'scan',
      deps: [],
      tasks: 10,
      cpuSeconds: 100,
      parquetBytes: 1000e6,
      shuffleBytesWritten: 100e6,
      shuffleBytesRead: 0,
      resultBytes: 0,
      gets: 240,
      puts: 10,
    },
    {
      stage: 1,
      kind: 'reduce',
      deps: [0],
      tasks: 1,
      cpuSeconds: 1,
      parquetBytes: 0,
      shuffleBytesWritten: 0,
      shuffleBytesRead: 100e6,
      resultBytes: 1e6,
      gets: 10,
      puts: 1,
    },
  ],
};

describe('cost model arithmetic (hand-computed)', () => {
  const model = new CostModel(new Platforms(testDoc()));

  it('shares: 40 Lambda executors of min(6, 10240/2048 = 5) vCPUs → 200 vCPUs → 13 nodes of 16', () => {
    expect(model.lambdaVcpus()).toBe(5);
    expect(model.clusterVcpus()).toBe(200);
    expect(model.nodes()).toBe(13);
    expect(model.nodeHourOnDemand()).toBeCloseTo(0.64, 12);
  });

  it('Lambda + Step Functions, cold (1 job/h)', () => {
    const p = model.predict(JOB, 'lambda', 'stratus', 1);
    // stage 0: executors = min(40, max(ceil(1e9/256 MiB) = 4, ceil(10/6) = 2), 10) = 4
    //   cpu 100/min(10, 4·5) = 10; io 1.1e9/(4·50e6) = 5.5; reqs 240·0.1/(4 executors·5 vCPU·4) = 0.3 → 10.3
    // stage 1: 1 executor: cpu 1, io 101e6/50e6 = 2.02, reqs 10·0.1/(5·4) = 0.05 → 2.07
    expect(p.stages.map((s) => s.executors)).toEqual([4, 1]);
    expect(p.stages[0]!.seconds).toBeCloseTo(10.3, 9);
    expect(p.stages[1]!.seconds).toBeCloseTo(2.07, 9);
    // overhead: 3 rounds × (3 transitions × 0.05 + driver 0.3/3 + 2 × 0.1) + 2 manifests × 0.1 = 1.55; cold start 1
    expect(p.parts.overheadS).toBeCloseTo(1.55, 9);
    expect(p.seconds).toBeCloseTo(1 + 10.3 + 2.07 + 1.55, 9);
    // GB-s: 4·10·10.3 + 1·10·2.07 + cold 4·10·1 (+ driver 3 rounds · 2 GB · 0.3 s = 1.8)
    const gbs = 4 * 10 * 10.3 + 10 * 2.07 + 4 * 10 * 1 + 1.8;
    const invocations = 4 + 1 + 3;
    expect(p.parts.computeUSD).toBeCloseTo(gbs * 0.00001 + invocations * 0.0000002, 12);
    // transitions: 3 rounds × 3 + 5 executor tasks + start/end 2 = 16
    expect(p.parts.orchestrationUSD).toBeCloseTo(16 * 0.000025, 12);
    // S3: 250 GETs + 6 driver state reads; 11 PUTs + 6 driver state writes
    expect(p.parts.requestsUSD).toBeCloseTo((256 * 0.0004 + 17 * 0.005) / 1000, 12);
    expect(p.dollars).toBeCloseTo(
      gbs * 0.00001 + 8 * 0.0000002 + 16 * 0.000025 + (256 * 0.0004 + 17 * 0.005) / 1000,
      12,
    );
  });

  it('Lambda with the Distributed Map: past the 40-executor inline cap, 2 transitions per child', () => {
    // one scan stage: 300 tasks, 3,000 CPU-s, 100 GB of Parquet, a 1 MB result, 3,000 GETs; 2 rounds
    const wide: JobAtScale = {
      ...JOB,
      rounds: 2,
      driverCpuSeconds: 0.2,
      stages: [
        {
          ...JOB.stages[0]!,
          tasks: 300,
          cpuSeconds: 3000,
          parquetBytes: 100e9,
          shuffleBytesWritten: 0,
          resultBytes: 1e6,
          gets: 3000,
          puts: 300,
        },
      ],
    };
    // executors: max(ceil(100e9 / 256 MiB) = 373, ceil(300/6) = 50) within min(cap, 300 tasks)
    const dmap = model.predict(wide, 'lambda-dmap', 'stratus', 60);
    const inline = model.predict(wide, 'lambda', 'stratus', 60);
    expect(dmap.stages[0]!.executors).toBe(300);
    expect(inline.stages[0]!.executors).toBe(40);
    // dmap: cpu 3000/300 = 10, io 100.001e9/(300·50e6) = 6.67, GETs paced by the prefix 3000/5500
    expect(dmap.stages[0]!.seconds).toBeCloseTo(10 + 3000 / 5500, 9);
    // inline: cpu 3000/min(300, 40·5) = 15 < io 100.001e9/(40·50e6) = 50.0005
    expect(inline.stages[0]!.seconds).toBeCloseTo(100.001e9 / 2e9 + 3000 / 5500, 9);
    // transitions: 2 rounds × 3 + executors + 2, plus 2 per Distributed Map child
    expect(dmap.parts.orchestrationUSD).toBeCloseTo((6 + 300 + 2 + 300 * 2) * 0.000025, 12);
    expect(inline.parts.orchestrationUSD).toBeCloseTo((6 + 40 + 2) * 0.000025, 12);
  });

  it('Lambda warm (60 jobs/h: a job every 60 s, inside the 300 s keep-alive) has no cold start', () => {
    const p = model.predict(JOB, 'lambda', 'stratus', 60);
    expect(p.parts.startupS).toBe(0);
    expect(p.seconds).toBeCloseTo(10.3 + 2.07 + 1.55, 9);
  });

  it('native speed line scales CPU only: stage 0 becomes io-bound at 5.5 s', () => {
    const p = model.predict(JOB, 'lambda', 'native', 60);
    // cpu 100·0.5/10 = 5 < io 5.5
    expect(p.stages[0]!.seconds).toBeCloseTo(5.5 + 0.3, 9);
  });

  it('Lambda Managed Instances: an always-on fleet of 16-vCPU instances at EC2 price + 15%', () => {
    const p = model.predict(JOB, 'lmi', 'stratus', 1);
    // stage 0: min(13, max(4, ceil(10/16) = 1), 10) = 4 executors; cpu 10, io 1.1e9/(4·1e9) = 0.275,
    //   reqs 24/(4·16·4) = 0.09375; stage 1: cpu 1, io 0.101, reqs 1/(16·4) = 0.015625
    expect(p.stages.map((s) => s.executors)).toEqual([4, 1]);
    expect(p.seconds).toBeCloseTo(10.09375 + 1.015625 + 1.55, 9);
    // fleet max(3 minimum, widest stage 4) = 4 instances, paid over the hour between jobs
    expect(p.parts.fixedUSD).toBeCloseTo(4 * 0.64 * 1.15, 9);
    expect(p.dollars).toBeCloseTo(
      4 * 0.64 * 1.15 + 8 * 0.0000002 + 16 * 0.000025 + (256 * 0.0004 + 17 * 0.005) / 1000,
      9,
    );
    // 1,000 jobs/h overlap: busy instance-seconds 4·10.09375 + 1.015625 + 4·1.55 = 47.59 > 4 × 3.6 s
    const busy = 4 * 10.09375 + 1.015625 + 4 * 1.55;
    expect(model.predict(JOB, 'lmi', 'stratus', 1000).parts.fixedUSD).toBeCloseTo((0.64 * 1.15 * busy) / 3600, 12);
  });

  it('EKS Fargate: pods of 4 vCPU / 16 GB for the widest stage (10 of 50) started per job, per-second billing', () => {
    const p = model.predict(JOB, 'fargate', 'stratus', 1);
    // stage 0: 10 pods: cpu 10, io 1.1e9/(10·200e6) = 0.55, reqs 240·0.1/(10·4·4) = 0.15 → 10.15
    // stage 1: 1 pod: cpu 1, io 101e6/200e6 = 0.505, reqs 1/(4·4) = 0.0625 → 1.0625
    const stagesS = 10.15 + 1.0625;
    const seconds = 57 + stagesS + 2 * 2 * 0.1;
    expect(p.seconds).toBeCloseTo(seconds, 9);
    const perSecond = (10 * (4 * 0.04 + 16 * 0.004) + (1 * 0.04 + 2 * 0.004)) / 3600;
    expect(p.parts.computeUSD).toBeCloseTo(seconds * perSecond, 12);
    expect(p.parts.fixedUSD).toBeCloseTo(0.1, 12);
    // S3: 250 + 2 per stage GETs, 11 + 1 per stage PUTs
    expect(p.parts.requestsUSD).toBeCloseTo((254 * 0.0004 + 13 * 0.005) / 1000, 12);
    expect(model.predict(JOB, 'fargate-soci', 'stratus', 1).parts.startupS).toBeCloseTo(57 * 0.4, 9);
  });

  it("EKS on EC2, warm cluster: the job's width (10 of 13 nodes) paid for the whole interval between jobs", () => {
    const p = model.predict(JOB, 'ec2-warm-od', 'stratus', 1);
    // stage 0: 10 nodes: cpu 10, io 0.11, reqs max(24/(10·16·4) = 0.0375, 240 GETs / 5,500 per s on the
    //   prefix = 0.0436) — the prefix sets the pace; stage 1: cpu 1, io 0.101, reqs max(1/64, 10/5500)
    const s0 = 10 + 240 / 5500;
    const seconds = 2 + s0 + 1.015625 + 0.4;
    expect(p.seconds).toBeCloseTo(seconds, 9);
    expect(p.dollars).toBeCloseTo(10 * 0.64 + 0.1 + (254 * 0.0004 + 13 * 0.005) / 1000, 9);
    expect(model.predict(JOB, 'ec2-warm-spot', 'stratus', 1).parts.computeUSD).toBeCloseTo(10 * 0.32, 9);
    // 3,600 jobs/h: busy node-seconds 10·s0 + 1.015625 + 10·(2 + 0.4) = 125.45 > 10 nodes × 1 s
    const busy = 10 * s0 + 1.015625 + 10 * 2.4;
    expect(model.predict(JOB, 'ec2-warm-od', 'stratus', 3600).parts.computeUSD).toBeCloseTo((0.64 * busy) / 3600, 12);
  });

  it('EKS on EC2 with Karpenter: cold at 1 job/h (bring-up + scale-down paid), warm at 120 jobs/h', () => {
    const cold = model.predict(JOB, 'ec2-karpenter-od', 'stratus', 1);
    const stagesS = 10 + 240 / 5500 + 1.015625;
    // bring-up 60 + image 20 + pod 2 = 82
    expect(cold.warm).toBe(false);
    expect(cold.seconds).toBeCloseTo(82 + stagesS + 0.4, 9);
    expect(cold.parts.computeUSD).toBeCloseTo((10 * 0.64 * (82 + stagesS + 0.4 + 60)) / 3600, 12);
    const warm = model.predict(JOB, 'ec2-karpenter-od', 'stratus', 120);
    // a job every 30 s < job 13.45 s + 60 s scale-down: the nodes never leave
    expect(warm.warm).toBe(true);
    expect(warm.seconds).toBeCloseTo(2 + stagesS + 0.4, 9);
    expect(warm.dollars).toBeCloseTo(
      (10 * 0.64 * 30) / 3600 + (0.1 * 30) / 3600 + (254 * 0.0004 + 13 * 0.005) / 1000,
      12,
    );
    // the cluster autoscaler's 600 s scale-down keeps the nodes up at 6 jobs/h (every 600 s < 613.45 s)
    expect(model.predict(JOB, 'ec2-ca-od', 'stratus', 6).warm).toBe(true);
    expect(model.predict(JOB, 'ec2-ca-od', 'stratus', 1).parts.startupS).toBeCloseTo(240 + 20 + 2, 9);
  });

  it('flags S3 prefix request rates and the 15-minute Lambda limit, and nothing for the small job', () => {
    expect(model.predict(JOB, 'lambda', 'stratus', 1).flags).toEqual([]);
    // 1e6 GETs in stage 1: its 1 executor needs 1e6·0.1/(5·4) = 5,000 s of request latency
    const heavy: JobAtScale = { ...JOB, stages: [JOB.stages[0]!, { ...JOB.stages[1]!, gets: 1e6 }] };
    const flags = model.predict(heavy, 'lambda', 'stratus', 1).flags;
    expect(flags).toEqual(['stage 1: 5002 s per executor (> 900 s Lambda limit)']);
    // on 16-vCPU nodes the same GETs take 1e6·0.1/64 = 1,562.5 s: 640 GET/s, under the prefix rate, no Lambda limit
    expect(model.predict(heavy, 'ec2-warm-od', 'stratus', 1).flags).toEqual([]);
    // 1e5 GETs on 10 nodes: 1e5·0.1/640 = 15.6 s in flight, but the prefix allows 1e5/5,500 = 18.2 s
    const wide: JobAtScale = { ...JOB, stages: [{ ...JOB.stages[0]!, gets: 1e5 }, JOB.stages[1]!] };
    const p = model.predict(wide, 'ec2-warm-od', 'stratus', 1);
    expect(p.stages[0]!.seconds).toBeCloseTo(10 + 1e5 / 5500, 9);
    expect(p.flags).toEqual(["stage 0: 18 s of GETs held to 5500/s by the job's S3 prefix"]);
  });

  it('refuses a non-positive rate and names it', () => {
    expect(() => model.predict(JOB, 'lambda', 'stratus', 0)).toThrow(/jobs per hour must be positive, got 0/);
  });
});

describe('platforms.json', () => {
  it('every number carries a source (URL, title, date taken) or an explicit assumption with a reason', () => {
    const p = Platforms.load();
    expect(platformProblems(p.doc)).toEqual([]);
    for (const [key, n] of Object.entries(p.doc.numbers)) {
      expect(Boolean(n.source) !== Boolean(n.assumption), key).toBe(true);
    }
    // the model reads every key it needs from the real file
    const model = new CostModel(p);
    model.predict(JOB, 'lambda-dmap', 'stratus', 1);
    for (const id of ['lmi', 'fargate-soci', 'ec2-ca-od', 'ec2-karpenter-spot'] as const)
      model.predict(JOB, id, 'native', 1);
    expect(p.assumptionsUsed().length).toBeGreaterThan(0);
    expect(p.doc.numbers['lmi.managementFee']?.source?.url).toMatch(/^https:\/\/aws\.amazon\.com\/lambda\/pricing/);
  });

  it('a number with neither source nor assumption, or with both, is reported by key', () => {
    const doc = testDoc();
    const bad: PlatformDoc = {
      ...doc,
      numbers: {
        ...doc.numbers,
        'x.bare': { value: 1, unit: 'u' },
        'x.both': {
          value: 1,
          unit: 'u',
          assumption: A,
          source: { url: 'https://a.b', title: 't', takenAt: '2026-12-01' },
        },
        'x.undated': { value: 1, unit: 'u', source: { url: 'https://a.b', title: 't', takenAt: 'today' } },
      },
    };
    const problems = platformProblems(bad);
    expect(problems).toEqual([
      'x.bare: has neither a source nor an assumption flag',
      'x.both: has both a source and an assumption flag; it must be one or the other',
      "x.undated: source takenAt 'today' is not a date",
    ]);
    expect(() => new Platforms(bad)).toThrow(/x\.bare: has neither/);
    expect(() => new Platforms(testDoc()).n('nope')).toThrow(/no number 'nope'/);
  });
});

function stageRun(stage: number, kind: 'scan' | 'reduce', deps: number[], sf: number): StageRun {
  const scan = kind === 'scan';
  return {
    stage,
    kind,
    deps,
    tasks: scan ? 1 : 2,
    taskMillis: 10,
    maxTaskMillis: 10,
    cpuSeconds: scan ? 2 * sf : 0.1 * sf,
    parquetBytes: scan ? 1e9 * sf : 0,
    shuffleBytesWritten: scan ? 1e6 * sf : 0,
    shuffleBytesRead: scan ? 0 : 1e6 * sf,
    resultBytes: scan ? 0 : 1000,
    gets: scan ? 5 + 10 * sf : 3,
    puts: scan ? 1 : 2,
    lists: 0,
    heads: 0,
    peakMemoryMB: 100,
  };
}

function run(sf: number): QueryRun {
  return {
    query: 1,
    sf,
    collectMillis: 1,
    jobWallMillis: 1,
    rounds: 3,
    scanBytesPlanned: 1e9 * sf,
    executorCpuSeconds: 2.1 * sf,
    driverCpuSeconds: 0.1,
    executorPeakMB: 100,
    duckdbMillis: 1,
    duckdbCpuSeconds: 0.21 * sf,
    stages: [stageRun(0, 'scan', [], sf), stageRun(1, 'reduce', [0], sf)],
  };
}

describe('fits and sizing at scale', () => {
  it('linearFit recovers a line and its R²', () => {
    expect(linearFit([1, 2, 3], [2, 4, 6])).toEqual({ intercept: 0, slope: 2, r2: 1 });
    const f = linearFit([0, 1, 2], [1, 2, 2]);
    expect(f.slope).toBeCloseTo(0.5, 12);
    expect(f.intercept).toBeCloseTo(7 / 6, 12);
    expect(f.r2).toBeCloseTo(0.75, 12);
    expect(() => linearFit([1, 1], [1, 2])).toThrow(/every x is the same/);
  });

  it('extrapolates a job with Stratus sizing: 64 MiB scan tasks, one partition per 32 MiB, M×R shuffle GETs', () => {
    const [fit] = fitProfiles([run(0.1), run(0.3), run(1)]) as [QueryFit];
    const job = jobAtScale(fit, 10);
    // 10 GB scanned: tasks of min(64 MiB, 10e9/80) = 64 MiB → ceil(10e9 / 67108864) = 150
    expect(job.stages[0]!.tasks).toBe(150);
    // the reduce had 2 partitions when measured → hash exchange: min(200, ceil(10e9 / 32 MiB)) = 200
    expect(job.stages[1]!.tasks).toBe(200);
    // fitted GETs 3 + 150 × 200 range GETs
    expect(job.stages[1]!.gets).toBeCloseTo(3 + 150 * 200, 6);
    expect(job.stages[0]!.gets).toBeCloseTo(5 + 100, 6);
    expect(job.stages[0]!.cpuSeconds).toBeCloseTo(20, 9);
    expect(job.nativeFactor).toBeCloseTo(0.1, 9);
  });

  it('splits bytes in: broadcast builds × tasks in scans, shuffle sources once in reduces, the rest Parquet', () => {
    expect(splitBytesIn('scan', 1000, 2, 100)).toEqual({ parquetBytes: 800, shuffleBytesRead: 200 });
    expect(splitBytesIn('scan', 150, 2, 100)).toEqual({ parquetBytes: 0, shuffleBytesRead: 150 });
    // a reduce stage the adaptive planner let read a small file side directly
    expect(splitBytesIn('reduce', 1000, 4, 100)).toEqual({ parquetBytes: 900, shuffleBytesRead: 100 });
  });

  it('leaves out a stage that ran no task at the largest SF and splits a Parquet-reading reduce by bytes', () => {
    const folded = (sf: number): QueryRun => ({
      ...run(sf),
      stages: [
        {
          ...stageRun(0, 'scan', [], sf),
          tasks: 0,
          cpuSeconds: 0,
          parquetBytes: 0,
          shuffleBytesWritten: 0,
          gets: 0,
          puts: 0,
        },
        { ...stageRun(1, 'reduce', [0], sf), tasks: 1, parquetBytes: 1e9 * sf, shuffleBytesRead: 0 },
      ],
    });
    const [fit] = fitProfiles([folded(0.1), folded(0.3), folded(1)]) as [QueryFit];
    const job = jobAtScale(fit, 10);
    expect(job.stages.map((s) => s.stage)).toEqual([1]);
    // 10 GB of Parquet in 64 MiB tasks (the only scan bytes: taskBytes = min(64 MiB, 10e9/80))
    expect(job.stages[0]!.tasks).toBe(Math.ceil(10e9 / 67108864));
  });

  it("a scan stage's broadcast reads are its build side's size × its tasks, flagged above 1 GB", () => {
    const probe = (sf: number): StageRun => ({ ...stageRun(1, 'scan', [0], sf), shuffleBytesRead: 2e6 * sf });
    const runs = [0.1, 0.3, 1].map((sf) => ({ ...run(sf), stages: [stageRun(0, 'scan', [], sf), probe(sf)] }));
    const [fit] = fitProfiles(runs) as [QueryFit];
    const job = jobAtScale(fit, 1000);
    // build: 1e6 × 1000 = 1 GB written; probe: 1e12 bytes in 64 MiB tasks = 14,902 tasks, each reading the build
    expect(job.stages[1]!.tasks).toBe(Math.ceil(1e12 / 67108864));
    expect(job.stages[1]!.shuffleBytesRead).toBeCloseTo(1e9 * Math.ceil(1e12 / 67108864), -3);
    expect(job.warnings).toEqual([]);
    expect(jobAtScale(fit, 2000).warnings[0]).toMatch(/Q1 stage 1 broadcasts 2\.0 GB to each of its \d+ tasks/);
  });

  it("a query whose stage graph changes with SF is fitted on the largest SF's graph, and says so", () => {
    const other = { ...run(1), stages: [stageRun(0, 'scan', [], 1)] };
    const [fit] = fitProfiles([run(0.1), other]) as [QueryFit];
    expect(fit.reason).toMatch(/stage graph differs between scale factors .*fitted on the graph of SF 1$/);
    // one run with that graph: a line through the origin and it
    expect(fit.basis).toBe('proportional');
    expect(fit.stages?.length).toBe(1);
    expect(fit.stages![0]!.metrics.cpuSeconds).toEqual({ intercept: 0, slope: 2, r2: 1 });
    const [linear] = fitProfiles([run(0.1), run(0.3), run(1)]) as [QueryFit];
    expect(linear.basis).toBe('linear');
    expect(linear.reason).toBeUndefined();
  });
});

describe('verdicts, crossovers and the report', () => {
  it('crossoverRate finds where a flat cost meets a fixed cost spread over jobs', () => {
    // 1 $/job against 10 $/h spread over r jobs/h: equal at 10 jobs/h
    expect(
      crossoverRate(
        () => 1,
        (r) => 10 / r,
      ),
    ).toBeCloseTo(10, 6);
    expect(
      crossoverRate(
        () => 1,
        () => 2,
      ),
    ).toBeNull();
    expect(verdictText(6, 6)).toBe('holds');
    expect(verdictText(0, 6)).toBe('flips');
    expect(verdictText(2, 6)).toBe('mixed 2/6');
  });

  it('renders the charts to SVG and the Markdown report headless', async () => {
    const platforms = new Platforms(testDoc());
    const model = new CostModel(platforms);
    const fits = fitProfiles([run(0.1), run(0.3), run(1)]);
    const grid = { ...DEFAULT_GRID, sfs: [1, 10] };
    const preds = runGrid(model, fits, grid);
    const svg = await toSvg(bySfChart(preds, 'seconds', 'test'));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Q1');
    const md = markdownReport({
      generatedAt: 'now',
      profile: { measuredAt: 'then', machine: {}, method: 'test' },
      fits,
      platforms,
      grid,
      preds,
      verdicts: verdicts(preds, grid),
      crossovers: [],
      starling: [],
      tableRate: 6,
      charts: [{ file: 'a.svg', title: 'A' }],
    });
    expect(md).toContain('| A: Lambda faster than EKS Fargate (SOCI) | 1 |');
    expect(md).toContain('![A](a.svg)');
    expect(md).toContain('**ASSUMPTION**: test value');
  });

  it("draws a profiled job's measured timeline: one bar per task attempt, lanes by executor invocation", async () => {
    const report = (stage: number, task: number, startedAt: number, millis: number, executor: string) => ({
      stage,
      task,
      attempt: 1,
      ok: true,
      millis,
      startedAt,
      executor,
      stats: { bytesIn: 10, get: 2 },
    });
    const bars = taskBars([
      { round: 1, group: 0, reports: [report(0, 0, 1_000, 400, 'e1'), report(0, 1, 1_400, 300, 'e1')] },
      { round: 2, group: 0, reports: [report(1, 0, 2_000, 3_000, 'e2')] },
    ] as never);
    expect(bars.map((b) => [b.stage, b.task, b.lane, b.start, b.end])).toEqual([
      [0, 0, 'e1 · round 1 group 0', 0, 400],
      [0, 1, 'e1 · round 1 group 0', 400, 700],
      [1, 0, 'e2 · round 2 group 0', 1_000, 4_000],
    ]);
    const svg = await toSvg(timelineSpec(bars, 'Q1 measured'));
    expect(svg).toContain('Q1 measured');
    expect(svg).toContain('stage 1');
  });
});
