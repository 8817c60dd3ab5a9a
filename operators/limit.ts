/**
 * Limit: passes the first n rows and stops pulling its input.
 */
import type { Schema } from '../planner/types.js';
import type { Operator } from './operator.js';
import type { Batch } from './vector.js';
import { sliceBatch } from './vector.js';

export class LimitOperator implements Operator {
  readonly name = 'Limit';
  constructor(
    readonly n: number,
    readonly schema: Schema,
  ) {}
  async *execute(input: AsyncIterable<Batch>): AsyncIterable<Batch> {
    let left = this.n;
    if (left <= 0) return;
    for await (const b of input) {
      if (b.length <= left) {
        yield b;
        left -= b.length;
      } else {
        yield sliceBatch(b, 0, left);
        left = 0;
      }
      if (left === 0) return;
    }
  }
}
