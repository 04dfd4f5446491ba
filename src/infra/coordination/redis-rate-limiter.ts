import type Redis from 'ioredis';
import { RateLimitDecision, RateLimiter } from './rate-limiter';
import { RedisOutage } from './redis-outage';

// Adds each window's requests of this turn of the event loop to its counter and
// gives a new window its expiry, in one atomic step per counter, so a crash can
// never leave a counter without one. KEYS[i] takes ARGV[2i-1] requests and
// expires after ARGV[2i] ms; the reply is each counter's new value.
const COUNT = `
local counts = {}
for i, key in ipairs(KEYS) do
  local n = tonumber(ARGV[2 * i - 1])
  local count = redis.call('INCRBY', key, n)
  if count == n then redis.call('PEXPIRE', key, ARGV[2 * i]) end
  counts[i] = count
end
return counts`;

const ALLOWED: RateLimitDecision = Object.freeze({ allowed: true, retryAfterMs: 0 });

interface Waiting {
  limit: number;
  resolve: (decision: RateLimitDecision) => void;
  reject: (error: unknown) => void;
}

interface Window {
  key: string;
  windowMs: number;
  /** When the window ends (ms since the epoch). */
  endsAt: number;
  waiting: Waiting[];
}

type CountScript = (numberOfKeys: number, ...keysAndArgs: (string | number)[]) => Promise<number[]>;

/**
 * Fixed windows shared by every API process. The window index is part of the
 * key, so a window never needs resetting: its key simply expires after it ends.
 * The requests checked in one turn of the event loop go to Redis together, one
 * script call for all of them: one call per request was a socket write each and
 * the largest Redis cost of POST /api/events (npm run bench, fan-out profile).
 */
export class RedisRateLimiter extends RateLimiter {
  private readonly outage: RedisOutage;
  private readonly countWindows: CountScript;
  private pending = new Map<string, Window>();

  constructor(
    redis: Redis,
    private readonly prefix: string,
  ) {
    super();
    this.outage = new RedisOutage(redis);
    redis.defineCommand('heraldRateLimitCount', { lua: COUNT });
    this.countWindows = (redis as unknown as Record<string, CountScript>).heraldRateLimitCount.bind(redis);
  }

  consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    return this.outage.unlessDown(ALLOWED, () => this.count(key, limit, windowMs));
  }

  private count(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const index = Math.floor(Date.now() / windowMs);
    const redisKey = `${this.prefix}:rl:${key}:${index}`;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) setImmediate(() => void this.flush());
      let window = this.pending.get(redisKey);
      if (!window) {
        window = { key: redisKey, windowMs, endsAt: (index + 1) * windowMs, waiting: [] };
        this.pending.set(redisKey, window);
      }
      window.waiting.push({ limit, resolve, reject });
    });
  }

  /** One script call for every window with requests; the k-th request of a window counts as the k-th of its batch. */
  private async flush(): Promise<void> {
    const windows = [...this.pending.values()];
    this.pending = new Map();
    const args: (string | number)[] = windows.map((w) => w.key);
    for (const w of windows) args.push(w.waiting.length, w.windowMs);
    let counts: number[];
    try {
      counts = await this.countWindows(windows.length, ...args);
    } catch (error) {
      // Each caller's RedisOutage decides: served while the connection is lost, an error otherwise.
      for (const w of windows) for (const waiter of w.waiting) waiter.reject(error);
      return;
    }
    const now = Date.now();
    windows.forEach((w, i) => {
      const first = counts[i] - w.waiting.length + 1;
      w.waiting.forEach((waiter, k) => {
        waiter.resolve(first + k <= waiter.limit ? ALLOWED : { allowed: false, retryAfterMs: Math.max(1, w.endsAt - now) });
      });
    });
  }
}
