import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { RateLimiter } from '../infra/coordination/rate-limiter';
import { ApiError } from './api-error';

const WINDOW_MS = 60_000;

/** RATE_LIMIT_PER_MINUTE per user, counted across every API process. */
@Injectable()
export class UserRateLimit {
  constructor(
    private readonly limiter: RateLimiter,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  /** Counts one request of the user; throws the 429 to answer when the user is over the limit. */
  async consume(userId: string): Promise<void> {
    const limit = this.config.limits.rateLimitPerMinute;
    const decision = await this.limiter.consume(`user:${userId}`, limit, WINDOW_MS);
    if (decision.allowed) return;
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new ApiError(
      429,
      'RATE_LIMITED',
      `rate limit of ${limit} requests per minute exceeded; retry in ${retryAfterSeconds} s`,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
