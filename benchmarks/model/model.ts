/**
 * The cost and latency model: measured stage profiles (fit.ts) × platform profiles
 * (platforms.json) → time and price of one job on each platform at a scale factor and a rate of
 * jobs per hour. Pure arithmetic, no I/O; every platform number comes through `Platforms.n`.
 *
 * Per stage, on a platform whose stage gets E executors of v vCPUs and b MB/s each:
 *   cpu  = CPU-seconds × speed / min(tasks, E·v)
 *   io   = (Parquet + shuffle read + shuffle written + result bytes) / (min(tasks, E) · b)
 *   reqs = max(GETs × S3 first-byte latency / (E · v · 4 requests in flight per vCPU),
 *              GETs / 5,500 per second — one job's keys share one S3 prefix)
 *   time = max(cpu, io) + reqs
 * Stages run one after another (as the measured jobs did). Stratus on Lambda/LMI adds per driver
 * round the Step Functions transitions, the driver's work and its two state round trips; a
 * cluster adds per stage a commit write and a poll. Start-up: Lambda cold start when the previous
 * job is older than the keep-alive; Fargate pod start every job; EC2 node bring-up when the
 * autoscaler has removed the nodes since the previous job.
 *
 * Every platform may use as many vCPUs as Stratus's 40 Lambda executors have (≈232: 15 m7g.4xlarge
 * nodes, 60 Fargate pods of 4 vCPU, 15 LMI instances); a job occupies only its widest stage's
 * share. Fixed fleets (warm cluster, LMI) are paid for that width over the whole interval between
 * jobs, or for the node-seconds the jobs keep busy when they overlap, whichever is more.
 */
import { BYTES_PER_EXECUTOR, executorCap, shufflePartitionsFor, taskBytesFor } from '../../src/runtime/sizing.js';
import { atScale, type QueryFit } from './fit.js';
import type { Platforms } from './platforms.js';

/** Stratus's own deployment (repo:infra/stack.ts): driver 2 GB, executor 10 GB, arm64. */
export const STRATUS_DEPLOYMENT = { driverMB: 2048, executorMB: 10240 } as const;
/** Workers per executor the sizing policy gives a cpu-bound stage (repo:src/runtime/sizing.ts). */
const CPU_WORKERS = 6;
/**
 * Concurrent S3 requests per vCPU: the sizing policy's 24 network workers on a ~6 vCPU Lambda
 * executor (repo:src/runtime/sizing.ts), applied per vCPU so a 16-vCPU node keeps 64 in flight.
 */
const CONNECTIONS_PER_VCPU = 4;
const MB = 1e6;
const HOUR = 3600;

export const PLATFORM_IDS = [
  'lambda',
  'lambda-dmap',
  'lmi',
  'fargate',
  'fargate-soci',
  'ec2-warm-od',
  'ec2-warm-spot',
  'ec2-karpenter-od',
  'ec2-karpenter-spot',
  'ec2-ca-od',
] as const;
export type PlatformId = (typeof PLATFORM_IDS)[number];

export const PLATFORM_LABELS: Readonly<Record<PlatformId, string>> = {
  lambda: 'Lambda + SFN (Stratus, 40 inline)',
  'lambda-dmap': 'Lambda + SFN (Distributed Map)',
  lmi: 'Lambda Managed Instances',
  fargate: 'EKS Fargate',
  'fargate-soci': 'EKS Fargate (SOCI)',
  'ec2-warm-od': 'EKS EC2 warm, on-demand',
  'ec2-warm-spot': 'EKS EC2 warm, spot',
  'ec2-karpenter-od': 'EKS EC2 Karpenter, on-demand',
  'ec2-karpenter-spot': 'EKS EC2 Karpenter, spot',
  'ec2-ca-od': 'EKS EC2 cluster autoscaler, on-demand',
};

/** Engine speed: our measured executor CPU-seconds, or scaled to DuckDB's (a native engine). */
export type SpeedLine = 'stratus' | 'native';

/** One stage of a job, extrapolated to a scale factor. */
export interface StageAtScale {
  readonly stage: number;
  readonly kind: 'scan' | 'reduce';
  readonly deps: readonly number[];
  readonly tasks: number;
  readonly cpuSeconds: number;
  readonly parquetBytes: number;
  readonly shuffleBytesWritten: number;
  readonly shuffleBytesRead: number;
  readonly resultBytes: number;
  readonly gets: number;
  readonly puts: number;
}

