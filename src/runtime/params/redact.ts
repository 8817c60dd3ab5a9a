/**
 * Secret hygiene: `redact` masks secret values in any text (logs, error messages), and
 * `redactValue` in every string of a JSON-like value (errors as data, summaries), before it
 * leaves the process. The executor applies them to everything it hands back (failures.ts).
 */

/** The mask that replaces a secret value. */
export const REDACTED = '***';

/**
 * Replace every occurrence of any of `values` in `text` with `***`. Longer values are masked
 * first, so a secret that contains another is masked whole. Empty values are ignored.
 *
 * @example
 * redact('connect user:hunter2@db', ['hunter2']) // 'connect user:***@db'
 * redact(err.message, await params.get(['db/password'])) // a Map's values are masked
 */
export function redact(text: string, values: Iterable<string> | ReadonlyMap<string, string>): string {
  const list = isMap(values) ? [...values.values()] : [...values];
  const secrets = [...new Set(list.filter((v) => v.length > 0))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of secrets) out = out.split(s).join(REDACTED);
  return out;
}

function isMap(v: Iterable<string> | ReadonlyMap<string, string>): v is ReadonlyMap<string, string> {
  return v instanceof Map;
}

/**
 * A copy of a JSON-like value (errors as data, summaries, states) with every string redacted.
 *
 * @example
 * redactValue({ message: 'bad key hunter2', details: { stack: '…hunter2…' } }, ['hunter2'])
 */
export function redactValue<T>(value: T, values: Iterable<string> | ReadonlyMap<string, string>): T {
  const list = isMap(values) ? [...values.values()] : [...values];
  if (!list.some((v) => v.length > 0)) return value;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, list);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
