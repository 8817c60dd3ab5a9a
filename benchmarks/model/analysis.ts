/**
 * What the model says about the design's claims: the grid of predictions (query × SF × platform
 * × speed line × jobs per hour), the verdict per claim × scale × rate (holds / flips / mixed over
 * the queries), the jobs-per-hour crossovers where an always-on cluster becomes cheaper, the
 * Starling side-by-side at SF 1000, and a modelled per-stage timeline of Stratus's executors.
 */
import type { QueryFit } from './fit.js';
import { type CostModel, jobAtScale, type PlatformId, PLATFORM_IDS, type Prediction, type SpeedLine } from './model.js';

export interface Grid {
  readonly sfs: readonly number[];
  readonly rates: readonly number[];
  readonly lines: readonly SpeedLine[];
}

export const DEFAULT_GRID: Grid = { sfs: [1, 10, 100, 1000], rates: [1, 6, 60, 360], lines: ['stratus', 'native'] };

export function runGrid(model: CostModel, fits: readonly QueryFit[], grid: Grid): Prediction[] {
  const out: Prediction[] = [];
  for (const fit of fits) {
    if (!fit.stages) continue;
    for (const sf of grid.sfs) {
      const job = jobAtScale(fit, sf);
      for (const line of grid.lines)
        for (const rate of grid.rates) for (const p of PLATFORM_IDS) out.push(model.predict(job, p, line, rate));
    }
  }
  return out;
}

export interface Claim {
  readonly id: string;
  readonly text: string;
  readonly other: PlatformId;
  readonly metric: 'seconds' | 'dollars';
  /** The claim holds when Lambda's metric is below ('lower') or above ('higher') the other's. */
  readonly lambdaIs: 'lower' | 'higher';
}

/** "Lambda is typically faster but more expensive than EKS Fargate, and slower and more expensive than EKS on EC2." */
export const CLAIMS: readonly Claim[] = [
  {
    id: 'A',
    text: 'Lambda faster than EKS Fargate (SOCI)',
    other: 'fargate-soci',
    metric: 'seconds',
    lambdaIs: 'lower',
  },
  {
    id: 'B',
    text: 'Lambda dearer than EKS Fargate (SOCI)',
    other: 'fargate-soci',
    metric: 'dollars',
    lambdaIs: 'higher',
  },
  {
    id: 'C1',
    text: 'Lambda slower than EKS EC2, warm cluster',
    other: 'ec2-warm-od',
    metric: 'seconds',
    lambdaIs: 'higher',
  },
  {
    id: 'C2',
    text: 'Lambda slower than EKS EC2, Karpenter',
    other: 'ec2-karpenter-od',
    metric: 'seconds',
    lambdaIs: 'higher',
  },
  {
    id: 'D1',
    text: 'Lambda dearer than EKS EC2, warm cluster',
    other: 'ec2-warm-od',
    metric: 'dollars',
    lambdaIs: 'higher',
  },
  {
    id: 'D2',
    text: 'Lambda dearer than EKS EC2, Karpenter',
    other: 'ec2-karpenter-od',
    metric: 'dollars',
    lambdaIs: 'higher',
  },
];

export interface VerdictCell {
  readonly claim: string;
  readonly line: SpeedLine;
  readonly sf: number;
  readonly rate: number;
  readonly holds: number;
  readonly of: number;
  readonly verdict: string;
}

function key(p: { query: number; sf: number; line: string; platform: string; rate: number }): string {
  return `${p.query}|${p.sf}|${p.line}|${p.platform}|${p.rate}`;
}

/** Verdict text over n queries: all hold → holds, none → flips, else mixed k/n. */
export function verdictText(holds: number, of: number): string {
  if (of === 0) return 'n/a';
  return holds === of ? 'holds' : holds === 0 ? 'flips' : `mixed ${holds}/${of}`;
}

export function verdicts(preds: readonly Prediction[], grid: Grid): VerdictCell[] {
  const index = new Map(preds.map((p) => [key(p), p]));
  const queries = [...new Set(preds.map((p) => p.query))];
  const out: VerdictCell[] = [];
  for (const claim of CLAIMS)
    for (const line of grid.lines)
      for (const sf of grid.sfs)
        for (const rate of grid.rates) {
          let holds = 0;
          let of = 0;
          for (const query of queries) {
            const l = index.get(key({ query, sf, line, platform: 'lambda', rate }));
            const o = index.get(key({ query, sf, line, platform: claim.other, rate }));
            if (!l || !o) continue;
            of++;
            const lower = l[claim.metric] < o[claim.metric];
            if (lower === (claim.lambdaIs === 'lower')) holds++;
          }
          out.push({ claim: claim.id, line, sf, rate, holds, of, verdict: verdictText(holds, of) });
        }
  return out;
}

