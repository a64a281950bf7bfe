/**
 * The local endpoint's opt-in throttle (SCIM_RATE_LIMIT), standing in for API Gateway's stage
 * throttle and IAM Identity Center's (about 20 requests per second, CLIENTS.md §1.9), so that a
 * client's back-off can be tried on a laptop. A token bucket: `rate` requests per second on
 * average, and bursts of up to one second's worth (at least one request).
 */
export class RateLimiter {
  private readonly capacity: number;
  private tokens: number;
  private last: number;

  constructor(
    /** Requests per second. */
    readonly rate: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new Error(`A rate limit must be a positive number of requests per second; got ${rate}`);
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
    this.last = now();
  }

  /** Takes one request's share: false when the request is over the limit. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Reads SCIM_RATE_LIMIT: unset or empty is no limit; anything but a positive number throws. */
export function parseRateLimit(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const rate = Number(text.trim());
  if (!Number.isFinite(rate) || rate <= 0) throw new Error(`SCIM_RATE_LIMIT must be a positive number of requests per second, not "${text}".`);
  return rate;
}
