/**
 * Sample: Spark's Bernoulli sample without replacement. Each row is kept when a uniform draw in
 * [0, 1) is below the fraction; the draws come from a xoshiro128** generator seeded by the seed
 * and the task's partition, one per row in input order, so a task (and its retries) keeps the
 * same rows for the same seed, and different partitions draw independent streams.
 */
import type { Schema } from '../planner/types.js';
import type { Operator } from './operator.js';
import type { Batch } from './vector.js';
import { takeBatch } from './vector.js';

/** murmur3's 32-bit finalizer over a running state (splitmix-style seeding of the generator). */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A seeded xoshiro128** generator of uniform doubles in [0, 1) (32 random bits each). */
export function uniforms(seed: number, partition: number): () => number {
  const s = BigInt(seed);
  const lo = Number(BigInt.asUintN(32, s));
  const hi = Number(BigInt.asUintN(32, s >> 32n));
  let x = mix(lo ^ 0x9e3779b9);
  const st = new Uint32Array(4);
  for (let k = 0; k < 4; k++) {
    x = mix((x + 0x9e3779b9 + (k === 1 ? hi : k === 2 ? partition : 0)) >>> 0);
    st[k] = x;
  }
  if (st[0]! === 0 && st[1]! === 0 && st[2]! === 0 && st[3]! === 0) st[0] = 1;
  const rotl = (v: number, k: number) => (v << k) | (v >>> (32 - k));
  return () => {
    const r = Math.imul(rotl(Math.imul(st[1]!, 5), 7), 9) >>> 0;
    const t = st[1]! << 9;
    st[2]! ^= st[0]!;
    st[3]! ^= st[1]!;
    st[1]! ^= st[2]!;
    st[0]! ^= st[3]!;
    st[2]! ^= t;
    st[3] = rotl(st[3]!, 11);
    return r / 2 ** 32;
  };
}

export class SampleOperator implements Operator {
  readonly name = 'Sample';
  constructor(
    readonly fraction: number,
    readonly seed: number,
    readonly schema: Schema,
    readonly partition: number,
  ) {}
  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    const next = uniforms(this.seed, this.partition);
    for await (const b of input) {
      const sel = new Int32Array(b.length);
      let k = 0;
      for (let i = 0; i < b.length; i++) if (next() < this.fraction) sel[k++] = i;
      if (k === b.length) yield b;
      else if (k > 0) yield takeBatch(b, sel.subarray(0, k));
    }
  }
}
