import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { IS_PUBLIC_KEY } from '../auth/public.decorator';
import { HERALD_CONFIG } from '../config/config.module';
import { HeraldConfig } from '../config/herald-config';
import { RateLimiter } from '../infra/coordination/rate-limiter';
import { ApiError } from './api-error';

const WINDOW_MS = 60_000;

/**
 * RATE_LIMIT_PER_MINUTE per user, counted across every API process. Keyed by
 * user, not IP, so it must run after the JWT guard; SSE connects count as requests.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiter,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const user = context.switchToHttp().getRequest<Request>().user as AuthenticatedUser | undefined;
    if (!user) return true;

    const limit = this.config.limits.rateLimitPerMinute;
    const decision = await this.limiter.consume(`user:${user.userId}`, limit, WINDOW_MS);
    if (decision.allowed) return true;
    const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    throw new ApiError(
      429,
      'RATE_LIMITED',
      `rate limit of ${limit} requests per minute exceeded; retry in ${retryAfterSeconds} s`,
      { 'Retry-After': String(retryAfterSeconds) },
    );
  }
}
