import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import type Redis from 'ioredis';
import { REDIS_CLIENT } from '../infra/redis-tokens';
import { probeDependency } from './health-probe';

/**
 * Redis (event fan-out, connection and rate limits) answers PING on the shared
 * command connection. Embedded mode has no Redis, and no such check.
 */
@Injectable()
export class RedisHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
  ) {}

  get configured(): boolean {
    return this.redis !== null;
  }

  check(key = 'redis') {
    return probeDependency(this.indicators, key, async () => {
      const redis = this.redis;
      if (!redis) throw new Error('Redis is not configured');
      // While ioredis reconnects, a PING would wait in its offline queue: say what is going on instead.
      if (redis.status !== 'ready') throw new Error(`connection ${redis.status}`);
      await redis.ping();
    });
  }
}
