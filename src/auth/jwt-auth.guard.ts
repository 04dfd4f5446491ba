import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiError } from '../common/api-error';
import { JwtStrategy } from './jwt.strategy';
import { IS_PUBLIC_KEY } from './public.decorator';

/**
 * The global guard: every route needs a valid JWT unless marked @Public().
 * It runs before the handler, so a bad token is refused before any stream byte
 * is written. It decides synchronously (see JwtStrategy), so Nest's guard chain
 * awaits nothing for it.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly logger = new Logger(JwtAuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly strategy: JwtStrategy,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<Request>();
    try {
      request.user = this.strategy.authenticateRequest(request);
    } catch (error) {
      if (error instanceof ApiError) this.logger.debug(`refused: ${error.message}`);
      throw error;
    }
    return true;
  }
}