export interface JobAtScale {
  readonly query: number;
  readonly sf: number;
  readonly stages: readonly StageAtScale[];
  readonly rounds: number;
  readonly driverCpuSeconds: number;
  /** Native-engine CPU per Stratus executor CPU (DuckDB's growth with SF over ours). */
  readonly nativeFactor: number;
  /** What the model flags at this size (broadcast build sides over 1 GB). */
  readonly warnings: readonly string[];
}

/**
 * A job's stages at scale factor `sf`: sizes and CPU from the fits; task counts from Stratus's
 * sizing policy at that size (scan tasks ≤ 64 MiB, sized per stage; hash exchanges one partition per 32 MiB
 * scanned, 2..200, a multiple of the executor cap; single-partition stages stay single); shuffle range GETs M×R added; a scan
 * stage's broadcast reads are its build sides' size × its tasks.
 */
export function jobAtScale(fit: QueryFit, sf: number): JobAtScale {
  if (!fit.stages) throw new Error(`Q${fit.query}: no per-stage fit (${fit.reason ?? 'unknown reason'})`);
  const maxSf = Math.max(...fit.scaleFactors);
  const parquet = fit.stages.map((s) => atScale(s.metrics.parquetBytes, sf));
  const scanBytes = parquet.reduce((a, b) => a + b, 0);
  const partitions = shufflePartitionsFor(scanBytes, {});
  // A stage that ran no task at the largest measured SF (the adaptive planner folded it into
  // another) stays out; a stage that reads Parquet is split by bytes like a scan.
  const ran = fit.stages.map((s) => atScale(s.metrics.tasks, maxSf) >= 0.5);
  const tasks = fit.stages.map((s, i) => {
    if (!ran[i]) return 0;
    const byBytes = Math.ceil(parquet[i]! / taskBytesFor(parquet[i]!, { goal: 'latency' }));
    if (s.kind === 'scan') return Math.max(1, byBytes);
    return Math.max(atScale(s.metrics.tasks, maxSf) <= 1.5 ? 1 : partitions, byBytes);
  });
  const byId = new Map(fit.stages.map((s, i) => [s.stage, i]));
  const written = fit.stages.map((s) => atScale(s.metrics.shuffleBytesWritten, sf));
  const warnings: string[] = [];
  const all = fit.stages.map((s, i): StageAtScale => {
    const m = s.metrics;
    const putsPerTask = atScale(m.puts, maxSf) / Math.max(1, atScale(m.tasks, maxSf));
    const shuffleGets = s.deps.reduce((a, d) => a + (tasks[byId.get(d) ?? -1] ?? 0) * tasks[i]!, 0);
    // A scan stage's deps are broadcast build sides, read whole by every task: build size × tasks
    // (both grow with SF, so this is not the measured line).
    const builds = s.kind === 'scan' ? s.deps.reduce((a, d) => a + (written[byId.get(d) ?? -1] ?? 0), 0) : 0;
    if (builds > 1e9 && tasks[i]! > 0)
      warnings.push(
        `Q${fit.query} stage ${s.stage} broadcasts ${(builds / 1e9).toFixed(1)} GB to each of its ${tasks[i]} tasks (the query hints a broadcast join)`,
      );
    return {
      stage: s.stage,
      kind: s.kind,
      deps: s.deps,
      tasks: tasks[i]!,
      cpuSeconds: atScale(m.cpuSeconds, sf),
      parquetBytes: parquet[i]!,
      shuffleBytesWritten: atScale(m.shuffleBytesWritten, sf),
      shuffleBytesRead: s.kind === 'scan' ? builds * tasks[i]! : atScale(m.shuffleBytesRead, sf),
      resultBytes: atScale(m.resultBytes, sf),
      gets: atScale(m.gets, sf) + shuffleGets,
      puts: Math.max(1, putsPerTask) * tasks[i]!,
    };
  });
  const stages = all.filter((_, i) => ran[i]);
  const stratusGrowth = fit.job.executorCpuSeconds.slope;
  const nativeGrowth = fit.job.duckdbCpuSeconds.slope;
  if (!(stratusGrowth > 0) || !(nativeGrowth > 0))
    throw new Error(`Q${fit.query}: CPU does not grow with SF in the measurements; no native-speed ratio`);
  return {
    query: fit.query,
    sf,
    stages,
    rounds: Math.max(stages.length + 1, Math.round(atScale(fit.job.rounds, sf))),
    // The driver's CPU (0.1-0.4 s a job, mostly noise over SF 0.1-1) is not extrapolated.
    driverCpuSeconds: atScale(fit.job.driverCpuSeconds, Math.min(sf, maxSf)),
    nativeFactor: nativeGrowth / stratusGrowth,
    warnings,
  };
}

