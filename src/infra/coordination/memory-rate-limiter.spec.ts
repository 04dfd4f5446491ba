import { MemoryRateLimiter } from './memory-rate-limiter';

describe('MemoryRateLimiter', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 60_000 * 20_000_000; // a window boundary, so the arithmetic below is exact
  });

  it('allows `limit` requests per window and then refuses until the window ends', async () => {
    const limiter = new MemoryRateLimiter(clock);
    for (let i = 0; i < 3; i++) expect((await limiter.consume('k', 3, 60_000)).allowed).toBe(true);
    now += 15_000;
    expect(await limiter.consume('k', 3, 60_000)).toEqual({ allowed: false, retryAfterMs: 45_000 });
    now += 45_000;
    expect(await limiter.consume('k', 3, 60_000)).toEqual({ allowed: true, retryAfterMs: 0 });
  });

  it('keeps keys apart', async () => {
    const limiter = new MemoryRateLimiter(clock);
    expect((await limiter.consume('a', 1, 60_000)).allowed).toBe(true);
    expect((await limiter.consume('a', 1, 60_000)).allowed).toBe(false);
    expect((await limiter.consume('b', 1, 60_000)).allowed).toBe(true);
  });

  it('forgets keys whose window has ended, so memory stays bounded', async () => {
    const limiter = new MemoryRateLimiter(clock, 1_000);
    for (let i = 0; i < 1000; i++) await limiter.consume(`user-${i}`, 10, 60_000);
    expect(limiter.size).toBe(1000);
    now += 60_000;
    await limiter.consume('late', 10, 60_000);
    expect(limiter.size).toBe(1);
  });
});
