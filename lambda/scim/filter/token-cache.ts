import { BoundedCache } from '../bounded-cache';

/** Keys kept for in-place comparison, per key length; and the longest key kept so. */
const RECENT_PER_LENGTH = 8;
const RECENT_MAX_LENGTH = 64;

/**
 * A bounded cache keyed by the text of a token, looked up where the token stands in the
 * input: the most recently used keys of each length are compared in place, so a hit builds
 * no substring and hashes nothing. Other keys fall back to a BoundedCache.
 */
export class TokenCache<V> {
  private readonly recent: { key: string; value: V }[][] = [];
  private readonly all: BoundedCache<string, V>;

  constructor(limit: number) {
    this.all = new BoundedCache(limit);
  }

  /** The value cached for the token at `start..end` of `text`, if any. */
  find(text: string, start: number, end: number): V | undefined {
    const bucket = this.recent[end - start];
    if (bucket) {
      for (let i = 0; i < bucket.length; i++) if (text.startsWith(bucket[i].key, start)) return bucket[i].value;
    }
    const key = text.slice(start, end);
    const value = this.all.get(key);
    if (value !== undefined) this.remember(key, value);
    return value;
  }

  /** Caches `value` for the token text `key` and returns it. */
  set(key: string, value: V): V {
    this.all.set(key, value);
    this.remember(key, value);
    return value;
  }

  private remember(key: string, value: V): void {
    if (key.length > RECENT_MAX_LENGTH) return;
    const bucket = (this.recent[key.length] ??= []);
    if (bucket.length >= RECENT_PER_LENGTH) bucket.shift();
    bucket.push({ key, value });
  }
}
