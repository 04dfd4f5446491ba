import type Redis from 'ioredis';
import { RateLimitDecision, RateLimiter } from './rate-limiter';
import { RedisOutage } from './redis-outage';

/**
 * Fixed windows shared by every API process. The window index is part of the
 * key, so a window never needs resetting: its key simply expires after it ends.
 */
export class RedisRateLimiter extends RateLimiter {
  private readonly outage: RedisOutage;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super();
    this.outage = new RedisOutage(redis);
  }

  consume(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    return this.outage.unlessDown({ allowed: true, retryAfterMs: 0 }, () => this.count(key, limit, windowMs));
  }

  private async count(key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const now = Date.now();
    const index = Math.floor(now / windowMs);
    const redisKey = `${this.prefix}:rl:${key}:${index}`;
    // MULTI keeps INCR and PEXPIRE together: a crash between them cannot leave a key without expiry.
    const results = await this.redis.multi().incr(redisKey).pexpire(redisKey, windowMs).exec();
    const [incrError, count] = results?.[0] ?? [new Error('rate limit transaction was discarded'), null];
    if (incrError) throw incrError;
    const allowed = Number(count) <= limit;
    return { allowed, retryAfterMs: allowed ? 0 : (index + 1) * windowMs - now };
  }
}
