import { randomUUID } from 'node:crypto';
import Redis from 'ioredis';
import { RedisConnectionLimiter } from './redis-connection-limiter';

describe('RedisConnectionLimiter (real Redis)', () => {
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

  const score = (userId: string, connectionId: string) => redis.zscore(`${prefix}:conns:${userId}`, connectionId);

  it('shares the per-user limit between limiter instances', async () => {
    const first = new RedisConnectionLimiter(redis, prefix);
    const second = new RedisConnectionLimiter(redis, prefix);
    const taken = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? first : second).acquire('u-limit', `c${i}`, 4)));
    expect(taken.filter(Boolean)).toHaveLength(4);
    await first.release('u-limit', 'c0');
    await first.release('u-limit', 'c1');
    expect(await second.acquire('u-limit', 'c-new', 4)).toBe(true);
  });

  it('renews many leases of many users in one call, and never revives a released one', async () => {
    const limiter = new RedisConnectionLimiter(redis, prefix);
    const leases = Array.from({ length: 700 }, (_, i) => ({ userId: `u-renew-${i % 350}`, connectionId: `c-${i}` }));
    for (const l of leases) expect(await limiter.acquire(l.userId, l.connectionId, 5)).toBe(true);
    const before = Number(await score('u-renew-7', 'c-7'));
    await limiter.release('u-renew-8', 'c-8');

    await new Promise((r) => setTimeout(r, 20));
    await limiter.renew(leases);

    for (const l of [leases[7], leases[357], leases[699]]) {
      expect(Number(await score(l.userId, l.connectionId))).toBeGreaterThan(before);
    }
    expect(await score('u-renew-8', 'c-8')).toBeNull();
    expect(await redis.pttl(`${prefix}:conns:u-renew-7`)).toBeGreaterThan(40_000);
  });

  it('accepts an empty renewal', async () => {
    await expect(new RedisConnectionLimiter(redis, prefix).renew([])).resolves.toBeUndefined();
  });
});