/** How one platform runs a stage: executors for it, vCPUs and MB/s of each. */
interface Shape {
  readonly executors: (s: StageAtScale) => number;
  readonly vcpus: number;
  readonly mbps: number;
}

export interface StageTime {
  readonly stage: number;
  readonly executors: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly ioSeconds: number;
  /** Seconds of GETs when the S3 prefix's request rate, not the executors, sets their pace (else 0). */
  readonly prefixBoundS: number;
}

/** Time of each stage on a shape (see the header for the formula). */
export function stageTimes(
  job: JobAtScale,
  shape: Shape,
  speed: number,
  firstByteS: number,
  prefixGetRps: number,
): StageTime[] {
  return job.stages.map((s) => {
    const e = Math.max(1, shape.executors(s));
    const cores = Math.min(s.tasks, e * shape.vcpus);
    const cpu = (s.cpuSeconds * speed) / cores;
    const bytes = s.parquetBytes + s.shuffleBytesRead + s.shuffleBytesWritten + s.resultBytes;
    const io = bytes / (Math.min(s.tasks, e) * shape.mbps * MB);
    const inFlight = (s.gets * firstByteS) / (e * shape.vcpus * CONNECTIONS_PER_VCPU);
    const prefixS = s.gets / prefixGetRps;
    const reqs = Math.max(inFlight, prefixS);
    return {
      stage: s.stage,
      executors: e,
      seconds: Math.max(cpu, io) + reqs,
      cpuSeconds: cpu,
      ioSeconds: io,
      prefixBoundS: prefixS >= inFlight ? prefixS : 0,
    };
  });
}

export interface Prediction {
  readonly query: number;
  readonly sf: number;
  readonly line: SpeedLine;
  readonly platform: PlatformId;
  /** Jobs per hour the platform serves (decides warm vs cold, and how fixed costs spread). */
  readonly rate: number;
  readonly seconds: number;
  readonly dollars: number;
  readonly parts: {
    readonly startupS: number;
    readonly stagesS: number;
    readonly overheadS: number;
    readonly computeUSD: number;
    readonly orchestrationUSD: number;
    readonly requestsUSD: number;
    readonly fixedUSD: number;
  };
  readonly warm: boolean;
  readonly stages: readonly StageTime[];
  /** Limits the job runs into on this platform (S3 prefix request rates, Lambda's 15 minutes). */
  readonly flags: readonly string[];
}

/** Stratus's sizing over a stage: scale from 1 by input bytes, never leave tasks waiting, within the cap. */
function stratusExecutors(cap: number, workers: number): (s: StageAtScale) => number {
  return (s) => {
    const byBytes = Math.ceil((s.parquetBytes + s.shuffleBytesRead) / BYTES_PER_EXECUTOR);
    return Math.max(1, Math.min(cap, Math.max(byBytes, Math.ceil(s.tasks / workers)), s.tasks));
  };
}

/** The model over one platform document. */
export class CostModel {
  constructor(readonly p: Platforms) {}

  /** Lambda vCPUs of a 10 GB executor (memory ÷ MB per vCPU, at most the ceiling). */
  lambdaVcpus(): number {
    return Math.min(this.p.n('lambda.maxVcpus'), STRATUS_DEPLOYMENT.executorMB / this.p.n('lambda.mbPerVcpu'));
  }

  /** The cluster all non-Lambda platforms get: as many vCPUs as Stratus's 40 executors have. */
  clusterVcpus(): number {
    return executorCap({ goal: 'latency' }) * this.lambdaVcpus();
  }

  /** m7g.4xlarge (16 vCPU, 64 GiB) on-demand per hour: 8 × m7g.large. */
  nodeHourOnDemand(): number {
    return this.p.n('ec2.m7gLargeOnDemandHour') * 8 * this.p.n('ec2.sizeScalesLinearly');
  }

