/**
 * A map for caches whose keys come from clients (filter and PATCH path text): it keeps at
 * most `limit` entries and drops the oldest first, so hostile input cannot grow it without
 * bound. Values must not be changed once cached: every request shares them.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly limit: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Stores `value` under `key` and returns it. */
  set(key: K, value: V): V {
    if (this.entries.size >= this.limit && !this.entries.has(key)) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
    this.entries.set(key, value);
    return value;
  }
}
