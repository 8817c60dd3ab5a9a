/**
 * Choosing a store backend from configuration: a StoreRef (plain JSON, travels in
 * state-machine payloads) or a URL (`s3://bucket/prefix`, `file:///path`, a plain path).
 * The core never asks which backend it runs on.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { StorageError } from '../../planner/errors.js';
import type { ObjectStore, StoreRef } from './store.js';
import { LocalStore } from './local.js';
import { S3Store, type S3Tuning } from './s3.js';

/**
 * The store a ref names. `opts` tunes an S3 store (credentials, retries, stragglers, part
 * sizes) and is ignored for a local one.
 *
 * @example
 * const store = openStore(parseStoreUrl('s3://my-bucket/stratus'));
 */
export function openStore(ref: StoreRef, opts: S3Tuning = {}): ObjectStore {
  switch (ref.kind) {
    case 'local':
      return new LocalStore(ref.root);
    case 's3':
      return new S3Store({ ...opts, ...ref });
    default: {
      const never: never = ref;
      throw new StorageError('BAD_STORE', `unknown store kind in ${JSON.stringify(never)}: use 'local' or 's3'`, {
        ref: never,
      });
    }
  }
}

/** Defaults for the S3 fields a URL does not carry. */
export interface ParseStoreUrlOptions {
  readonly endpoint?: string;
  readonly region?: string;
  readonly hashedPrefixes?: boolean;
}

/**
 * Parse a store URL:
 * - `s3://bucket/some/prefix` → an 's3' ref (prefix without leading/trailing '/'); the query
 *   may set `endpoint`, `region` and `hashedPrefixes` (`?endpoint=http://127.0.0.1:4568`),
 *   which win over `opts`;
 * - `file:///abs/path` or a plain path (made absolute) → a 'local' ref.
 *
 * @example
 * parseStoreUrl('s3://data/tpch', { endpoint: 'http://127.0.0.1:4568' });
 * // { kind: 's3', bucket: 'data', prefix: 'tpch', endpoint: 'http://127.0.0.1:4568' }
 */
export function parseStoreUrl(url: string, opts: ParseStoreUrlOptions = {}): StoreRef {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined) return { kind: 'local', root: path.resolve(url) };
  if (scheme === 'file') return { kind: 'local', root: fileURLToPath(url) };
  if (scheme !== 's3') {
    throw new StorageError(
      'BAD_URL',
      `unsupported store URL '${url}': use s3://bucket/prefix, file:///path or a local path`,
      { url },
    );
  }
  const u = new URL(url);
  const bucket = u.hostname;
  if (!bucket) throw new StorageError('BAD_URL', `store URL '${url}' names no bucket: use s3://bucket/prefix`, { url });
  const prefix = decodeURIComponent(u.pathname).replace(/^\/+/, '').replace(/\/+$/, '');
  const q = u.searchParams;
  const endpoint = q.get('endpoint') ?? opts.endpoint;
  const region = q.get('region') ?? opts.region;
  const hashed = q.has('hashedPrefixes') ? q.get('hashedPrefixes') !== 'false' : opts.hashedPrefixes;
  return {
    kind: 's3',
    bucket,
    prefix,
    ...(endpoint ? { endpoint } : {}),
    ...(region ? { region } : {}),
    ...(hashed ? { hashedPrefixes: true } : {}),
  };
}