  nodes(): number {
    return Math.ceil(this.clusterVcpus() / 16);
  }

  s3USD(job: JobAtScale, extraGets = 0, extraPuts = 0): number {
    const gets = job.stages.reduce((a, s) => a + s.gets, 0) + extraGets;
    const puts = job.stages.reduce((a, s) => a + s.puts, 0) + extraPuts;
    return (gets * this.p.n('s3.getPer1000') + puts * this.p.n('s3.putPer1000')) / 1000;
  }

  predict(job: JobAtScale, platform: PlatformId, line: SpeedLine, rate: number): Prediction {
    if (!(rate > 0)) throw new Error(`jobs per hour must be positive, got ${rate}`);
    const speed = line === 'native' ? job.nativeFactor : 1;
    const interval = HOUR / rate;
    switch (platform) {
      case 'lambda':
      case 'lambda-dmap':
      case 'lmi':
        return this.stepFunctions(job, platform, line, rate, speed, interval);
      case 'fargate':
      case 'fargate-soci':
        return this.fargate(job, platform, line, rate, speed, interval);
      case 'ec2-warm-od':
      case 'ec2-warm-spot':
      case 'ec2-karpenter-od':
      case 'ec2-karpenter-spot':
      case 'ec2-ca-od':
        return this.ec2(job, platform, line, rate, speed, interval);
      default: {
        const never: never = platform;
        throw new Error(`unknown platform ${String(never)}`);
      }
    }
  }

  /** Stratus as it runs: driver rounds through Step Functions, executors on Lambda or LMI. */
  private stepFunctions(
    job: JobAtScale,
    platform: 'lambda' | 'lambda-dmap' | 'lmi',
    line: SpeedLine,
    rate: number,
    speed: number,
    interval: number,
  ): Prediction {
    const p = this.p;
    const fb = p.n('s3.firstByteLatencyS');
    const inline = p.n('sfn.inlineMapConcurrency');
    const lmi = platform === 'lmi';
    const instances = this.nodes();
    const cap =
      platform === 'lambda'
        ? Math.min(inline, executorCap({ goal: 'latency' }))
        : platform === 'lambda-dmap'
          ? Math.min(p.n('sfn.distributedMapConcurrency'), p.n('lambda.accountConcurrency') - 1)
          : instances;
    const shape: Shape = lmi
      ? { executors: stratusExecutors(cap, 16), vcpus: 16, mbps: p.n('ec2.nodeNetworkMBps') }
      : {
          executors: stratusExecutors(cap, CPU_WORKERS),
          vcpus: this.lambdaVcpus(),
          mbps: p.n('lambda.s3ThroughputMBps'),
        };
    const stages = stageTimes(job, shape, speed, fb, p.n('s3.prefixGetRps'));
    const driverPerRound = job.driverCpuSeconds / job.rounds + 2 * fb;
    const perRound = p.n('sfn.transitionsPerRound') * p.n('sfn.transitionLatencyS') + driverPerRound;
    const overheadS = job.rounds * perRound + stages.length * fb; // each executor loads its manifest
    const stagesS = stages.reduce((a, s) => a + s.seconds, 0);
    const warm = lmi || interval < p.n('lambda.warmKeepAliveS');
    const startupS = warm ? (lmi ? p.n('lmi.coldStartS') : 0) : p.n('lambda.coldStartS');
    const seconds = startupS + stagesS + overheadS;
    const invocations = stages.reduce((a, s) => a + s.executors, 0) + job.rounds;
    const children = stages.reduce((a, s) => a + (s.executors > inline ? s.executors : 0), 0);
    const transitions =
      job.rounds * p.n('sfn.transitionsPerRound') +
      invocations -
      job.rounds +
      2 +
      children * p.n('sfn.distributedChildBilling');
    const orchestrationUSD = transitions * p.n('sfn.pricePerTransition');
    const requestsUSD = this.s3USD(job, 2 * job.rounds, 2 * job.rounds);
    let computeUSD: number;
    let fixedUSD = 0;
    if (lmi) {
      // The fleet: at least the minimum, at least the job's widest stage, more when jobs overlap.
      const fleet = Math.max(p.n('lmi.minInstances'), ...stages.map((s) => s.executors));
      const busy = stages.reduce((a, s) => a + s.executors * s.seconds, 0) + fleet * overheadS;
      const instanceHour = this.nodeHourOnDemand() * (1 + p.n('lmi.managementFee'));
      fixedUSD = (instanceHour * Math.max(fleet * interval, busy)) / HOUR;
      computeUSD = invocations * p.n('lmi.perRequest');
    } else {
      const gbS = p.n('lambda.gbSecondArm64');
      const execGB = STRATUS_DEPLOYMENT.executorMB / 1024;
      const maxExec = Math.max(...stages.map((s) => s.executors));
      const execGBs = stages.reduce((a, s) => a + s.executors * execGB * s.seconds, 0) + maxExec * execGB * startupS;
      const driverGBs = job.rounds * (STRATUS_DEPLOYMENT.driverMB / 1024) * driverPerRound;
      computeUSD = (execGBs + driverGBs) * gbS + invocations * p.n('lambda.perRequest');
    }
    return {
      query: job.query,
      sf: job.sf,
      line,
      platform,
      rate,
      seconds,
      dollars: computeUSD + orchestrationUSD + requestsUSD + fixedUSD,
      parts: { startupS, stagesS, overheadS, computeUSD, orchestrationUSD, requestsUSD, fixedUSD },
      warm: lmi || warm,
      stages,
      flags: this.flags(job, stages, true),
    };
  }

