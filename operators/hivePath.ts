/**
 * Hive-style partition paths as Spark writes them (`ExternalCatalogUtils.escapePathName`):
 * control characters, DEL and each of  " # % ' * / : = ? \ { [ ] ^  become `%XX` (upper-case
 * hex) in both the column name and the value; a null or empty value is
 * `__HIVE_DEFAULT_PARTITION__`, read back as null. Reading undoes exactly that: `%XX` with two hex digits becomes the character, any
 * other `%` stays as it is (Spark's `unescapePathName`), so no directory name can fail to read.
 */

export const HIVE_NULL = '__HIVE_DEFAULT_PARTITION__';

/** The characters Spark (and Hive) escape in partition path segments: 0x01-0x1F, DEL and these. */
const ESCAPED_PUNCTUATION = new Set('"#%\'*/:=?\\{[]^');
const needsEscape = (c: string): boolean => {
  const code = c.charCodeAt(0);
  return (code >= 0x01 && code <= 0x1f) || code === 0x7f || ESCAPED_PUNCTUATION.has(c);
};

/** A partition column name or value as a path segment part. @example escapePathName('a/b=c') // 'a%2Fb%3Dc' */
export function escapePathName(s: string): string {
  let out = '';
  for (const c of s) out += needsEscape(c) ? `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}` : c;
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The inverse of escapePathName; a `%` not followed by two hex digits is kept. Escapes of bytes
 * above 0x7F (other writers, e.g. DuckDB, percent-encode UTF-8; Spark never does) decode as
 * UTF-8 where they form it, else one character per byte.
 */
export function unescapePathName(s: string): string {
  return s.replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
    const bytes = Uint8Array.from(run.slice(1).split('%'), (h) => Number.parseInt(h, 16));
    if (bytes.some((b) => b > 0x7f)) {
      try {
        return utf8.decode(bytes);
      } catch {
        // not UTF-8: one character per byte, as Spark decodes
      }
    }
    return String.fromCharCode(...bytes);
  });
}

/** One `name=value` directory of a partition path; null and '' become the default partition. */
export function partitionSegment(name: string, value: string | null): string {
  return `${escapePathName(name)}=${value === null || value === '' ? HIVE_NULL : escapePathName(value)}`;
}

/** A `name=value` directory read back: unescaped name and value (null for the default partition), or undefined. */
export function parseSegment(segment: string): { name: string; value: string | null } | undefined {
  const eq = segment.indexOf('=');
  if (eq <= 0) return undefined;
  const raw = segment.slice(eq + 1);
  return { name: unescapePathName(segment.slice(0, eq)), value: raw === HIVE_NULL ? null : unescapePathName(raw) };
}
