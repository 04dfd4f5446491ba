import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { IS_PUBLIC_KEY } from '../auth/public.decorator';
import { UserRateLimit } from './user-rate-limit';

/**
 * The per-user rate limit on every authenticated route. Keyed by user, not IP,
 * so it must run after the JWT guard; SSE connects count as requests.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly rateLimit: UserRateLimit,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const user = context.switchToHttp().getRequest<Request>().user as AuthenticatedUser | undefined;
    if (!user) return true;
    await this.rateLimit.consume(user.userId);
    return true;
  }
}