/**
 * The jobs per hour at which `a` stops being cheaper than `b` (or starts), by bisection on a log
 * scale between 0.01 and 100,000 jobs per hour; null when the order never changes there.
 */
export function crossoverRate(costA: (rate: number) => number, costB: (rate: number) => number): number | null {
  const f = (r: number) => costA(r) - costB(r);
  const lo = Math.log(0.01);
  const hi = Math.log(100_000);
  const steps = 200;
  let prev = f(Math.exp(lo));
  for (let i = 1; i <= steps; i++) {
    const x = lo + ((hi - lo) * i) / steps;
    const cur = f(Math.exp(x));
    if (Math.sign(cur) !== Math.sign(prev) && cur !== 0) {
      let a = lo + ((hi - lo) * (i - 1)) / steps;
      let b = x;
      for (let k = 0; k < 50; k++) {
        const m = (a + b) / 2;
        if (Math.sign(f(Math.exp(m))) === Math.sign(prev)) a = m;
        else b = m;
      }
      return Math.exp((a + b) / 2);
    }
    prev = cur;
  }
  return null;
}

export interface Crossover {
  readonly query: number;
  readonly sf: number;
  readonly line: SpeedLine;
  readonly lambda: PlatformId;
  readonly other: PlatformId;
  /** Jobs per hour above which the other platform is cheaper per job than Lambda (null: never in range). */
  readonly rate: number | null;
  /** Which is cheaper at 0.01 jobs per hour. */
  readonly cheaperAtLowRate: 'lambda' | 'other';
}

export function crossovers(
  model: CostModel,
  fits: readonly QueryFit[],
  sfs: readonly number[],
  lines: readonly SpeedLine[],
  pairs: readonly (readonly [PlatformId, PlatformId])[],
): Crossover[] {
  const out: Crossover[] = [];
  for (const fit of fits) {
    if (!fit.stages) continue;
    for (const sf of sfs) {
      const job = jobAtScale(fit, sf);
      for (const line of lines)
        for (const [lambda, other] of pairs) {
          const a = (r: number) => model.predict(job, lambda, line, r).dollars;
          const b = (r: number) => model.predict(job, other, line, r).dollars;
          out.push({
            query: fit.query,
            sf,
            line,
            lambda,
            other,
            rate: crossoverRate(a, b),
            cheaperAtLowRate: a(0.01) <= b(0.01) ? 'lambda' : 'other',
          });
        }
    }
  }
  return out;
}

export interface StarlingRow {
  readonly query: number;
  readonly line: SpeedLine;
  readonly platform: PlatformId;
  /** Seconds between jobs above which Stratus is cheaper than the cheaper warm EC2 cluster (null: never / always). */
  readonly crossoverIntervalS: number | null;
  readonly lambdaSeconds: number;
  readonly warmEc2Seconds: number;
  readonly lambdaDollars: number;
}

/**
 * Starling's sourced claims at SF 1000 against Stratus's modelled ones: the query interval above
 * which the serverless engine is cheaper than the best provisioned (warm EC2, spot or on-demand)
 * cluster, and whether it is faster than that cluster reading the same object store.
 */
export function starlingSideBySide(model: CostModel, fits: readonly QueryFit[], sf = 1000): StarlingRow[] {
  const out: StarlingRow[] = [];
  for (const fit of fits) {
    if (!fit.stages) continue;
    const job = jobAtScale(fit, sf);
    for (const line of ['stratus', 'native'] as const)
      for (const platform of ['lambda', 'lambda-dmap'] as const) {
        const best = (r: number) =>
          Math.min(
            model.predict(job, 'ec2-warm-od', line, r).dollars,
            model.predict(job, 'ec2-warm-spot', line, r).dollars,
          );
        const rate = crossoverRate((r) => model.predict(job, platform, line, r).dollars, best);
        const at = model.predict(job, platform, line, 60);
        out.push({
          query: fit.query,
          line,
          platform,
          crossoverIntervalS: rate === null ? null : 3600 / rate,
          lambdaSeconds: at.seconds,
          warmEc2Seconds: model.predict(job, 'ec2-warm-od', line, 60).seconds,
          lambdaDollars: at.dollars,
        });
      }
  }
  return out;
}

export interface TimelineBar {
  readonly query: number;
  readonly stage: number;
  readonly executor: number;
  readonly start: number;
  readonly end: number;
}

/** Modelled timeline of Stratus on Lambda: each stage's executors as bars, stages one after another. */
export function timeline(pred: Prediction): TimelineBar[] {
  const bars: TimelineBar[] = [];
  const between = pred.parts.overheadS / Math.max(1, pred.stages.length);
  let t = pred.parts.startupS;
  for (const s of pred.stages) {
    t += between;
    for (let e = 0; e < s.executors; e++)
      bars.push({ query: pred.query, stage: s.stage, executor: e, start: t, end: t + s.seconds });
    t += s.seconds;
  }
  return bars;
}
