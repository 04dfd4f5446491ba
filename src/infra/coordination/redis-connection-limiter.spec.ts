import { useTestRedis } from '../../../test/support/test-redis';
import { RedisConnectionLimiter } from './redis-connection-limiter';

describe('RedisConnectionLimiter (real Redis)', () => {
  const suite = useTestRedis();

  const score = (userId: string, connectionId: string) => suite.redis.zscore(`${suite.prefix}:conns:${userId}`, connectionId);

  it('shares the per-user limit between limiter instances', async () => {
    const first = new RedisConnectionLimiter(suite.redis, suite.prefix);
    const second = new RedisConnectionLimiter(suite.redis, suite.prefix);
    const taken = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? first : second).acquire('u-limit', `c${i}`, 4)));
    expect(taken.filter(Boolean)).toHaveLength(4);
    await first.release('u-limit', 'c0');
    await first.release('u-limit', 'c1');
    expect(await second.acquire('u-limit', 'c-new', 4)).toBe(true);
  });

  it('renews many leases of many users in one call, and never revives a released one', async () => {
    const limiter = new RedisConnectionLimiter(suite.redis, suite.prefix);
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
    expect(await suite.redis.pttl(`${suite.prefix}:conns:u-renew-7`)).toBeGreaterThan(40_000);
  });

  it('accepts an empty renewal', async () => {
    await expect(new RedisConnectionLimiter(suite.redis, suite.prefix).renew([])).resolves.toBeUndefined();
  });
});
