import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiError } from '../common/api-error';
import { AuthenticatedUser } from './authenticated-user';
import { REQUIRED_SCOPES_KEY } from './require-scope.decorator';

/** Enforces @RequireScope; runs after the JWT guard has put the user on the request. */
@Injectable()
export class ScopeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<string[] | undefined>(REQUIRED_SCOPES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required || required.length === 0) return true;

    const user = context.switchToHttp().getRequest<Request>().user as AuthenticatedUser | undefined;
    const missing = required.filter((scope) => !user?.scopes.includes(scope));
    if (missing.length > 0) {
      throw new ApiError(403, 'FORBIDDEN_SCOPE', `this request needs a token with scope ${missing.join(' ')}`);
    }
    return true;
  }
}
