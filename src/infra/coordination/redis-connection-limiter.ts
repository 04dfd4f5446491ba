import Redis from 'ioredis';
import { ConnectionLimiter } from './connection-limiter';
import { RedisOutage } from './redis-outage';

const LEASE_MS = 45_000;

// Drop expired leases, count, and add ours only if there is room: atomic, so two
// API processes cannot both take the last slot.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

/** Per-user connection leases in a Redis sorted set scored by expiry, shared by every API process. */
export class RedisConnectionLimiter extends ConnectionLimiter {
  private readonly outage: RedisOutage;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super();
    this.outage = new RedisOutage(redis);
  }

  acquire(userId: string, connectionId: string, limit: number): Promise<boolean> {
    return this.outage.unlessDown(true, () => this.lease(userId, connectionId, limit));
  }

  private async lease(userId: string, connectionId: string, limit: number): Promise<boolean> {
    const now = Date.now();
    const result = await this.redis.eval(
      ACQUIRE,
      1,
      this.key(userId),
      String(now),
      String(now + LEASE_MS),
      String(limit),
      connectionId,
      String(LEASE_MS),
    );
    return result === 1;
  }

  async release(userId: string, connectionId: string): Promise<void> {
    await this.redis.zrem(this.key(userId), connectionId);
  }

  async renew(leases: { userId: string; connectionId: string }[]): Promise<void> {
    const expiry = Date.now() + LEASE_MS;
    const pipeline = this.redis.pipeline();
    for (const { userId, connectionId } of leases) {
      pipeline.zadd(this.key(userId), 'XX', expiry, connectionId);
      pipeline.pexpire(this.key(userId), LEASE_MS);
    }
    await pipeline.exec();
  }

  private key(userId: string): string {
    return `${this.prefix}:conns:${userId}`;
  }
}
