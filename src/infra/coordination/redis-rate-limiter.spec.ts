import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisRateLimiter } from './redis-rate-limiter';

describe('RedisRateLimiter (real Redis)', () => {
  const prefix = `herald-test-${randomUUID()}`;
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis('redis://127.0.0.1:6379', { lazyConnect: false, maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('allows `limit` requests per window across limiter instances and then refuses', async () => {
    const first = new RedisRateLimiter(redis, prefix);
    const second = new RedisRateLimiter(redis, prefix);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).consume('user:a', 6, 60_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(6);
    for (const refused of results.filter((r) => !r.allowed)) {
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    expect((await first.consume('user:b', 6, 60_000)).allowed).toBe(true);
  });

  it('stores each window under an expiring key', async () => {
    const limiter = new RedisRateLimiter(redis, prefix);
    await limiter.consume('user:ttl', 5, 60_000);
    const [key] = await redis.keys(`${prefix}:rl:user:ttl:*`);
    expect(key).toMatch(new RegExp(`^${prefix}:rl:user:ttl:\\d+$`));
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('opens a new window after the old one ends', async () => {
    const limiter = new RedisRateLimiter(redis, prefix);
    const windowMs = 300;
    // Start right after a window boundary so both requests share the window.
    await new Promise((resolve) => setTimeout(resolve, windowMs - (Date.now() % windowMs) + 5));
    expect((await limiter.consume('user:short', 1, windowMs)).allowed).toBe(true);
    expect((await limiter.consume('user:short', 1, windowMs)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    expect((await limiter.consume('user:short', 1, windowMs)).allowed).toBe(true);
  });
});