  /**
   * What the stage times run into: a job's keys share one S3 prefix, which serves at least 5,500
   * GETs and 3,500 PUTs a second before it is partitioned (the GET pace is in the stage time; a
   * stage held by it for over a second is flagged); a Lambda executor stops at 15 minutes and
   * hands its unfinished tasks back (more rounds than modelled).
   */
  flags(job: JobAtScale, stages: readonly StageTime[], lambda: boolean): string[] {
    const p = this.p;
    const out: string[] = [];
    job.stages.forEach((s, i) => {
      const t = stages[i]!.seconds;
      const putRate = s.puts / t;
      if (stages[i]!.prefixBoundS > 1)
        out.push(
          `stage ${s.stage}: ${stages[i]!.prefixBoundS.toFixed(0)} s of GETs held to ${p.n('s3.prefixGetRps')}/s by the job's S3 prefix`,
        );
      if (putRate > p.n('s3.prefixPutRps'))
        out.push(`stage ${s.stage}: ${putRate.toFixed(0)} PUT/s on the job's prefix (> ${p.n('s3.prefixPutRps')}/s)`);
      if (lambda && t > p.n('lambda.maxDurationS'))
        out.push(`stage ${s.stage}: ${t.toFixed(0)} s per executor (> ${p.n('lambda.maxDurationS')} s Lambda limit)`);
    });
    return out;
  }

  /** The cluster baseline's per-stage coordination: one commit write and one poll of the store. */
  private clusterOverhead(job: JobAtScale): number {
    return job.stages.length * 2 * this.p.n('s3.firstByteLatencyS');
  }

  /** A Go engine on EKS Fargate: 4 vCPU / 16 GB worker pods started per job, plus a 1 vCPU / 2 GB coordinator. */
  private fargate(
    job: JobAtScale,
    platform: 'fargate' | 'fargate-soci',
    line: SpeedLine,
    rate: number,
    speed: number,
    interval: number,
  ): Prediction {
    const p = this.p;
    const podVcpu = 4;
    const maxPods = Math.ceil(this.clusterVcpus() / podVcpu);
    // The job starts as many worker pods as its widest stage has tasks, up to the cluster's share.
    const pods = Math.min(maxPods, Math.max(...job.stages.map((s) => s.tasks)));
    const shape: Shape = {
      executors: (s) => Math.min(pods, s.tasks),
      vcpus: podVcpu,
      mbps: podVcpu * p.n('fargate.podNetworkMBpsPerVcpu'),
    };
    const stages = stageTimes(job, shape, speed, p.n('s3.firstByteLatencyS'), p.n('s3.prefixGetRps'));
    const stagesS = stages.reduce((a, s) => a + s.seconds, 0);
    const overheadS = this.clusterOverhead(job);
    const startupS = p.n('fargate.podStartS') * (platform === 'fargate-soci' ? p.n('fargate.podStartSociFactor') : 1);
    const seconds = startupS + stagesS + overheadS;
    const billed = Math.max(p.n('fargate.minimumBilledS'), seconds);
    const perPodHour = (vcpu: number, gb: number) => vcpu * p.n('fargate.vcpuHourX86') + gb * p.n('fargate.gbHourX86');
    const computeUSD = (billed * (pods * perPodHour(podVcpu, 16) + perPodHour(1, 2))) / HOUR;
    const fixedUSD = (p.n('eks.controlPlanePerHour') * interval) / HOUR;
    const requestsUSD = this.s3USD(job, 2 * job.stages.length, job.stages.length);
    return {
      query: job.query,
      sf: job.sf,
      line,
      platform,
      rate,
      seconds,
      dollars: computeUSD + requestsUSD + fixedUSD,
      parts: { startupS, stagesS, overheadS, computeUSD, orchestrationUSD: 0, requestsUSD, fixedUSD },
      warm: false,
      stages,
      flags: this.flags(job, stages, false),
    };
  }

