/**
 * LIKE against a pattern of literals between '%'s (operators/like.ts likeLiterals: per-row ends,
 * native byte search for the middle literals shared across rows) gives what the per-row matcher
 * gives, for random columns and patterns over a small alphabet (so literals repeat within and
 * across rows, overlap the anchored ends, and run past a row's end into the next), with nulls,
 * empty strings and multibyte characters.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { likeMatcher, PREDICATE_KERNELS } from '../operators/like.js';
import { type BytesVec, isValid, vecFromValues } from '../operators/vector.js';

const encoder = new TextEncoder();
const alphabet = ['a', 'b', 'é', 'ab', 'ba'];
const text = fc.array(fc.constantFrom(...alphabet), { maxLength: 8 }).map((xs) => xs.join(''));
const pattern = fc
  .array(fc.oneof(fc.constant('%'), text), { minLength: 1, maxLength: 6 })
  .map((xs) => xs.join(''))
  .filter((p) => p.includes('%'));

describe('LIKE with literals between %s', () => {
  it('equals the per-row matcher on random columns and patterns', () =>
    fc.assert(
      fc.property(fc.array(fc.option(text, { freq: 8 }), { maxLength: 40 }), pattern, (values, p) => {
        const col = vecFromValues('string', values) as BytesVec;
        const n = values.length;
        const got = PREDICATE_KERNELS.like(
          [col, { scalar: true, type: 'string', value: encoder.encode(p) }],
          n,
          'bool',
          ['string', 'string'],
        );
        const m = likeMatcher(p);
        for (let i = 0; i < n; i++) {
          if (values[i] === null) {
            expect(isValid(got.validity, i)).toBe(false);
            continue;
          }
          const want = m(col.data, col.offsets[i]!, col.offsets[i + 1]!);
          expect([i, p, values[i], (got as { values: Uint8Array }).values[i] === 1]).toEqual([i, p, values[i], want]);
        }
      }),
      { numRuns: 2000 },
    ));
});
