/**
 * How logical store keys map to S3 object keys.
 *
 * Plain layout: `<prefix>/<key>`.
 *
 * Hashed layout (`hashedPrefixes`): `<prefix>/<h>/<key>`, where `<h>` is FNV-1a-32 of the
 * WHOLE logical key modulo `hashBuckets` (default 16), in lower-case hex padded to the width
 * of `hashBuckets - 1` (16 → `0`..`f`, 256 → `00`..`ff`). S3 scales request rates per key
 * prefix (≈3,500 PUT / 5,500 GET per second each); spreading the objects of ONE directory (the
 * M map outputs of a shuffle stage, the parts of a job's output) over many prefixes lets S3
 * partition them. Hashing only a key's directory part would keep a whole stage in one prefix,
 * and would not make listing cheaper either: a listing prefix also matches deeper
 * directories, which hash elsewhere. So listing fans out: one ListObjectsV2 per hash bucket
 * (with the logical prefix appended), merged and sorted.
 *
 * The hash is part of the on-disk format: changing it (or `hashBuckets`) orphans stored data.
 */

export interface KeyLayout {
  /** Normalized store prefix: '' or ending with '/'. */
  readonly base: string;
  /** The S3 key of a logical key. */
  toPhysical(key: string): string;
  /** The logical key of an S3 key returned by a listing of `listPrefixes`. */
  toLogical(physical: string): string;
  /** The S3 prefixes to list to find every logical key starting with `prefix`. */
  listPrefixes(prefix: string): string[];
}

/** FNV-1a, 32-bit, over the UTF-8 bytes of `s`. */
function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(s)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** `prefix` with no leading '/' and exactly one trailing '/' (or '' for the bucket root). */
function normalizePrefix(prefix: string): string {
  const p = prefix.replace(/^\/+/, '').replace(/\/+$/, '');
  return p ? `${p}/` : '';
}

/** Build the layout of a store. `hashBuckets` only matters when `hashed`. */
export function keyLayout(prefix: string, hashed: boolean, hashBuckets = 16): KeyLayout {
  const base = normalizePrefix(prefix);
  if (!hashed) {
    return {
      base,
      toPhysical: (key) => base + key,
      toLogical: (physical) => physical.slice(base.length),
      listPrefixes: (p) => [base + p],
    };
  }
  if (!Number.isInteger(hashBuckets) || hashBuckets < 2 || hashBuckets > 65_536) {
    throw new RangeError(`hashBuckets must be an integer in [2, 65536], got ${hashBuckets}`);
  }
  const width = (hashBuckets - 1).toString(16).length;
  const bucketName = (i: number): string => i.toString(16).padStart(width, '0');
  const all = Array.from({ length: hashBuckets }, (_, i) => `${base}${bucketName(i)}/`);
  return {
    base,
    toPhysical: (key) => `${base}${bucketName(fnv1a32(key) % hashBuckets)}/${key}`,
    toLogical: (physical) => physical.slice(base.length + width + 1),
    listPrefixes: (p) => all.map((b) => b + p),
  };
}
