/**
 * A store whose implementation is loaded on its first request: the AWS SDK is the heaviest
 * import of an executor, and local runs or reduce-only invocations may never need it. Where an
 * object lives (`locate`) is known without loading anything.
 */
import {
  type Body,
  emptyStats,
  type ObjectInfo,
  type ObjectLocation,
  type ObjectStore,
  type StoreStats,
} from './store.js';

export class LazyStore implements ObjectStore {
  private inner: Promise<ObjectStore> | undefined;
  private loaded: ObjectStore | undefined;
  private readonly idle = emptyStats();

  /**
   * @param url the store's URL (as the loaded store will report it)
   * @param locator the physical place of a logical key (the same key layout the loaded store uses)
   * @param load builds the real store, once
   */
  constructor(
    readonly url: string,
    private readonly locator: (key: string) => ObjectLocation,
    private readonly load: () => Promise<ObjectStore>,
  ) {}

  get stats(): StoreStats {
    return this.loaded?.stats ?? this.idle;
  }
  private store(): Promise<ObjectStore> {
    this.inner ??= this.load().then((s) => (this.loaded = s));
    return this.inner;
  }
  async get(key: string): Promise<Uint8Array> {
    return (await this.store()).get(key);
  }
  async getRange(key: string, start: number, end: number, ahead?: boolean): Promise<Uint8Array> {
    return (await this.store()).getRange(key, start, end, ahead);
  }
  async put(key: string, body: Body): Promise<void> {
    return (await this.store()).put(key, body);
  }
  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    return (await this.store()).putIfAbsent(key, body);
  }
  async head(key: string): Promise<ObjectInfo | undefined> {
    return (await this.store()).head(key);
  }
  async list(prefix: string): Promise<ObjectInfo[]> {
    return (await this.store()).list(prefix);
  }
  async delete(keys: readonly string[]): Promise<void> {
    return (await this.store()).delete(keys);
  }
  async deleteTree(prefix: string): Promise<void> {
    return (await this.store()).deleteTree(prefix);
  }
  async copy(from: string, to: string): Promise<void> {
    return (await this.store()).copy(from, to);
  }
  locate(key: string): ObjectLocation {
    return this.locator(key);
  }
}
