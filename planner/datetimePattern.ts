/**
 * Spark's datetime patterns ('yyyy-MM-dd HH:mm:ss.SSS', "EEE, d MMM yyyy", "yyyy-MM-dd'T'HH:mm:ssXXX"),
 * tokenized once and checked at plan time: an unknown or unsupported letter is a plan error
 * naming the pattern. Formatting and parsing by the tokens live in operators/time/pattern.ts.
 */
import { PlanError } from './errors.js';

export type PatternToken =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'field'; readonly letter: string; readonly count: number };

/** Letters and the longest run of each that Spark accepts here. */
const LETTERS: Readonly<Record<string, { readonly max: number; readonly what: string }>> = {
  y: { max: 9, what: 'year' },
  u: { max: 9, what: 'year' },
  M: { max: 4, what: 'month' },
  L: { max: 4, what: 'month' },
  d: { max: 2, what: 'day of month' },
  D: { max: 3, what: 'day of year' },
  Q: { max: 4, what: 'quarter' },
  q: { max: 4, what: 'quarter' },
  E: { max: 4, what: 'day of week' },
  a: { max: 1, what: 'am/pm' },
  H: { max: 2, what: 'hour 0-23' },
  k: { max: 2, what: 'hour 1-24' },
  K: { max: 2, what: 'hour 0-11' },
  h: { max: 2, what: 'hour 1-12' },
  m: { max: 2, what: 'minute' },
  s: { max: 2, what: 'second' },
  S: { max: 9, what: 'fraction of second' },
  V: { max: 2, what: 'zone id' },
  X: { max: 5, what: 'zone offset (Z for zero)' },
  x: { max: 5, what: 'zone offset' },
  Z: { max: 5, what: 'zone offset' },
};

const cache = new Map<string, readonly PatternToken[]>();

const badPattern = (pattern: string, why: string) =>
  new PlanError(
    'BAD_DATETIME_PATTERN',
    `invalid datetime pattern '${pattern}': ${why}; supported letters are ${Object.keys(LETTERS).join(' ')} ('text' in quotes)`,
    { pattern },
  );

/** The tokens of a pattern; a plan error naming the pattern when it is not one Spark accepts here. */
export function compilePattern(pattern: string): readonly PatternToken[] {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const out: PatternToken[] = [];
  const text = (t: string) => {
    const last = out[out.length - 1];
    if (last?.kind === 'text') out[out.length - 1] = { kind: 'text', text: last.text + t };
    else out.push({ kind: 'text', text: t });
  };
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i]!;
    if (c === "'") {
      if (pattern[i + 1] === "'") {
        text("'");
        i += 2;
        continue;
      }
      const end = pattern.indexOf("'", i + 1);
      if (end < 0) throw badPattern(pattern, 'a quote is not closed');
      // '' inside quotes is a quote
      let j = i + 1;
      let lit = '';
      while (j < pattern.length) {
        if (pattern[j] === "'") {
          if (pattern[j + 1] === "'") {
            lit += "'";
            j += 2;
            continue;
          }
          break;
        }
        lit += pattern[j];
        j++;
      }
      if (j >= pattern.length) throw badPattern(pattern, 'a quote is not closed');
      text(lit);
      i = j + 1;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      const spec = LETTERS[c];
      if (!spec) throw badPattern(pattern, `the letter '${c}' is not supported`);
      if (j - i > spec.max) throw badPattern(pattern, `'${c.repeat(j - i)}' is too long for a ${spec.what}`);
      if (c === 'V' && j - i !== 2) throw badPattern(pattern, "a zone id is 'VV'");
      out.push({ kind: 'field', letter: c, count: j - i });
      i = j;
      continue;
    }
    text(c);
    i++;
  }
  const frozen = Object.freeze(out);
  cache.set(pattern, frozen);
  return frozen;
}

/** Spark's default format of unix_timestamp and from_unixtime. */
export const DEFAULT_PATTERN = 'yyyy-MM-dd HH:mm:ss';
