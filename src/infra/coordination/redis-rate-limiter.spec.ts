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

describe('RedisRateLimiter leases (real Redis)', () => {
  const suite = useTestRedis();

  /** Counts the lease script calls the limiters make while `fn` runs. */
  async function countingScriptCalls(fn: () => Promise<void>): Promise<number> {
    await suite.redis.ping();
    let calls = 0;
    const original = suite.redis.sendCommand.bind(suite.redis);
    const spy = jest.spyOn(suite.redis, 'sendCommand').mockImplementation((command) => {
      if (command.name === 'evalsha' || command.name === 'eval') calls++;
      return original(command);
    });
    try {
      await fn();
    } finally {
      spy.mockRestore();
    }
    return calls;
  }

  it('answers a busy key from its lease: 2,000 requests one after another cost a dozen Redis calls, not 2,000', async () => {
    const limiter = new RedisRateLimiter(suite.redis, suite.prefix);
    let allowed = 0;
    const calls = await countingScriptCalls(async () => {
      for (let i = 0; i < 2_000; i++) if ((await limiter.consume('user:busy', 100_000, 60_000)).allowed) allowed++;
    });
    expect(allowed).toBe(2_000);
    // Leases of 1, 2, 4, … 1,024 cover 2,047 requests.
    expect(calls).toBeLessThanOrEqual(12);
    const [key] = await suite.redis.keys(`${suite.prefix}:rl:user:busy:*`);
    const leased = Number(await suite.redis.get(key));
    expect(leased).toBeGreaterThanOrEqual(2_000);
    expect(leased).toBeLessThanOrEqual(2_047);
  });

  it('never allows more than the limit across processes, and a lease left in one refuses the other early by at most 1/50 of it', async () => {
    const limit = 500;
    const first = new RedisRateLimiter(suite.redis, suite.prefix);
    const second = new RedisRateLimiter(suite.redis, suite.prefix);
    let allowed = 0;
    for (let i = 0; i < 700; i++) {
      const limiter = i % 3 === 0 ? second : first;
      if ((await limiter.consume('user:shared', limit, 60_000)).allowed) allowed++;
    }
    expect(allowed).toBeLessThanOrEqual(limit);
    expect(allowed).toBeGreaterThanOrEqual(limit - limit / 50);
    // Once the counter is full, refusals are answered locally.
    const calls = await countingScriptCalls(async () => {
      for (const limiter of [first, second]) {
        for (let i = 0; i < 20; i++) expect((await limiter.consume('user:shared', limit, 60_000)).allowed).toBe(false);
      }
    });
    expect(calls).toBe(0);
  });

  it('asks a quiet key for one request at a time, so small limits stay exact across processes', async () => {
    const first = new RedisRateLimiter(suite.redis, suite.prefix);
    const second = new RedisRateLimiter(suite.redis, suite.prefix);
    const answers: boolean[] = [];
    for (let i = 0; i < 40; i++) answers.push((await (i % 2 ? first : second).consume('user:small', 30, 60_000)).allowed);
    expect(answers).toEqual([...Array(30).fill(true), ...Array(10).fill(false)]);
  });

  it('forgets windows that have ended, so memory stays bounded', async () => {
    let now = 60_000 * 30_000_000;
    const limiter = new RedisRateLimiter(suite.redis, suite.prefix, () => now);
    for (let i = 0; i < 50; i++) await limiter.consume(`user:many-${i}`, 10, 60_000);
    expect(limiter.size).toBe(50);
    now += 60_000;
    await limiter.consume('user:late', 10, 60_000);
    expect(limiter.size).toBe(1);
  });
});
