/**
 * sample: Spark's `df.sample([withReplacement,] fraction[, seed])` — a Bernoulli sample without
 * replacement, deterministic for a seed and a partitioning (operators/sample.ts).
 */
import { PlanError } from '../../../planner/errors.js';
import type { PlanNode } from '../../../planner/plan.js';
import { sample as sampleNode } from '../../../planner/plan.js';

/**
 * Keep each row with probability `fraction`; without a seed, one is drawn now (the DataFrame
 * then samples the same rows every time it runs). `withReplacement: true` is refused.
 * @example sample(plan, [0.1, 42])
 */
export function sample(input: PlanNode, args: readonly (number | boolean | undefined)[]): PlanNode {
  const [first, ...rest] = args;
  if (typeof first === 'boolean') {
    if (first)
      throw new PlanError(
        'BAD_SAMPLE',
        'sample(withReplacement = true) is not supported: only Bernoulli sampling without replacement; use sample(fraction, seed)',
        { withReplacement: true },
      );
    return sample(input, rest);
  }
  const [fraction, seed = Math.floor(Math.random() * 2 ** 31), extra] = [first, ...rest];
  if (extra !== undefined) throw new PlanError('BAD_SAMPLE', 'sample takes ([withReplacement,] fraction[, seed])');
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1))
    throw new PlanError('BAD_SAMPLE', `sample fraction must be a number between 0 and 1, got ${String(fraction)}`, {
      fraction,
    });
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed))
    throw new PlanError('BAD_SAMPLE', `sample seed must be an integer, got ${String(seed)}`, { seed });
  return sampleNode(input, fraction, seed);
}
