import { useTestRedis } from '../../../test/support/test-redis';
import { RedisRateLimiter } from './redis-rate-limiter';

describe('RedisRateLimiter (real Redis)', () => {
  const suite = useTestRedis();

  it('allows `limit` requests per window across limiter instances and then refuses', async () => {
    const first = new RedisRateLimiter(suite.redis, suite.prefix);
    const second = new RedisRateLimiter(suite.redis, suite.prefix);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).consume('user:a', 6, 60_000)));
    expect(results.filter((r) => r.allowed)).toHaveLength(6);
    for (const refused of results.filter((r) => !r.allowed)) {
      expect(refused.retryAfterMs).toBeGreaterThan(0);
      expect(refused.retryAfterMs).toBeLessThanOrEqual(60_000);
    }
    expect((await first.consume('user:b', 6, 60_000)).allowed).toBe(true);
  });

  it('stores each window under an expiring key', async () => {
    const limiter = new RedisRateLimiter(suite.redis, suite.prefix);
    await limiter.consume('user:ttl', 5, 60_000);
    const [key] = await suite.redis.keys(`${suite.prefix}:rl:user:ttl:*`);
    expect(key).toMatch(new RegExp(`^${suite.prefix}:rl:user:ttl:\\d+$`));
    const ttl = await suite.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('opens a new window after the old one ends', async () => {
    const limiter = new RedisRateLimiter(suite.redis, suite.prefix);
    const windowMs = 300;
    // Start right after a window boundary so both requests share the window.
    await new Promise((resolve) => setTimeout(resolve, windowMs - (Date.now() % windowMs) + 5));
    expect((await limiter.consume('user:short', 1, windowMs)).allowed).toBe(true);
    expect((await limiter.consume('user:short', 1, windowMs)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    expect((await limiter.consume('user:short', 1, windowMs)).allowed).toBe(true);
  });
});

describe('RedisRateLimiter batching (real Redis)', () => {
  const suite = useTestRedis();

  it('sends the checks of one turn of the event loop as one command, and still allows exactly `limit`, first come first served', async () => {
    const limiter = new RedisRateLimiter(suite.redis, suite.prefix);
    await suite.redis.ping(); // connected: a command queued before that would be sent twice through sendCommand
    const sent: string[] = [];
    const original = suite.redis.sendCommand.bind(suite.redis);
    const spy = jest.spyOn(suite.redis, 'sendCommand').mockImplementation((command) => {
      sent.push(command.name);
      return original(command);
    });
    try {
      const decisions = await Promise.all([
        ...Array.from({ length: 8 }, () => limiter.consume('user:burst', 5, 60_000)),
        ...Array.from({ length: 3 }, () => limiter.consume('user:other', 5, 60_000)),
      ]);
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false, false, true, true, true]);
      expect(sent.filter((name) => name === 'evalsha' || name === 'eval')).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
    // The next turn counts on from there.
    expect((await limiter.consume('user:other', 5, 60_000)).allowed).toBe(true);
    expect((await limiter.consume('user:other', 5, 60_000)).allowed).toBe(true);
    expect((await limiter.consume('user:other', 5, 60_000)).allowed).toBe(false);
  });
});
