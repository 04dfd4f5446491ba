import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { AuthenticatedUser } from './authenticated-user';

/** The caller as the JWT guard authenticated them. */
export const CurrentUser = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedUser => {
  const user = context.switchToHttp().getRequest<Request>().user as AuthenticatedUser | undefined;
  // Only a @Public() route has no user; reading one there is a programming error, not a client error.
  if (!user) throw new Error('@CurrentUser() used on a route that is not authenticated');
  return user;
});
