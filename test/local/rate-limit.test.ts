import { parseRateLimit, RateLimiter } from '../../lib/local/rate-limit';

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('RateLimiter (SCIM_RATE_LIMIT)', () => {
  test('lets a burst of one second\'s worth through, then refuses until time passes', () => {
    const c = clock();
    const limiter = new RateLimiter(20, c.now);
    const burst = Array.from({ length: 25 }, () => limiter.take());
    expect(burst.filter(Boolean)).toHaveLength(20);
    expect(burst.slice(20)).toEqual([false, false, false, false, false]);
    c.advance(49);
    expect(limiter.take()).toBe(false); // 0.98 of a request earned
    c.advance(1);
    expect(limiter.take()).toBe(true);
    expect(limiter.take()).toBe(false);
  });

  test('holds the average rate over a long run and never stores more than one second', () => {
    const c = clock();
    const limiter = new RateLimiter(5, c.now);
    let passed = 0;
    for (let ms = 0; ms < 10_000; ms += 10) {
      c.advance(10);
      if (limiter.take()) passed++;
    }
    // The initial burst of 5, then 5 per second for 10 s (floating-point refills may lose one).
    expect(passed).toBeGreaterThanOrEqual(54);
    expect(passed).toBeLessThanOrEqual(55);
    c.advance(60_000);
    expect(Array.from({ length: 10 }, () => limiter.take()).filter(Boolean)).toHaveLength(5);
  });

  test('a rate below one request per second still lets one through, then waits', () => {
    const c = clock();
    const limiter = new RateLimiter(0.5, c.now);
    expect([limiter.take(), limiter.take()]).toEqual([true, false]);
    c.advance(1999);
    expect(limiter.take()).toBe(false);
    c.advance(1);
    expect(limiter.take()).toBe(true);
  });

  test('refuses a rate that is not a positive number', () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => new RateLimiter(bad)).toThrow(/positive/);
  });
});

describe('parseRateLimit', () => {
  test('unset or empty is no limit; a positive number is requests per second', () => {
    expect(parseRateLimit(undefined)).toBeUndefined();
    expect(parseRateLimit(' ')).toBeUndefined();
    expect(parseRateLimit('20')).toBe(20);
    expect(parseRateLimit('0.5')).toBe(0.5);
  });

  test.each(['0', '-3', 'fast', '20rps', 'Infinity'])('refuses %p, naming the variable', (text) => {
    expect(() => parseRateLimit(text)).toThrow(/SCIM_RATE_LIMIT must be a positive number/);
  });
});
