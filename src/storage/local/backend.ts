/**
 * The local backend's registry entry: `file://` URLs and plain paths, one directory per store.
 * Data locations are keys of the filesystem root's store (`/`), so every local dataset shares
 * one store instance.
 */
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Backend } from '../backends.js';
import type { LocalStoreRef } from '../store.js';
import { LocalStore } from './store.js';

/** The absolute path a `file://` URL or a (relative) path names. */
function localPath(url: string): string {
  return /^file:/i.test(url) ? fileURLToPath(url) : path.resolve(url);
}

const FILESYSTEM_ROOT: LocalStoreRef = { kind: 'local', root: '/' };

export const LOCAL_BACKEND: Backend<LocalStoreRef> = {
  schemes: ['file'],
  urlForm: 'file:///path or a local path',
  shuffleCodec: 'none',
  storeRef: (url) => ({ kind: 'local', root: localPath(url) }),
  locate: (url) => ({ ref: FILESYSTEM_ROOT, key: localPath(url).replace(/^\/+/, '').replace(/\/+$/, '') }),
  // Real file URLs (a key's `%`, `#`, `?` percent-encoded), so that locate gives back the key.
  normalize: (url) => pathToFileURL(localPath(url)).href,
  container: (bucket) => (bucket ? { kind: 'local', root: path.resolve('/', bucket) } : FILESYSTEM_ROOT),
  urlOf: (ref, key) => pathToFileURL(key ? `${ref.root.replace(/\/+$/, '')}/${key}` : ref.root).href,
  inherit: (ref) => ref,
  open: (ref) => new LocalStore(ref.root),
};
