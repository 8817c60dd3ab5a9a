/**
 * The accumulator of a user-defined aggregate (udaf() in stratus/functions): a JS state per
 * group, made by its `init`, folded by `update(state, ...values)` (every row, nulls included, as
 * the values a UDF receives), combined by `merge` and finished by `finish`. The partial state is
 * the JSON text of each group's state; a state that does not survive JSON is an error naming the
 * UDAF. Its methods come from the job's bundle already guarded, so a throw names the UDAF and
 * the method.
 */
import { ExecutionError } from '../../planner/errors.js';
import type { DataType } from '../../planner/types.js';
import type { UdafMethods } from '../../src/runtime/userFunctions.js';
import type { Accumulator } from '../accumulators.js';
import type { BytesVec, Vec } from '../vector.js';
import { isValid, stringAt, valueAt, vecFromValues } from '../vector.js';

export type Udaf = UdafMethods;

export class UdafAcc implements Accumulator {
  private states: unknown[] = [];
  private has: boolean[] = [];
  constructor(
    readonly name: string,
    readonly udaf: Udaf,
    readonly returns: DataType,
  ) {}
  private stateOf(g: number): unknown {
    if (!this.has[g]) {
      this.states[g] = this.udaf.init();
      this.has[g] = true;
    }
    return this.states[g];
  }
  update(groups: Int32Array, _size: number, values: Vec | null, n: number, more?: readonly Vec[]): void {
    const cols = [values!, ...(more ?? [])];
    const args: unknown[] = new Array(cols.length);
    for (let i = 0; i < n; i++) {
      const g = groups[i]!;
      for (let k = 0; k < cols.length; k++) args[k] = valueAt(cols[k]!, i);
      this.states[g] = this.udaf.update(this.stateOf(g), ...args);
    }
  }
  state(groups: number): Vec[] {
    const texts = Array.from({ length: groups }, (_, g) => {
      if (!this.has[g]) return null;
      let text: string | undefined;
      try {
        text = JSON.stringify(this.states[g]);
      } catch (e) {
        throw this.notJson(e instanceof Error ? e.message : String(e));
      }
      if (text === undefined) throw this.notJson(`its state is ${typeof this.states[g]}`);
      return text;
    });
    return [vecFromValues('string', texts)];
  }
  private notJson(why: string): ExecutionError {
    return new ExecutionError(
      'UDAF_STATE_NOT_JSON',
      `UDAF '${this.name}': its state must be JSON-serializable to travel between executors (${why}); keep it to numbers, strings, booleans, null, arrays and plain objects`,
      { function: this.name },
    );
  }
  merge(groups: Int32Array, _size: number, state: readonly Vec[], n: number): void {
    const s = state[0] as BytesVec;
    for (let i = 0; i < n; i++) {
      if (!isValid(s.validity, i)) continue;
      const g = groups[i]!;
      const other = JSON.parse(stringAt(s, i)) as unknown;
      this.states[g] = this.has[g] ? this.udaf.merge(this.states[g], other) : other;
      this.has[g] = true;
    }
  }
  reset(g: number): void {
    delete this.states[g];
    this.has[g] = false;
  }
  evaluate(groups: number): Vec {
    const out = Array.from({ length: groups }, (_, g) => this.udaf.finish(this.stateOf(g)));
    try {
      return vecFromValues(this.returns, out);
    } catch (e) {
      throw new ExecutionError(
        'UDAF_BAD_RESULT',
        `UDAF '${this.name}' returned a value that is not a ${this.returns}: ${e instanceof Error ? e.message : String(e)}`,
        { function: this.name },
      );
    }
  }
}
