import Redis from 'ioredis';
import { ConnectionLimiter } from './connection-limiter';
import { RedisOutage } from './redis-outage';
import { defineScript, RedisScript } from './redis-script';

const LEASE_MS = 45_000;

// Drop expired leases, count, and add ours only if there is room: atomic, so two
// API processes cannot both take the last slot.
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1`;

// Pushes the expiry of leases that still exist (XX: a released lease stays released).
// KEYS[i] holds ARGV[i + 2]; one script call renews a whole slice of connections.
const RENEW = `
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', ARGV[1], ARGV[i + 2])
  redis.call('PEXPIRE', key, ARGV[2])
end
return #KEYS`;

/** Per-user connection leases in a Redis sorted set scored by expiry, shared by every API process. */
export class RedisConnectionLimiter extends ConnectionLimiter {
  private readonly outage: RedisOutage;
  private readonly acquireLease: RedisScript;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {
    super();
    this.outage = new RedisOutage(redis);
    this.acquireLease = defineScript(redis, 'heraldAcquireLease', ACQUIRE);
  }

  acquire(userId: string, connectionId: string, limit: number): Promise<boolean> {
    return this.outage.unlessDown(true, () => this.lease(userId, connectionId, limit));
  }

  private async lease(userId: string, connectionId: string, limit: number): Promise<boolean> {
    const now = Date.now();
    // EVALSHA: the script body travels only when Redis does not know it yet.
    return (await this.acquireLease(this.key(userId), now, now + LEASE_MS, limit, connectionId, LEASE_MS)) === 1;
  }

  async release(userId: string, connectionId: string): Promise<void> {
    await this.redis.zrem(this.key(userId), connectionId);
  }

  /** One command for the whole slice: a pipeline of two commands per lease cost the event loop ~25 µs each. */
  async renew(leases: { userId: string; connectionId: string }[]): Promise<void> {
    if (leases.length === 0) return;
    const keys = leases.map((l) => this.key(l.userId));
    const ids = leases.map((l) => l.connectionId);
    await this.redis.eval(RENEW, keys.length, ...keys, String(Date.now() + LEASE_MS), String(LEASE_MS), ...ids);
  }

  private key(userId: string): string {
    return `${this.prefix}:conns:${userId}`;
  }
}
