/**
 * A file-backed object store: keys are paths under a root directory. Writes are atomic
 * (temporary file + rename), so a reader never sees a half-written object.
 */
import {
  promises as fs,
  closeSync,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  read as readFd,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writev,
  writevSync,
} from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { StorageError } from '../../../planner/errors.js';
import { lendBytes } from '../../../operators/spareArrays.js';
import {
  type Body,
  bodyLength,
  emptyStats,
  type ObjectInfo,
  type ObjectLocation,
  type ObjectStore,
  type StoreStats,
} from '../store.js';

/**
 * Objects and ranges up to this size are read and written with synchronous calls: a few system
 * calls on this thread instead of a round trip through libuv's thread pool for each (open, read,
 * close…), every one of which waits for this thread to be woken again — microseconds on an idle
 * machine, milliseconds on a loaded one, and a job's driver and tasks make hundreds of small
 * requests (state, manifests, footers, shuffle partitions). Larger bodies, and ranges read ahead of
 * their use, stay asynchronous, their copies on the pool's threads while this one computes.
 */
export const LOCAL_SYNC_BYTES = 1 << 20;

export class LocalStore implements ObjectStore {
  readonly url: string;
  readonly stats: StoreStats = emptyStats();
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
    this.url = `file://${this.root}`;
  }

  private file(key: string): string {
    const p = path.resolve(this.root, key);
    if (p !== this.root && !p.startsWith(this.root + path.sep) && this.root !== path.sep) {
      throw new StorageError('BAD_KEY', `key '${key}' escapes the store root ${this.root}`, { key });
    }
    return p;
  }

  async get(key: string): Promise<Uint8Array> {
    this.stats.get++;
    const small = this.readSmall(key);
    if (small) return small;
    // Larger: opened, sized and closed on this thread, read in one round trip through the pool (getRange).
    let fd: number;
    let size: number;
    try {
      fd = openSync(this.file(key), 'r');
    } catch (e) {
      throw notFound(e, this.url, key);
    }
    try {
      size = fstatSync(fd).size;
    } catch (e) {
      closeSync(fd);
      throw notFound(e, this.url, key);
    }
    const bytes = await readAsync(fd, new Uint8Array(size), 0)
      .catch((e: unknown) => {
        throw notFound(e, this.url, key);
      })
      .finally(() => closeSync(fd));
    this.stats.bytesIn += bytes.byteLength;
    return bytes;
  }

  async getRange(key: string, start: number, end: number, ahead = false): Promise<Uint8Array> {
    this.stats.get++;
    // A read ahead stays asynchronous whatever its size: a page not in memory would block this
    // thread on the disk, where the pool's thread waits while this one computes.
    if (!ahead && end - start <= LOCAL_SYNC_BYTES) return this.readSmall(key, start, end)!;
    // Opened and closed on this thread (a system call each), read on the pool's thread: one
    // round trip through the pool, issued now and done while this thread computes. (Opening,
    // reading and closing each through the pool took three, the later two only once this thread
    // awaited the bytes, each waiting for a core when every core runs an executor.)
    let fd: number;
    try {
      fd = openSync(this.file(key), 'r');
    } catch (e) {
      throw notFound(e, this.url, key);
    }
    const bytes = await readAsync(fd, lendBytes(Math.max(0, end - start)), start)
      .catch((e: unknown) => {
        throw notFound(e, this.url, key);
      })
      .finally(() => closeSync(fd));
    this.stats.bytesIn += bytes.byteLength;
    return bytes;
  }

  /**
   * The object's bytes, or bytes [start, end) of it, read with synchronous calls when they are at
   * most LOCAL_SYNC_BYTES; undefined when they are more (the caller reads them asynchronously).
   */
  private readSmall(key: string, start = 0, end?: number): Uint8Array | undefined {
    let fd: number | undefined;
    try {
      fd = openSync(this.file(key), 'r');
      const stop = end ?? fstatSync(fd).size;
      if (stop - start > LOCAL_SYNC_BYTES) return undefined;
      // A range's bytes may be handed back by their reader (a scan, once its row group is decoded).
      const n = Math.max(0, stop - start);
      const out = readAt(fd, end === undefined ? new Uint8Array(n) : lendBytes(n), start);
      this.stats.bytesIn += out.byteLength;
      return out;
    } catch (e) {
      throw notFound(e, this.url, key);
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  }

  async put(key: string, body: Body): Promise<void> {
    this.stats.put++;
    this.stats.bytesOut += bodyLength(body);
    const target = this.file(key);
    if (bodyLength(body) <= LOCAL_SYNC_BYTES) {
      renameSync(writeTempSync(target, body), target);
      return;
    }
    renameSync(await writeTemp(target, body), target);
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    this.stats.put++;
    this.stats.bytesOut += body.byteLength;
    const target = this.file(key);
    const small = body.byteLength <= LOCAL_SYNC_BYTES;
    const tmp = small ? writeTempSync(target, body) : await writeTemp(target, body);
    try {
      // link() fails if the target exists: an atomic create of a complete file.
      linkSync(tmp, target);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      rmSync(tmp, { force: true });
    }
  }

  async head(key: string): Promise<ObjectInfo | undefined> {
    this.stats.head++;
    try {
      const st = statSync(this.file(key));
      return st.isFile() ? { key, size: st.size } : undefined;
    } catch {
      return undefined;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    this.stats.list++;
    // The prefix may end inside a file name: walk from its directory part.
    const slash = prefix.lastIndexOf('/');
    const dirKey = slash >= 0 ? prefix.slice(0, slash) : '';
    const out: ObjectInfo[] = [];
    // Synchronous: directory reads and stats are single system calls (see LOCAL_SYNC_BYTES).
    const walk = (dir: string, keyPrefix: string): void => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const key = keyPrefix ? `${keyPrefix}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (key.startsWith(prefix) || prefix.startsWith(`${key}/`)) walk(path.join(dir, e.name), key);
        } else if (e.isFile() && key.startsWith(prefix) && !e.name.includes('.tmp-')) {
          // Gone since the directory was read (a concurrent delete): not listed.
          const st = statSync(path.join(dir, e.name), { throwIfNoEntry: false });
          if (st) out.push({ key, size: st.size });
        }
      }
    };
    walk(this.file(dirKey), dirKey);
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(keys: readonly string[]): Promise<void> {
    this.stats.delete += keys.length;
    for (const k of keys) rmSync(this.file(k), { force: true });
  }

  async deleteTree(prefix: string): Promise<void> {
    const dir = this.file(prefix);
    if (dir === this.root)
      throw new StorageError('BAD_KEY', `refusing to delete the whole store ${this.url}`, { prefix });
    this.stats.delete++;
    // A file written into the tree meanwhile (ENOTEMPTY) is retried, then removed with the rest.
    await fs.rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  }

  async copy(from: string, to: string): Promise<void> {
    const body = await this.get(from);
    await this.put(to, body);
  }

  /** The filesystem root ('') and the file's absolute path without its leading '/'. */
  locate(key: string): ObjectLocation {
    return { bucket: '', key: this.file(key).replace(/^\/+/, '') };
  }
}

function notFound(e: unknown, url: string, key: string): Error {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT')
    return new StorageError('NOT_FOUND', `object '${key}' does not exist in ${url}`, { store: url, key });
  if (code === 'EISDIR')
    return new StorageError('NOT_FOUND', `'${key}' in ${url} is a directory, not an object`, { store: url, key });
  return new StorageError('IO', `cannot read '${key}' from ${url}: ${(e as Error)?.message}`, { store: url, key });
}

/** A temporary name beside `target`. */
const tempName = (target: string) => `${target}.tmp-${randomBytes(6).toString('hex')}`;

/** `length` bytes from `position` into `out` (short at the file's end): read until full or EOF. */
function readAt(fd: number, out: Uint8Array, position: number): Uint8Array {
  let off = 0;
  while (off < out.length) {
    const n = readSync(fd, out, off, out.length - off, position + off);
    if (n === 0) break;
    off += n;
  }
  return off === out.length ? out : out.subarray(0, off);
}

/** A new temporary file beside `target`, open for writing (its directory created, also if a concurrent deleteTree removed it). */
function openTemp(target: string): { tmp: string; fd: number } {
  const tmp = tempName(target);
  for (let i = 0; ; i++) {
    if (i > 0) mkdirSync(path.dirname(target), { recursive: true });
    try {
      return { tmp, fd: openSync(tmp, 'w') };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || i >= 2) throw e;
    }
  }
}

/**
 * The writev calls that put `body` in a file, as a dialogue: each yield is the chunks to write
 * next, answered with the bytes written; a short write (rare on files) goes on with what is left.
 * One loop for the synchronous writes and the pool's.
 */
function* writevCalls(body: Body): Generator<Uint8Array[], void, number> {
  const chunks = body instanceof Uint8Array ? [body] : body;
  for (let c = 0; c < chunks.length; c += WRITEV_CHUNKS) {
    const group = chunks.slice(c, c + WRITEV_CHUNKS);
    let want = group.reduce((a, x) => a + x.byteLength, 0);
    let written = yield group;
    while (written < want) {
      want -= written;
      written = yield [Buffer.concat(group).subarray(-want)];
    }
  }
}

/** The body in a temporary file beside `target`, written with synchronous calls (small bodies). */
function writeTempSync(target: string, body: Body): string {
  const { tmp, fd } = openTemp(target);
  try {
    const calls = writevCalls(body);
    for (let call = calls.next(); !call.done; ) call = calls.next(writevSync(fd, call.value));
    return tmp;
  } finally {
    closeSync(fd);
  }
}

/**
 * The body in a temporary file beside `target`: opened and closed on this thread (a system call
 * each), written on libuv's pool in one round trip per IOV_MAX chunks. (Opening, writing and
 * closing through the pool took a round trip each, every one waiting for this thread to be
 * woken again: milliseconds each when every core runs an executor.)
 */
async function writeTemp(target: string, body: Body): Promise<string> {
  const { tmp, fd } = openTemp(target);
  try {
    const calls = writevCalls(body);
    for (let call = calls.next(); !call.done; ) call = calls.next(await writevAsync(fd, call.value));
    return tmp;
  } finally {
    closeSync(fd);
  }
}

const writevAsync = (fd: number, chunks: readonly Uint8Array[]) =>
  new Promise<number>((resolve, reject) => writev(fd, chunks, (e, n) => (e ? reject(e) : resolve(n))));

/**
 * `out.length` bytes from `position` into `out` on libuv's pool (short at the file's end): read
 * until full or EOF, one round trip unless the read comes back short.
 */
function readAsync(fd: number, out: Uint8Array, position: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const more = (off: number) =>
      readFd(fd, out, off, out.length - off, position + off, (e, n) => {
        if (e) return reject(e);
        const at = off + n;
        if (n > 0 && at < out.length) return more(at);
        resolve(at === out.length ? out : out.subarray(0, at));
      });
    if (out.length) more(0);
    else resolve(out);
  });
}

/** Buffers a writev takes at once (Linux IOV_MAX). */
const WRITEV_CHUNKS = 1024;