  /** A Go engine on EKS with EC2 m7g.4xlarge nodes: always warm, or brought up by Karpenter / the cluster autoscaler. */
  private ec2(
    job: JobAtScale,
    platform: 'ec2-warm-od' | 'ec2-warm-spot' | 'ec2-karpenter-od' | 'ec2-karpenter-spot' | 'ec2-ca-od',
    line: SpeedLine,
    rate: number,
    speed: number,
    interval: number,
  ): Prediction {
    const p = this.p;
    const n = this.nodes();
    const shape: Shape = { executors: (s) => Math.min(n, s.tasks), vcpus: 16, mbps: p.n('ec2.nodeNetworkMBps') };
    const stages = stageTimes(job, shape, speed, p.n('s3.firstByteLatencyS'), p.n('s3.prefixGetRps'));
    const stagesS = stages.reduce((a, s) => a + s.seconds, 0);
    const overheadS = this.clusterOverhead(job);
    const spot = platform.endsWith('spot');
    const nodeHour = this.nodeHourOnDemand() * (spot ? p.n('ec2.spotPriceFraction') : 1);
    const warmStart = p.n('k8s.podStartWarmS');
    const jobWarmS = warmStart + stagesS + overheadS;
    const fixedUSD = (p.n('eks.controlPlanePerHour') * interval) / HOUR;
    const requestsUSD = this.s3USD(job, 2 * job.stages.length, job.stages.length);
    const result = (startupS: number, computeUSD: number, warm: boolean): Prediction => ({
      query: job.query,
      sf: job.sf,
      line,
      platform,
      rate,
      seconds: startupS + stagesS + overheadS,
      dollars: computeUSD + requestsUSD + fixedUSD,
      parts: { startupS, stagesS, overheadS, computeUSD, orchestrationUSD: 0, requestsUSD, fixedUSD },
      warm,
      stages,
      flags: this.flags(job, stages, false),
    });
    // Nodes the job occupies: its widest stage. A warm cluster is sized to the load: at least that
    // width all the time, more when jobs overlap (node-seconds the jobs keep busy).
    const width = Math.max(...stages.map((s) => s.executors));
    const busy = stages.reduce((a, s) => a + s.executors * s.seconds, 0) + width * (warmStart + overheadS);
    const warmCompute = (nodeHour * Math.max(width * interval, busy)) / HOUR;
    if (platform === 'ec2-warm-od' || platform === 'ec2-warm-spot') return result(warmStart, warmCompute, true);
    const karpenter = platform !== 'ec2-ca-od';
    const scaleDown = p.n(karpenter ? 'k8s.karpenterScaleDownS' : 'k8s.clusterAutoscalerScaleDownS');
    // The nodes outlive the gap between jobs: the cluster stays up and every job finds it warm.
    if (interval < jobWarmS + scaleDown) return result(warmStart, warmCompute, true);
    const bringUp =
      p.n(karpenter ? 'k8s.karpenterNodeReadyS' : 'k8s.clusterAutoscalerNodeReadyS') +
      p.n('k8s.imagePullS') +
      warmStart;
    const nodeSeconds = Math.max(p.n('ec2.billingMinimumS'), bringUp + stagesS + overheadS + scaleDown);
    return result(bringUp, (width * nodeHour * nodeSeconds) / HOUR, false);
  }
}
